/**
 * What polls add to a bank that Modbus servers serve: ranges that are stale (their last poll failed)
 * and ranges written through to the device (devices/polls/poll-overlay.ts). Held in the bank's
 * `overlay` slot, so the request handler finds it without the bank knowing about devices; a bank
 * without polls has none and is served as before, at no cost.
 */
import type { Request } from '../codec/pdu/index.js';

/** Who is asking, so that its queued requests can be dropped when it goes away. */
export interface RequestOrigin {
  readonly client: number;
  readonly signal?: AbortSignal;
}

export interface BankOverlay {
  /**
   * Serves `req` on the bank (`onBank` does the plain bank work), unless it reads a stale range
   * whose poll says `onStale: exception` (0B), or writes a write-through range (forwarded to the
   * device first; the bank is written, and the client answered, after the device accepted it).
   */
  execute(
    req: Request,
    pdu: Buffer,
    onBank: () => Buffer,
    origin?: RequestOrigin,
  ): Buffer | null | Promise<Buffer | null>;
}
