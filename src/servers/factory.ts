/**
 * Builds the server for a server config, by protocol.
 */
import type { Bank } from '../bank/bank.js';
import type { ProfileConfig, ServerConfig } from '../config/types.js';
import type { DeviceLink } from '../devices/device.js';
import type { Logger } from '../log.js';
import type { DeviceIdentity } from '../modbus/device-identity.js';
import { ModbusServer } from '../modbus/modbus-server.js';
import { RawServer } from '../raw/raw-server.js';
import type { ServerObserver } from './observer.js';
import type { GatewayServer } from './server.js';

export interface ServerDeps {
  readonly banks: ReadonlyMap<string, Bank>;
  readonly devices: ReadonlyMap<string, DeviceLink>;
  /** Profiles the config names (decode handlers), by the name used. */
  readonly profiles: ReadonlyMap<string, ProfileConfig>;
  readonly identity: DeviceIdentity;
  readonly log: Logger;
  readonly observer: ServerObserver;
  /** Session ids are unique across the gateway. */
  readonly nextSessionId: () => number;
}

export function createServer(config: ServerConfig, deps: ServerDeps): GatewayServer {
  switch (config.protocol) {
    case 'modbus':
      return new ModbusServer(config, deps);
    case 'raw':
      return new RawServer(config, deps);
  }
}
