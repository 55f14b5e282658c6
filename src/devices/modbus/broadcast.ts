/**
 * A request to unit 0 on an RTU bus is a broadcast: every slave executes it and none answers. Only
 * writes make sense that way; fieldgate answers the client itself once the frame is on the bus, with
 * the reply a single slave would give (the echo of FC 5, 6 and 22; function, address and quantity
 * of FC 15 and 16). Anything else (a read, FC 23, diagnostics) would wait for a reply that never
 * comes: it is answered 01 at once and never sent. Pure.
 */
import { ExceptionCode } from '../../codec/pdu/exception.js';

/** The reply to give once the broadcast is on the bus, or the exception to answer instead of sending it. */
export function broadcastReply(pdu: Buffer): Buffer | ExceptionCode {
  switch (pdu[0]) {
    case 5:
    case 6:
      return pdu.length === 5 ? Buffer.from(pdu) : ExceptionCode.IllegalDataValue;
    case 22:
      return pdu.length === 7 ? Buffer.from(pdu) : ExceptionCode.IllegalDataValue;
    case 15:
    case 16:
      return pdu.length >= 7 && pdu.length === 6 + (pdu[5] ?? 0)
        ? Buffer.from(pdu.subarray(0, 5))
        : ExceptionCode.IllegalDataValue;
    default:
      return ExceptionCode.IllegalFunction;
  }
}
