/** A `type: modbus-rtu` device: the device queue in front of fieldgate's own RTU transport. */
import type { ModbusRtuDeviceConfig } from '../../config/types.js';
import type { Logger } from '../../log.js';
import { ModbusLink } from './modbus-link.js';
import { RtuTransport } from './rtu-transport.js';
import type { PortOpener } from './serial-port.js';
import type { Backoff } from '../../transport/backoff.js';

export interface RtuLinkOptions {
  readonly open?: PortOpener;
  readonly turnaroundMs?: number;
  readonly backoff?: Backoff;
}

export function createRtuLink(config: ModbusRtuDeviceConfig, log: Logger, options: RtuLinkOptions = {}): ModbusLink {
  let link: ModbusLink | undefined;
  const transport = new RtuTransport({
    line: config,
    log,
    ...(config.lateReplyGuard !== undefined ? { lateReplyGuardMs: config.lateReplyGuard } : {}),
    ...options,
    onState: (state, error) => link?.onMasterChange(state, error),
  });
  link = new ModbusLink(config, transport, log);
  return link;
}
