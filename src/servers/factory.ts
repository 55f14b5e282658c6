/**
 * Builds the server for a server config, by protocol (a Modbus server with `serial:` is an RTU slave
 * on that port).
 */
import type { ServerConfig } from '../config/types.js';
import { ModbusServer } from '../modbus/modbus-server.js';
import { ModbusSerialServer } from '../modbus/serial-server.js';
import { RawServer } from '../raw/raw-server.js';
import type { GatewayServer, ServerDeps } from './server.js';

export function createServer(config: ServerConfig, deps: ServerDeps): GatewayServer {
  switch (config.protocol) {
    case 'modbus':
      if (config.serial) return new ModbusSerialServer({ ...config, serial: config.serial }, deps);
      return new ModbusServer(config, deps);
    case 'raw':
      return new RawServer(config, deps);
  }
}
