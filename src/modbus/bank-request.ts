/**
 * One request PDU served by a bank: decoded (a bad request is an exception reply), then executed on
 * the bank through its overlay when polls put one there (stale ranges, writes through to the device).
 * A Modbus client's request and a write from the northbound side (an MQTT command) both come here, so
 * both are checked and applied the same way and tell the same listeners (commands, the publisher).
 */
import type { DeviceIdentity } from '../codec/pdu/device-id.js';
import { decodeRequest, exceptionReply } from '../codec/pdu/index.js';
import type { Bank } from '../bank/bank.js';
import type { RequestOrigin } from '../bank/bank-overlay.js';
import { executeOnBank } from './bank-executor.js';

/** A response PDU preceded by MBAP headroom; null = nothing to send. */
export function serveBank(
  bank: Bank,
  pdu: Buffer,
  identity: DeviceIdentity,
  origin?: RequestOrigin,
): Buffer | null | Promise<Buffer | null> {
  const decoded = decodeRequest(pdu);
  if ('exception' in decoded) return exceptionReply(decoded.fc, decoded.exception);
  const overlay = bank.overlay;
  if (overlay) return overlay.execute(decoded, pdu, () => executeOnBank(decoded, bank, identity), origin);
  return executeOnBank(decoded, bank, identity);
}
