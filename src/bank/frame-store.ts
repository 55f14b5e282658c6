/** What a profile compiled against one bank is (profile-store.ts compiles it, frame-stores.ts has both kinds). */
import type { ProfileConfig } from '../config/types.js';
import type { Bank } from './bank.js';

export interface ProfileStore {
  readonly profile: ProfileConfig;
  readonly bank: Bank;
  /** Stores every field of `frame`; returns why the frame was refused (then nothing is stored). */
  store(frame: Buffer, at?: number): string | undefined;
  /** The same for the frame `buf[start, end)`, read in place. */
  storeRange(buf: Buffer, start: number, end: number, at?: number): string | undefined;
  /** True when the bank's points were redefined since compiling (a reload): compile again. */
  readonly stale: boolean;
}
