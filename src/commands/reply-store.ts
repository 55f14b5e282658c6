/**
 * How a command stores its device's reply: the reply profile compiled against the command's bank.
 */
import type { Bank } from '../bank/bank.js';
import type { ProfileConfig } from '../config/types.js';

/** Decodes one reply frame into the bank: undefined when stored, else why it was refused. */
export type ReplyStore = (frame: Buffer) => string | undefined;

export function replyStore(profile: ProfileConfig | undefined, name: string, _bank: Bank): ReplyStore {
  if (profile === undefined) return () => `profile "${name}" is not loaded`;
  return () => 'reply decoding is not available in this build';
}
