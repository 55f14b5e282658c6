/** A `type: modbus-tcp` device: the device queue in front of its lanes (one connection per port). */
import type { ModbusTcpDeviceConfig } from '../../config/types.js';
import type { Logger } from '../../log.js';
import type { Backoff } from '../../transport/backoff.js';
import { ModbusLink } from './modbus-link.js';
import { TcpLanes } from './tcp-lanes.js';

export interface TcpLinkOptions {
  readonly backoff?: () => Backoff;
}

export function createTcpLink(config: ModbusTcpDeviceConfig, log: Logger, options: TcpLinkOptions = {}): ModbusLink {
  let link: ModbusLink | undefined;
  const lanes = new TcpLanes({
    host: config.host,
    ports: config.ports,
    depth: config.maxInFlight,
    log,
    ...options,
    onState: (state, error) => link?.onMasterChange(state, error),
  });
  link = new ModbusLink(config, lanes, log);
  return link;
}
