/**
 * What a simulated PLC sends and expects: its register block as Modbus TCP FC16 requests (split at
 * the spec's 123 registers per request), and the check of each reply against its request. Pure,
 * built on fieldgate's own MBAP and PDU codecs.
 */
import { encodeAdu, MBAP_HEADER_LENGTH, readMbapHeader } from '../codec/mbap.js';
import { exceptionName, MAX_WRITE_REGISTERS } from '../codec/pdu/index.js';
import { encodeWriteRegistersRequest } from '../codec/pdu/write-multiple.js';

export interface WriteRequest {
  readonly transactionId: number;
  readonly address: number;
  readonly quantity: number;
  readonly adu: Buffer;
}

/**
 * FC16 requests writing `registers` from `address` for `unit`, transaction ids from `firstId` (wrapping at 16 bits).
 */
export function writeRequests(registers: Uint16Array, address: number, unit: number, firstId: number): WriteRequest[] {
  const out: WriteRequest[] = [];
  for (let i = 0, n = 0; i < registers.length; i += MAX_WRITE_REGISTERS, n++) {
    const part = registers.subarray(i, i + MAX_WRITE_REGISTERS);
    const transactionId = (firstId + n) & 0xffff;
    const pdu = encodeWriteRegistersRequest(address + i, part);
    out.push({ transactionId, address: address + i, quantity: part.length, adu: encodeAdu(transactionId, unit, pdu) });
  }
  return out;
}

/** undefined: the reply acknowledges `req`; else what is wrong with it. */
export function checkWriteReply(frame: Buffer, req: WriteRequest): string | undefined {
  const header = readMbapHeader(frame);
  if (header.transactionId !== req.transactionId)
    return `reply to transaction ${header.transactionId}, expected ${req.transactionId}`;
  const pdu = frame.subarray(MBAP_HEADER_LENGTH);
  const fc = pdu[0];
  if (fc === 0x90 && pdu.length === 2) return `exception ${pdu[1]} (${exceptionName(pdu[1] ?? 0)})`;
  if (fc !== 16 || pdu.length !== 5) return `not an FC16 reply (function ${fc}, ${pdu.length} bytes)`;
  if (pdu.readUInt16BE(1) !== req.address || pdu.readUInt16BE(3) !== req.quantity) {
    return `reply echoes address ${pdu.readUInt16BE(1)} x ${pdu.readUInt16BE(3)}, expected ${req.address} x ${req.quantity}`;
  }
  return undefined;
}
