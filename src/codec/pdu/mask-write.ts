/**
 * FC 22 mask write register.
 *
 *   request:  fc(1) address(2) andMask(2) orMask(2)
 *   result:   (current AND andMask) OR (orMask AND (NOT andMask))
 *   response: an echo of the request
 */
import { allocPdu } from './alloc.js';
import { exception, ExceptionCode } from './exception.js';
import type { Decoded, MaskWriteRegisterRequest } from './types.js';

export function decodeMaskWriteRequest(pdu: Buffer): Decoded {
  if (pdu.length !== 7) return exception(22, ExceptionCode.IllegalDataValue);
  return { fc: 22, address: pdu.readUInt16BE(1), andMask: pdu.readUInt16BE(3), orMask: pdu.readUInt16BE(5) };
}

export function applyMask(current: number, andMask: number, orMask: number): number {
  return ((current & andMask) | (orMask & ~andMask)) & 0xffff;
}

export function encodeMaskWrite(req: Omit<MaskWriteRegisterRequest, 'fc'>, headroom = 0): Buffer {
  const buf = allocPdu(7, headroom);
  buf[headroom] = 22;
  buf.writeUInt16BE(req.address, headroom + 1);
  buf.writeUInt16BE(req.andMask, headroom + 3);
  buf.writeUInt16BE(req.orMask, headroom + 5);
  return buf;
}
