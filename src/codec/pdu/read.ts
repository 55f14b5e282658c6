/**
 * FC 1 read coils, FC 2 read discrete inputs, FC 3 read holding registers, FC 4 read input registers.
 *
 *   request:  fc(1) address(2) quantity(2)
 *   response: fc(1) byteCount(1) data(byteCount)
 */
import { allocPdu } from './alloc.js';
import { byteCountForBits, packBits, unpackBits } from './bits.js';
import { exception, ExceptionCode } from './exception.js';
import type { Decoded, ReadBitsRequest, ReadRegistersRequest } from './types.js';

export const MAX_READ_BITS = 2000;
export const MAX_READ_REGISTERS = 125;

export function decodeReadRequest(pdu: Buffer): Decoded {
  const fc = pdu[0] as 1 | 2 | 3 | 4;
  if (pdu.length !== 5) return exception(fc, ExceptionCode.IllegalDataValue);
  const quantity = pdu.readUInt16BE(3);
  const max = fc <= 2 ? MAX_READ_BITS : MAX_READ_REGISTERS;
  if (quantity < 1 || quantity > max) return exception(fc, ExceptionCode.IllegalDataValue);
  const address = pdu.readUInt16BE(1);
  return fc <= 2 ? { fc: fc as 1 | 2, address, quantity } : { fc: fc as 3 | 4, address, quantity };
}

export function encodeReadRequest(req: ReadBitsRequest | ReadRegistersRequest): Buffer {
  const pdu = Buffer.allocUnsafe(5);
  pdu[0] = req.fc;
  pdu.writeUInt16BE(req.address, 1);
  pdu.writeUInt16BE(req.quantity, 3);
  return pdu;
}

/** `bits`: one element (0/1) per bit read. */
export function encodeReadBitsResponse(fc: 1 | 2, bits: ArrayLike<number>, headroom = 0): Buffer {
  const byteCount = byteCountForBits(bits.length);
  const buf = allocPdu(2 + byteCount, headroom);
  buf[headroom] = fc;
  buf[headroom + 1] = byteCount;
  packBits(bits, buf, headroom + 2);
  return buf;
}

/** `regs[from..from+count)` (default: all of `regs`), without a view of the table per reply. */
export function encodeReadRegistersResponse(
  fc: 3 | 4,
  regs: ArrayLike<number>,
  headroom = 0,
  from = 0,
  count = regs.length - from,
): Buffer {
  const n = count;
  const buf = allocPdu(2 + 2 * n, headroom);
  buf[headroom] = fc;
  buf[headroom + 1] = 2 * n;
  let o = headroom + 2;
  for (let i = from, end = from + n; i < end; i++) {
    const v = regs[i] ?? 0;
    buf[o++] = v >>> 8;
    buf[o++] = v & 0xff;
  }
  return buf;
}

/** Decodes a normal (non-exception) FC 1/2 response for `quantity` bits; undefined if malformed. */
export function decodeReadBitsResponse(pdu: Buffer, quantity: number): Uint8Array | undefined {
  const byteCount = byteCountForBits(quantity);
  if (pdu.length !== 2 + byteCount || pdu[1] !== byteCount) return undefined;
  const out = new Uint8Array(quantity);
  unpackBits(pdu, 2, quantity, out);
  return out;
}

/** Decodes a normal FC 3/4/23 response for `quantity` registers; undefined if malformed. */
export function decodeReadRegistersResponse(pdu: Buffer, quantity: number): Uint16Array | undefined {
  if (pdu.length !== 2 + 2 * quantity || pdu[1] !== 2 * quantity) return undefined;
  const out = new Uint16Array(quantity);
  for (let i = 0; i < quantity; i++) out[i] = pdu.readUInt16BE(2 + 2 * i);
  return out;
}
