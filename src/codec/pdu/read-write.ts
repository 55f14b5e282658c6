/**
 * FC 23 read/write multiple registers. The write is performed before the read.
 *
 *   request:  fc(1) readAddress(2) readQuantity(2) writeAddress(2) writeQuantity(2) byteCount(1) data
 *             readQuantity 1..125, writeQuantity 1..121, byteCount = 2 * writeQuantity
 *   response: fc(1) byteCount(1) data(2 * readQuantity)   (encoded like FC 3)
 */
import { exception, ExceptionCode } from './exception.js';
import type { Decoded } from './types.js';

export const MAX_RW_READ = 125;
export const MAX_RW_WRITE = 121;

export function decodeReadWriteRequest(pdu: Buffer): Decoded {
  if (pdu.length < 10) return exception(23, ExceptionCode.IllegalDataValue);
  const readQuantity = pdu.readUInt16BE(3);
  const writeQuantity = pdu.readUInt16BE(7);
  const byteCount = pdu[9] ?? 0;
  if (
    readQuantity < 1 ||
    readQuantity > MAX_RW_READ ||
    writeQuantity < 1 ||
    writeQuantity > MAX_RW_WRITE ||
    byteCount !== 2 * writeQuantity ||
    pdu.length !== 10 + byteCount
  ) {
    return exception(23, ExceptionCode.IllegalDataValue);
  }
  return {
    fc: 23,
    readAddress: pdu.readUInt16BE(1),
    readQuantity,
    writeAddress: pdu.readUInt16BE(5),
    writeQuantity,
    data: pdu.subarray(10, 10 + byteCount),
  };
}

export function encodeReadWriteRequest(
  readAddress: number,
  readQuantity: number,
  writeAddress: number,
  values: ArrayLike<number>,
): Buffer {
  const pdu = Buffer.allocUnsafe(10 + 2 * values.length);
  pdu[0] = 23;
  pdu.writeUInt16BE(readAddress, 1);
  pdu.writeUInt16BE(readQuantity, 3);
  pdu.writeUInt16BE(writeAddress, 5);
  pdu.writeUInt16BE(values.length, 7);
  pdu[9] = 2 * values.length;
  for (let i = 0; i < values.length; i++) pdu.writeUInt16BE((values[i] ?? 0) & 0xffff, 10 + 2 * i);
  return pdu;
}
