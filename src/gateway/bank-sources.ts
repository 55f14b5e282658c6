/**
 * Whether a bank's source is there: a bank filled by polls is alive while one of its polls is fresh;
 * a bank filled by a decoding raw device, while that device is up. A bank with neither (written by
 * Modbus clients, raw servers' decoders or a simulator) is always alive. The MQTT publisher marks a
 * dead bank's Sparkplug device with DDEATH, and births it again when the source is back.
 */
import type { GatewayConfig } from '../config/types.js';
import type { DeviceLink } from '../devices/device.js';
import type { PollStatus } from '../devices/modbus/modbus-status.js';

export function bankAlive(
  bank: string,
  config: GatewayConfig,
  polls: readonly PollStatus[],
  devices: ReadonlyMap<string, DeviceLink>,
): boolean {
  const polled = config.polls.flatMap((p, i) => (p.into.bank === bank ? [i] : []));
  const decoders = config.devices.filter((d) => 'decode' in d && d.decode?.bank === bank);
  if (polled.length === 0 && decoders.length === 0) return true;
  if (polled.some((i) => polls[i] !== undefined && !polls[i].stale)) return true;
  return decoders.some((d) => devices.get(d.name)?.status().state === 'up');
}
