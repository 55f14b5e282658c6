/** The handler for a raw server's `handler:` config. */
import type { Bank } from '../../bank/bank.js';
import type { Framing, ProfileConfig, RawHandlerConfig } from '../../config/types.js';
import type { DeviceLink } from '../../devices/device.js';
import type { Logger } from '../../log.js';
import type { RawHandler } from '../handler.js';
import { BridgeHandler } from './bridge.js';
import { DeferredHandler } from './deferred.js';
import { EchoHandler } from './echo.js';
import { HubHandler } from './hub.js';
import { RecordHandler } from './record.js';

export interface HandlerDeps {
  readonly server: string;
  readonly devices: ReadonlyMap<string, DeviceLink>;
  readonly banks: ReadonlyMap<string, Bank>;
  readonly profiles: ReadonlyMap<string, ProfileConfig>;
  /** The server's framing, as its sessions cut frames (a decode handler cuts runs again with it). */
  readonly framing?: Framing;
  readonly log: Logger;
}

export function createRawHandler(config: RawHandlerConfig, deps: HandlerDeps): RawHandler {
  switch (config.kind) {
    case 'echo':
      return new EchoHandler();
    case 'hub':
      return new HubHandler();
    case 'bridge':
      return new BridgeHandler({ device: config.device, reply: config.reply, devices: deps.devices, log: deps.log });
    case 'record':
      return new RecordHandler({
        server: deps.server,
        dir: config.dir,
        maxFileSize: config.maxFileSize,
        maxTotalSize: config.maxTotalSize,
        log: deps.log,
      });
    case 'decode':
      return new DeferredHandler(async () => {
        const { DecodeHandler } = await import('./decode.js');
        return new DecodeHandler({
          profileName: config.profile,
          profile: deps.profiles.get(config.profile),
          ...(config.bank !== undefined ? { bank: config.bank } : {}),
          framing: deps.framing ?? { type: 'none' },
          banks: deps.banks,
          log: deps.log,
        });
      });
  }
}
