/**
 * Modbus RTU application data unit (Modbus over Serial Line v1.02 §2.5):
 *
 *   unit(1)  PDU(1..253)  CRC(2, low byte first)          at most 256 bytes
 *
 * An RTU frame carries no length: a master finds the end of a reply from the length its function
 * code implies (`replyLength`), or, for function codes whose length it cannot know, from the
 * silence after the last byte. Pure: no timers, no I/O.
 */
import { crc16 } from './crc.js';

export const RTU_MAX_ADU = 256;
export const BROADCAST_UNIT = 0;

/** unit + PDU + CRC. */
export function encodeRtuFrame(unit: number, pdu: Buffer): Buffer {
  const adu = Buffer.allocUnsafe(pdu.length + 3);
  adu[0] = unit & 0xff;
  pdu.copy(adu, 1);
  const crc = crc16(adu, 0, pdu.length + 1);
  adu[pdu.length + 1] = crc & 0xff;
  adu[pdu.length + 2] = crc >>> 8;
  return adu;
}

/**
 * Total length of a reply frame that starts at `buf[start]` (unit, function, ...), from the bytes
 * seen so far:
 *   a number   the whole frame's length, CRC included;
 *   'more'     not enough bytes yet to tell;
 *   'unknown'  the function code does not say (the end is found by silence).
 */
export function replyLength(buf: Uint8Array, start: number, end: number): number | 'more' | 'unknown' {
  if (end - start < 2) return 'more';
  const fc = buf[start + 1] ?? 0;
  if (fc & 0x80) return 5;
  switch (fc) {
    case 1:
    case 2:
    case 3:
    case 4:
    case 12:
    case 17:
    case 20:
    case 21:
    case 23:
      return end - start < 3 ? 'more' : 3 + (buf[start + 2] ?? 0) + 2;
    case 5:
    case 6:
    case 8:
    case 11:
    case 15:
    case 16:
      return 8;
    case 7:
      return 5;
    case 22:
      return 10;
    case 24:
      return end - start < 4 ? 'more' : 4 + (((buf[start + 2] ?? 0) << 8) | (buf[start + 3] ?? 0)) + 2;
    default:
      return 'unknown';
  }
}

/**
 * Checks a reply PDU against the request it answers, beyond unit, function and CRC: the byte count
 * of a read, the echo of a write (address and value or quantity), the sub-function of a diagnostic,
 * the length of the fixed-size replies. A reply that fails this answers some other request (a late reply
 * to an earlier one, another master's traffic) and must not be delivered.
 */
export function replyFitsRequest(request: Buffer, reply: Buffer): boolean {
  const fc = request[0] ?? 0;
  const rfc = reply[0] ?? 0;
  if ((rfc & 0x7f) !== fc) return false;
  if (rfc & 0x80) return reply.length === 2;
  switch (fc) {
    case 1:
    case 2:
      return (
        request.length === 5 && reply[1] === (request.readUInt16BE(3) + 7) >> 3 && reply.length === 2 + (reply[1] ?? 0)
      );
    case 3:
    case 4:
      return request.length === 5 && reply[1] === 2 * request.readUInt16BE(3) && reply.length === 2 + (reply[1] ?? 0);
    case 23:
      return request.length >= 5 && reply[1] === 2 * request.readUInt16BE(3) && reply.length === 2 + (reply[1] ?? 0);
    case 5:
    case 6:
    case 22:
      return reply.equals(request);
    case 15:
    case 16:
      return reply.length === 5 && request.length >= 5 && reply.compare(request, 1, 5, 1, 5) === 0;
    case 7:
      return reply.length === 2;
    case 8:
      return reply.length >= 3 && request.length >= 3 && reply[1] === request[1] && reply[2] === request[2];
    case 11:
      return reply.length === 5;
    default:
      return true;
  }
}
