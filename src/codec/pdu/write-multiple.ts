/**
 * FC 15 write multiple coils, FC 16 write multiple registers.
 *
 *   request:  fc(1) address(2) quantity(2) byteCount(1) data(byteCount)
 *             FC 15: quantity 1..1968, byteCount = ceil(quantity / 8)
 *             FC 16: quantity 1..123,  byteCount = 2 * quantity
 *   response: fc(1) address(2) quantity(2)
 */
import { allocPdu } from './alloc.js';
import { byteCountForBits, packBits } from './bits.js';
import { exception, ExceptionCode } from './exception.js';
import type { Decoded } from './types.js';

export const MAX_WRITE_COILS = 1968;
export const MAX_WRITE_REGISTERS = 123;

export function decodeWriteMultipleRequest(pdu: Buffer): Decoded {
  const fc = pdu[0] as 15 | 16;
  if (pdu.length < 6) return exception(fc, ExceptionCode.IllegalDataValue);
  const address = pdu.readUInt16BE(1);
  const quantity = pdu.readUInt16BE(3);
  const byteCount = pdu[5] ?? 0;
  const max = fc === 15 ? MAX_WRITE_COILS : MAX_WRITE_REGISTERS;
  const expected = fc === 15 ? byteCountForBits(quantity) : 2 * quantity;
  if (quantity < 1 || quantity > max || byteCount !== expected || pdu.length !== 6 + byteCount) {
    return exception(fc, ExceptionCode.IllegalDataValue);
  }
  const data = pdu.subarray(6, 6 + byteCount);
  return fc === 15 ? { fc, address, quantity, data } : { fc, address, quantity, data };
}

/** FC 15 request from unpacked bits (0/1 per element). */
export function encodeWriteCoilsRequest(address: number, bits: ArrayLike<number>): Buffer {
  const byteCount = byteCountForBits(bits.length);
  const pdu = Buffer.allocUnsafe(6 + byteCount);
  pdu[0] = 15;
  pdu.writeUInt16BE(address, 1);
  pdu.writeUInt16BE(bits.length, 3);
  pdu[5] = byteCount;
  packBits(bits, pdu, 6);
  return pdu;
}

/** FC 16 request from register values. */
export function encodeWriteRegistersRequest(address: number, values: ArrayLike<number>): Buffer {
  const pdu = Buffer.allocUnsafe(6 + 2 * values.length);
  pdu[0] = 16;
  pdu.writeUInt16BE(address, 1);
  pdu.writeUInt16BE(values.length, 3);
  pdu[5] = 2 * values.length;
  for (let i = 0; i < values.length; i++) pdu.writeUInt16BE((values[i] ?? 0) & 0xffff, 6 + 2 * i);
  return pdu;
}

export function encodeWriteMultipleResponse(fc: 15 | 16, address: number, quantity: number, headroom = 0): Buffer {
  const buf = allocPdu(5, headroom);
  buf[headroom] = fc;
  buf.writeUInt16BE(address, headroom + 1);
  buf.writeUInt16BE(quantity, headroom + 3);
  return buf;
}
