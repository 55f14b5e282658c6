/**
 * A raw device with `decode: { profile, bank }`: what the device sends is decoded with the profile
 * into the bank (besides going to any bridge that uses the device). The link cuts frames with the
 * device's framing, or the profile's when the device sets none.
 */
import { FrameDecoder } from '../bank/frame-decoder.js';
import { decodeFraming } from '../codec/framers/decode-framing.js';
import type { Bank } from '../bank/bank.js';
import type { ProfileConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import type { LineOpener } from '../transport/line.js';
import { RawDeviceLink, type RawDeviceConfig } from './raw-link.js';

export function createRawLink(
  config: RawDeviceConfig,
  opener: LineOpener,
  deps: {
    readonly log: Logger;
    readonly banks: ReadonlyMap<string, Bank>;
    readonly profiles: ReadonlyMap<string, ProfileConfig>;
  },
): RawDeviceLink {
  const decode = config.decode;
  if (decode === undefined) return new RawDeviceLink(config, opener, deps.log);
  const profile = deps.profiles.get(decode.profile);
  const framing = decodeFraming(config.framing, profile);
  const link = new RawDeviceLink(framing === config.framing ? config : { ...config, framing }, opener, deps.log);
  if (profile === undefined) {
    deps.log.error(
      { profile: decode.profile },
      'decode: the profile is not loaded: nothing the device sends is stored',
    );
    return link;
  }
  const decoder = new FrameDecoder(profile, framing, deps.banks, deps.log);
  link.decoded = decoder.counters;
  link.subscribe({
    frames: (chunks, frames) => decoder.decode(decode.bank, chunks, frames),
    drain: () => undefined,
    state: (state) => {
      if (state !== 'up') return;
      const { stored, refused } = decoder.counters;
      deps.log.debug({ stored, refused }, 'decode: device up');
    },
  });
  return link;
}
