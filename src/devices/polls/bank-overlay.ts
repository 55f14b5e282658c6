/**
 * What polls add to a bank that Modbus servers serve: ranges that are stale (their last poll failed)
 * and ranges written through to the device. Kept beside the bank, keyed by the Bank object, so the
 * request handler finds it without the bank knowing about devices; a bank without polls has none
 * and is served as before, at no cost.
 */
import type { Bank } from '../../bank/bank.js';
import type { Request } from '../../codec/pdu/index.js';
import type { RequestOrigin } from '../modbus/modbus-link.js';

export interface BankOverlay {
  /**
   * Serves `req` on the bank (`onBank` does the plain bank work), unless it reads a stale range
   * whose poll says `onStale: exception` (0B), or writes a write-through range (forwarded to the
   * device first; the bank is written, and the client answered, after the device accepted it).
   */
  execute(req: Request, pdu: Buffer, onBank: () => Buffer, origin?: RequestOrigin): Buffer | null | Promise<Buffer | null>;
}

const overlays = new WeakMap<Bank, BankOverlay>();

export function overlayOf(bank: Bank): BankOverlay | undefined {
  return overlays.get(bank);
}

export function setOverlay(bank: Bank, overlay: BankOverlay | undefined): void {
  if (overlay) overlays.set(bank, overlay);
  else overlays.delete(bank);
}
