/**
 * What a Modbus server does with one request PDU for one unit id: route it, check it, execute it.
 * Returns the response PDU with MBAP headroom, synchronously for banks, or a promise for routes to
 * devices (and writes into polled ranges with write-through). Never throws for anything a peer can
 * send.
 */
import { MBAP_HEADER_LENGTH } from '../codec/mbap.js';
import type { DeviceIdentity } from '../codec/pdu/device-id.js';
import { ExceptionCode, exceptionReply } from '../codec/pdu/index.js';
import type { DeviceLink } from '../devices/device.js';
import { isModbusLink, type RequestOrigin } from '../devices/modbus/modbus-link.js';
import { serveBank } from './bank-request.js';
import { readOnlyAllows } from './read-only.js';
import type { UnitRoute, UnitRouter } from './unit-router.js';

/** A reply: response PDU preceded by MBAP headroom; null = send nothing (broadcast). */
export type Reply = Buffer | null;

export type { RequestOrigin } from '../devices/modbus/modbus-link.js';

/**
 * `origin`: the session asking (its queued device requests are dropped when it closes). `pdu` is valid
 * only during the call (a view of the session's reused read buffer): what answers later copies it.
 */
export type RequestHandler = (unit: number, pdu: Buffer, origin?: RequestOrigin) => Reply | Promise<Reply>;

export interface HandlerOptions {
  /** Only the functions read-only.ts allows; the rest are answered 01 and never forwarded. */
  readonly readOnly: boolean;
  readonly identity: DeviceIdentity;
  /** The gateway's device links, for units routed to a device; absent = every route answers 0A. */
  readonly devices?: ReadonlyMap<string, DeviceLink>;
}

export function createRequestHandler(router: UnitRouter, options: HandlerOptions): RequestHandler {
  const { readOnly, identity, devices } = options;
  return (unit, pdu, origin) => {
    const fc = pdu[0] ?? 0;
    const route = router.resolve(unit);
    if (!route) return exceptionReply(fc, ExceptionCode.GatewayPathUnavailable);
    if (readOnly && !readOnlyAllows(pdu)) return exceptionReply(fc, ExceptionCode.IllegalFunction);
    if (route.kind === 'device') return forward(devices, route, pdu, origin);
    return serveBank(route.bank, pdu, identity, origin);
  };
}

/**
 * A route: the raw PDU goes to the device as it is (any function code); its reply comes back as it
 * is. The link shares identical reads and, with the route's `cache`, answers from a young reply.
 */
function forward(
  devices: ReadonlyMap<string, DeviceLink> | undefined,
  route: Extract<UnitRoute, { kind: 'device' }>,
  pdu: Buffer,
  origin: RequestOrigin | undefined,
): Reply | Promise<Reply> {
  const link = devices?.get(route.device);
  if (!isModbusLink(link)) return exceptionReply(pdu[0] ?? 0, ExceptionCode.GatewayPathUnavailable);
  // The PDU may be a view into the session's read buffer: the device keeps its own copy.
  return link.request(route.unit, Buffer.from(pdu), origin, { cacheMs: route.cache }).then(withHeadroom);
}

/** A device's reply PDU behind MBAP headroom; null stays null (nothing is sent). */
export function withHeadroom(pdu: Buffer | null): Reply {
  if (pdu === null) return null;
  const reply = Buffer.allocUnsafe(MBAP_HEADER_LENGTH + pdu.length);
  pdu.copy(reply, MBAP_HEADER_LENGTH);
  return reply;
}
