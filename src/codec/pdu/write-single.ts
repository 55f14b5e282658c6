/**
 * FC 5 write single coil, FC 6 write single register.
 *
 *   request:  fc(1) address(2) value(2)      FC 5 value: 0xFF00 = on, 0x0000 = off, nothing else
 *   response: an echo of the request
 */
import { allocPdu } from './alloc.js';
import { exception, ExceptionCode } from './exception.js';
import type { Decoded, WriteSingleCoilRequest, WriteSingleRegisterRequest } from './types.js';

export const COIL_ON = 0xff00;
export const COIL_OFF = 0x0000;

export function decodeWriteSingleRequest(pdu: Buffer): Decoded {
  const fc = pdu[0] as 5 | 6;
  if (pdu.length !== 5) return exception(fc, ExceptionCode.IllegalDataValue);
  const address = pdu.readUInt16BE(1);
  const raw = pdu.readUInt16BE(3);
  if (fc === 6) return { fc, address, value: raw };
  if (raw !== COIL_ON && raw !== COIL_OFF) return exception(fc, ExceptionCode.IllegalDataValue);
  return { fc, address, value: raw === COIL_ON ? 1 : 0 };
}

export function encodeWriteSingleRequest(req: WriteSingleCoilRequest | WriteSingleRegisterRequest): Buffer {
  return encodeWriteSingleResponse(req, 0);
}

/** The response is an echo of the request. */
export function encodeWriteSingleResponse(
  req: WriteSingleCoilRequest | WriteSingleRegisterRequest,
  headroom = 0,
): Buffer {
  const buf = allocPdu(5, headroom);
  buf[headroom] = req.fc;
  buf.writeUInt16BE(req.address, headroom + 1);
  buf.writeUInt16BE(req.fc === 5 ? (req.value ? COIL_ON : COIL_OFF) : req.value, headroom + 3);
  return buf;
}
