/**
 * Builds the device link for a device config, one for every device type the config accepts. Every
 * outbound link is a ReconnectingLine with the device's `reconnect:` backoff: a raw device's, each
 * lane of a Modbus TCP device, a Modbus RTU device's serial port.
 * Simulators and decoding raw links are loaded only when a config has one (memory on a small board).
 */
import type { Bank } from '../bank/bank.js';
import type { DeviceConfig, ModbusRtuDeviceConfig, ModbusTcpDeviceConfig, ProfileConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import { Backoff } from '../transport/backoff.js';
import type { LineOpener } from '../transport/line.js';
import { serialOpener, type PortFactory } from '../transport/serial-opener.js';
import { tcpOpener } from '../transport/tcp-opener.js';
import type { PemReader } from '../transport/tls-opener.js';
import type { DeviceLink } from './device.js';
import { ModbusLink } from './modbus/modbus-link.js';
import { RtuTransport } from './modbus/rtu-transport.js';
import { TcpLanes } from './modbus/tcp-lanes.js';
import { RawDeviceLink, type RawDeviceConfig } from './raw-link.js';

export interface DeviceDeps {
  readonly log: Logger;
  /** The gateway's banks (live: a bank rebuilt by a reload is found by name). */
  readonly banks: ReadonlyMap<string, Bank>;
  /** Profiles the config names, by the name used. */
  readonly profiles: ReadonlyMap<string, ProfileConfig>;
  /** Reads the TLS files of a `modbus-tcp` device with `tls:` at each connect (config/read-file.ts). */
  readonly readPem?: PemReader;
}

export async function createDevice(config: DeviceConfig, deps: DeviceDeps): Promise<DeviceLink> {
  switch (config.type) {
    case 'modbus-rtu':
      return createRtuLink(config, deps.log);
    case 'modbus-tcp':
      return createTcpLink(config, deps.log, deps.readPem);
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

/** What tests change in a Modbus device link: the port (a mock), the turnaround. */
export interface ModbusLinkOptions {
  readonly open?: PortFactory;
  readonly turnaroundMs?: number;
}

/** How long one connection attempt to a serial device server may take, and its TCP keepalive. */
const DEVICE_SERVER_CONNECT_MS = 5000;
const DEVICE_SERVER_KEEPALIVE_MS = 30_000;

/**
 * A `type: modbus-rtu` device: the device queue in front of fieldgate's own RTU transport, on a
 * serial port, or on a TCP connection to a serial device server (`host`, `port`: RTU over TCP).
 */
export function createRtuLink(config: ModbusRtuDeviceConfig, log: Logger, options: ModbusLinkOptions = {}): ModbusLink {
  let link: ModbusLink | undefined;
  const { host, port } = config;
  const target = { connectTimeout: DEVICE_SERVER_CONNECT_MS, keepAlive: DEVICE_SERVER_KEEPALIVE_MS };
  const transport = new RtuTransport({
    line: config,
    log,
    ...(host !== undefined && port !== undefined ? { opener: tcpOpener({ host, port, ...target }) } : {}),
    ...(config.frameGap !== undefined ? { gapMs: config.frameGap } : {}),
    ...(config.lateReplyGuard !== undefined ? { lateReplyGuardMs: config.lateReplyGuard } : {}),
    ...(options.open ? { open: options.open } : {}),
    ...(options.turnaroundMs !== undefined ? { turnaroundMs: options.turnaroundMs } : {}),
    backoff: new Backoff(config.reconnect),
    onState: (state, error) => link?.onMasterChange(state, error),
  });
  link = new ModbusLink(config, transport, log);
  return link;
}

/** Without a reader, a device with `tls:` cannot connect (each attempt fails saying so). */
const noReader: PemReader = () => {
  throw new Error('no file reader was given to this device');
};

/**
 * A `type: modbus-tcp` device: the device queue in front of its lanes (one connection per port),
 * each over TLS when the device has `tls:`.
 */
export function createTcpLink(config: ModbusTcpDeviceConfig, log: Logger, readPem: PemReader = noReader): ModbusLink {
  let link: ModbusLink | undefined;
  const lanes = new TcpLanes({
    host: config.host,
    ports: config.ports,
    depth: config.maxInFlight,
    log,
    backoff: () => new Backoff(config.reconnect),
    onState: (state, error) => link?.onMasterChange(state, error),
    tls: config.tls && { files: config.tls, read: readPem, owner: `devices.${config.name}.tls` },
  });
  link = new ModbusLink(config, lanes, log);
  return link;
}
