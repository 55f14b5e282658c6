/**
 * One request PDU served by a bank: decoded (a bad request is an exception reply), then executed on
 * the bank through its overlay when polls put one there (stale ranges, writes through to the device).
 * A Modbus client's request and a write from the northbound side (an MQTT command) both come here, so
 * both are checked and applied the same way and tell the same listeners (commands, the publisher).
 * `pdu` need be valid only during the call (a session hands a view of its read buffer).
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
  const overlay = bank.overlay;
  // A write through to a device is executed on the bank after the device's reply, when `pdu` (a view
  // of the session's reused read buffer) may hold later bytes: an overlay gets a copy of its own.
  const own = overlay ? Buffer.from(pdu) : pdu;
  const decoded = decodeRequest(own);
  if ('exception' in decoded) return exceptionReply(decoded.fc, decoded.exception);
  if (overlay) return overlay.execute(decoded, own, () => executeOnBank(decoded, bank, identity), origin);
  return executeOnBank(decoded, bank, identity);
}
