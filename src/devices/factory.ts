/**
 * Builds the device link for a device config. Device types whose links are not part of this build
 * return undefined (the gateway logs it; units routed to them answer exception 0A).
 */
import type { Bank } from '../bank/bank.js';
import type { DeviceConfig, ProfileConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import type { DeviceLink } from './device.js';
import { createRawLink } from './decode-link.js';
import { serialOpener } from '../transport/serial-opener.js';
import { tcpOpener } from '../transport/tcp-opener.js';
import { createRtuLink } from './modbus/rtu-link.js';
import { createTcpLink } from './modbus/tcp-link.js';
import { SimulatorDevice } from './simulator/simulator-device.js';

export interface DeviceDeps {
  readonly log: Logger;
  /** The gateway's banks (live: a bank rebuilt by a reload is found by name). */
  readonly banks: ReadonlyMap<string, Bank>;
  /** Profiles the config names, by the name used. */
  readonly profiles: ReadonlyMap<string, ProfileConfig>;
}

export function createDevice(config: DeviceConfig, deps: DeviceDeps): DeviceLink | undefined {
  switch (config.type) {
    case 'modbus-rtu':
      return createRtuLink(config, deps.log);
    case 'modbus-tcp':
      return createTcpLink(config, deps.log);
    case 'tcp':
      return createRawLink(config, tcpOpener(config), deps);
    case 'serial':
      return createRawLink(config, serialOpener(config), deps);
    case 'simulator':
      return new SimulatorDevice(config, deps.banks, deps.log);
    default:
      return undefined;
  }
}
