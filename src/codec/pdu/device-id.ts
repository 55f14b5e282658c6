/**
 * FC 43 / MEI 14: read device identification (Modbus Application Protocol §6.21).
 *
 *   request:  0x2B 0x0E readDeviceIdCode(1) objectId(1)
 *             readDeviceIdCode 1 basic (objects 0..2), 2 regular (0..6), 3 extended (0..6, 0x80..),
 *             4 one specific object
 *   response: 0x2B 0x0E readDeviceIdCode conformityLevel moreFollows nextObjectId count
 *             { objectId(1) length(1) value(length) } * count
 *
 * A stream request whose objectId is unknown restarts at object 0 (the spec says so); an individual
 * request (code 4) for an unknown object is exception 02. Objects that do not fit in one PDU are left
 * for the next request (moreFollows = 0xFF, nextObjectId).
 */
import { allocPdu } from './alloc.js';
import { exception, ExceptionCode, type ExceptionResult } from './exception.js';
import { MEI_READ_DEVICE_ID, type Decoded } from './types.js';

export const DeviceObject = {
  VendorName: 0x00,
  ProductCode: 0x01,
  MajorMinorRevision: 0x02,
  VendorUrl: 0x03,
  ProductName: 0x04,
  ModelName: 0x05,
  UserApplicationName: 0x06,
} as const;

/** The objects a server answers FC 43 / MEI 14 with: object id -> value. */
export type DeviceIdentity = ReadonlyMap<number, Buffer>;

/** Regular identification, stream and individual access. */
export const CONFORMITY_LEVEL = 0x82;
const MAX_PDU = 253;
const HEADER = 7;
const MAX_OBJECT_VALUE = MAX_PDU - HEADER - 2;

export function decodeDeviceIdRequest(pdu: Buffer): Decoded {
  if (pdu.length < 2) return exception(43, ExceptionCode.IllegalDataValue);
  if (pdu[1] !== MEI_READ_DEVICE_ID) return exception(43, ExceptionCode.IllegalFunction);
  if (pdu.length !== 4) return exception(43, ExceptionCode.IllegalDataValue);
  const code = pdu[2] ?? 0;
  if (code < 1 || code > 4) return exception(43, ExceptionCode.IllegalDataValue);
  return { fc: 43, readCode: code as 1 | 2 | 3 | 4, objectId: pdu[3] ?? 0 };
}

export function encodeDeviceIdRequest(readCode: 1 | 2 | 3 | 4, objectId: number): Buffer {
  return Buffer.from([43, MEI_READ_DEVICE_ID, readCode, objectId]);
}

/** Object ids a stream request of `readCode` covers, in order. */
function streamIds(readCode: 1 | 2 | 3, known: ReadonlyMap<number, Buffer>): number[] {
  const ids = [...known.keys()].sort((a, b) => a - b);
  if (readCode === 1) return ids.filter((id) => id <= 0x02);
  if (readCode === 2) return ids.filter((id) => id <= 0x7f);
  return ids;
}

/** `objects`: object id -> value bytes (ASCII). Returns the response PDU or an exception. */
export function encodeDeviceIdResponse(
  readCode: 1 | 2 | 3 | 4,
  objectId: number,
  objects: ReadonlyMap<number, Buffer>,
  headroom = 0,
): Buffer | ExceptionResult {
  let ids: number[];
  if (readCode === 4) {
    if (!objects.has(objectId)) return exception(43, ExceptionCode.IllegalDataAddress);
    ids = [objectId];
  } else {
    const all = streamIds(readCode, objects);
    const start = all.indexOf(objectId);
    ids = start >= 0 ? all.slice(start) : all;
  }
  const chosen: [number, Buffer][] = [];
  let size = HEADER;
  let next = 0;
  for (const id of ids) {
    const value = (objects.get(id) ?? Buffer.alloc(0)).subarray(0, MAX_OBJECT_VALUE);
    if (size + 2 + value.length > MAX_PDU) {
      next = id;
      break;
    }
    chosen.push([id, value]);
    size += 2 + value.length;
  }
  const buf = allocPdu(size, headroom);
  let o = headroom;
  buf[o++] = 43;
  buf[o++] = MEI_READ_DEVICE_ID;
  buf[o++] = readCode;
  buf[o++] = CONFORMITY_LEVEL;
  buf[o++] = next ? 0xff : 0x00;
  buf[o++] = next;
  buf[o++] = chosen.length;
  for (const [id, value] of chosen) {
    buf[o++] = id;
    buf[o++] = value.length;
    value.copy(buf, o);
    o += value.length;
  }
  return buf;
}

/** Decodes a device identification response into object id -> string; undefined if malformed. */
export function decodeDeviceIdResponse(pdu: Buffer): Map<number, string> | undefined {
  if (pdu.length < HEADER || pdu[0] !== 43 || pdu[1] !== MEI_READ_DEVICE_ID) return undefined;
  const count = pdu[6] ?? 0;
  const out = new Map<number, string>();
  let o = HEADER;
  for (let i = 0; i < count; i++) {
    const id = pdu[o];
    const len = pdu[o + 1];
    if (id === undefined || len === undefined || o + 2 + len > pdu.length) return undefined;
    out.set(id, pdu.toString('latin1', o + 2, o + 2 + len));
    o += 2 + len;
  }
  return o === pdu.length ? out : undefined;
}
