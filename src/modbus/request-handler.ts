/**
 * What a Modbus server does with one request PDU for one unit id: route it, check it, execute it.
 * Returns the response PDU with MBAP headroom, synchronously for banks (or a promise, for routes to
 * devices). Never throws for anything a peer can send.
 */
import { decodeRequest, ExceptionCode, isWriteFunction } from '../codec/pdu/index.js';
import { exceptionReply, executeOnBank } from './bank-executor.js';
import type { DeviceIdentity } from './device-identity.js';
import type { UnitRouter } from './unit-router.js';

/** A reply: response PDU preceded by MBAP headroom; null = send nothing (broadcast). */
export type Reply = Buffer | null;

export type RequestHandler = (unit: number, pdu: Buffer) => Reply | Promise<Reply>;

export interface HandlerOptions {
  readonly readOnly: boolean;
  readonly identity: DeviceIdentity;
}

export function createRequestHandler(router: UnitRouter, options: HandlerOptions): RequestHandler {
  const { readOnly, identity } = options;
  return (unit, pdu) => {
    const fc = pdu[0] ?? 0;
    const route = router.resolve(unit);
    if (!route) return exceptionReply(fc, ExceptionCode.GatewayPathUnavailable);
    if (readOnly && isWriteFunction(fc)) return exceptionReply(fc, ExceptionCode.IllegalFunction);
    if (route.kind === 'device') {
      // Southbound device links are not part of this build: the path is unavailable.
      return exceptionReply(fc, ExceptionCode.GatewayPathUnavailable);
    }
    const decoded = decodeRequest(pdu);
    if ('exception' in decoded) return exceptionReply(decoded.fc, decoded.exception);
    return executeOnBank(decoded, route.bank, identity);
  };
}
