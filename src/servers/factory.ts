/**
 * Builds the server for a server config, by protocol.
 */
import type { ServerConfig } from '../config/types.js';
import { ModbusServer } from '../modbus/modbus-server.js';
import { RawServer } from '../raw/raw-server.js';
import type { GatewayServer, ServerDeps } from './server.js';

export function createServer(config: ServerConfig, deps: ServerDeps): GatewayServer {
  switch (config.protocol) {
    case 'modbus':
      return new ModbusServer(config, deps);
    case 'raw':
      return new RawServer(config, deps);
  }
}
