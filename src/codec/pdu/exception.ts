/**
 * Modbus exception responses (Modbus Application Protocol v1.1b3 §7). An exception is a value that
 * is encoded and sent to the peer, never a thrown error.
 */
import { MBAP_HEADER_LENGTH } from '../mbap.js';

export const ExceptionCode = {
  IllegalFunction: 0x01,
  IllegalDataAddress: 0x02,
  IllegalDataValue: 0x03,
  ServerDeviceFailure: 0x04,
  Acknowledge: 0x05,
  ServerBusy: 0x06,
  GatewayPathUnavailable: 0x0a,
  GatewayTargetFailed: 0x0b,
} as const;

export type ExceptionCode = (typeof ExceptionCode)[keyof typeof ExceptionCode];

/** A request that must be answered with an exception, before or during execution. */
export interface ExceptionResult {
  readonly exception: ExceptionCode;
  readonly fc: number;
}

export function exception(fc: number, code: ExceptionCode): ExceptionResult {
  return { exception: code, fc };
}

/** Exception PDU: function code with the high bit set, then the exception code (ours, or a device's). */
export function encodeException(fc: number, code: number): Buffer {
  const pdu = Buffer.allocUnsafe(2);
  pdu[0] = (fc | 0x80) & 0xff;
  pdu[1] = code & 0xff;
  return pdu;
}

/**
 * An exception response as request handlers return it: the exception PDU behind MBAP headroom (the
 * session writes the header there). Every server-side exception reply is built here.
 */
export function exceptionReply(fc: number, code: number): Buffer {
  const reply = Buffer.allocUnsafe(MBAP_HEADER_LENGTH + 2);
  reply[MBAP_HEADER_LENGTH] = (fc | 0x80) & 0xff;
  reply[MBAP_HEADER_LENGTH + 1] = code & 0xff;
  return reply;
}

/** True when a response PDU is an exception response. */
export function isExceptionPdu(pdu: Buffer): boolean {
  return pdu.length >= 1 && ((pdu[0] ?? 0) & 0x80) !== 0;
}

const NAMES: Readonly<Record<number, string>> = {
  0x01: 'illegal function',
  0x02: 'illegal data address',
  0x03: 'illegal data value',
  0x04: 'server device failure',
  0x05: 'acknowledge',
  0x06: 'server busy',
  0x0a: 'gateway path unavailable',
  0x0b: 'gateway target device failed to respond',
};

export function exceptionName(code: number): string {
  return NAMES[code] ?? `exception 0x${code.toString(16).padStart(2, '0')}`;
}
