/** The framing a decoding server or device uses: its own, or the profile's when it sets none. */
import type { Framing, ProfileConfig } from '../../config/types.js';

export function decodeFraming(own: Framing, profile: ProfileConfig | undefined): Framing {
  return own.type === 'none' && profile !== undefined ? profile.framing : own;
}
