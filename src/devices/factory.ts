/**
 * Builds the device link for a device config. Device types whose links are not part of this build
 * return undefined (the gateway logs it; units routed to them answer exception 0A).
 */
import type { DeviceConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import type { DeviceLink } from './device.js';

export interface DeviceDeps {
  readonly log: Logger;
}

export function createDevice(_config: DeviceConfig, _deps: DeviceDeps): DeviceLink | undefined {
  return undefined;
}
