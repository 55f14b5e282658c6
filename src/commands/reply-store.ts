/**
 * How a command stores its device's reply: the reply profile compiled against the command's bank
 * (src/bank/profile-store.ts), compiled again when the bank's points were redefined by a reload.
 */
import type { Bank } from '../bank/bank.js';
import { compileStore, type ProfileStore } from '../bank/profile-store.js';
import type { ProfileConfig } from '../config/types.js';

/** Decodes one reply frame into the bank: undefined when stored, else why it was refused. */
export type ReplyStore = (frame: Buffer) => string | undefined;

export function replyStore(profile: ProfileConfig | undefined, name: string, bank: Bank): ReplyStore {
  if (profile === undefined) return () => `profile "${name}" is not loaded`;
  let compiled: ProfileStore = compileStore(profile, bank);
  return (frame) => {
    if (compiled.stale) compiled = compileStore(profile, bank);
    return compiled.store(frame);
  };
}
