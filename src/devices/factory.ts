/**
 * Builds the device link for a device config, one for every device type the config accepts.
 * Simulators and decoding raw links are loaded only when a config has one (memory on a small board).
 */
import type { Bank } from '../bank/bank.js';
import type { DeviceConfig, ProfileConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import type { DeviceLink } from './device.js';
import { RawDeviceLink, type RawDeviceConfig } from './raw-link.js';
import type { LineOpener } from '../transport/line.js';
import { serialOpener } from '../transport/serial-opener.js';
import { tcpOpener } from '../transport/tcp-opener.js';
import { createRtuLink } from './modbus/rtu-link.js';
import { createTcpLink } from './modbus/tcp-link.js';

export interface DeviceDeps {
  readonly log: Logger;
  /** The gateway's banks (live: a bank rebuilt by a reload is found by name). */
  readonly banks: ReadonlyMap<string, Bank>;
  /** Profiles the config names, by the name used. */
  readonly profiles: ReadonlyMap<string, ProfileConfig>;
}

export async function createDevice(config: DeviceConfig, deps: DeviceDeps): Promise<DeviceLink> {
  switch (config.type) {
    case 'modbus-rtu':
      return createRtuLink(config, deps.log);
    case 'modbus-tcp':
      return createTcpLink(config, deps.log);
    case 'tcp':
      return rawLink(config, tcpOpener(config), deps);
    case 'serial':
      return rawLink(config, serialOpener(config), deps);
    case 'simulator': {
      const { SimulatorDevice } = await import('./simulator/simulator-device.js');
      return new SimulatorDevice(config, deps.banks, deps.log);
    }
  }
}

async function rawLink(config: RawDeviceConfig, opener: LineOpener, deps: DeviceDeps): Promise<RawDeviceLink> {
  if (config.decode === undefined) return new RawDeviceLink(config, opener, deps.log);
  const { createRawLink } = await import('./decode-link.js');
  return createRawLink(config, opener, deps);
}
