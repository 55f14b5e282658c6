/**
 * Sparkplug B payloads (spBv1.0, Sparkplug 3.0): encode the metrics fieldgate publishes, decode the
 * payloads a host sends (DCMD, NCMD). Pure: Buffers in and out, no I/O.
 *
 * The schema is Eclipse Tahu's sparkplug_b.proto (sparkplug-b-proto.ts), parsed once at load time with
 * protobufjs. Values go into the value field Sparkplug 3.0 assigns to each datatype:
 *   Int8 Int16 Int32 UInt8 UInt16 UInt32   int_value (uint32; a negative value as its two's complement)
 *   Int64 UInt64 DateTime                  long_value (uint64; a negative Int64 as its two's complement)
 *   Float float_value, Double double_value, Boolean boolean_value, String Text string_value
 *   a null value                           is_null = true, no value field
 * Decoding is lenient where hosts differ: a value is taken from whichever value field is set (UInt32 in
 * long_value, as Sparkplug 2.2 and Tahu's JavaScript and Java encoders write it, is accepted), and an
 * Int8/Int16 sent as an 8/16-bit two's complement (0xFB for -5) is read as negative too.
 */

import protobuf from 'protobufjs';
import { encodeFast } from './fast-encode.js';
import { SPARKPLUG_B_PROTO } from './sparkplug-b-proto.js';

/** Sparkplug datatype ids (the scalar ones; the proto's DataType enum has them all). */
export const DataType = {
  Unknown: 0,
  Int8: 1,
  Int16: 2,
  Int32: 3,
  Int64: 4,
  UInt8: 5,
  UInt16: 6,
  UInt32: 7,
  UInt64: 8,
  Float: 9,
  Double: 10,
  Boolean: 11,
  String: 12,
  DateTime: 13,
  Text: 14,
} as const;

export type MetricValue = number | bigint | boolean | string | null;

export interface SparkplugMetric {
  name?: string;
  alias?: number;
  /** Milliseconds since the epoch. */
  timestamp?: number;
  /** A DataType id; 0 when a received metric had none. */
  datatype: number;
  isHistorical?: boolean;
  isNull?: boolean;
  /**
   * null for a null metric. Decoded: a bytes, dataset, template or extension value (which fieldgate does
   * not use) is null as well, with isNull unset.
   */
  value: MetricValue;
}

export interface SparkplugPayload {
  timestamp?: number;
  seq?: number;
  metrics: SparkplugMetric[];
}

const PayloadType = protobuf
  .parse(SPARKPLUG_B_PROTO, { keepCase: true })
  .root.lookupType('org.eclipse.tahu.protobuf.Payload');

/** What protobufjs encodes a uint64 from: a number, or low/high 32-bit halves. */
interface LongBits {
  low: number;
  high: number;
  unsigned: boolean;
}

/** The plain object protobufjs encodes a metric from (field names as in the .proto: keepCase). */
interface ProtoMetric {
  name: string | undefined;
  alias: number | undefined;
  timestamp: number | undefined;
  datatype: number;
  is_historical: boolean | undefined;
  is_null: boolean | undefined;
  int_value?: number;
  long_value?: number | LongBits;
  float_value?: number;
  double_value?: number;
  boolean_value?: boolean;
  string_value?: string;
}

const TWO_32 = 4294967296;

function bigintBits(v: bigint): LongBits {
  const u = BigInt.asUintN(64, v);
  return { low: Number(u & 0xffffffffn) | 0, high: Number(u >> 32n) | 0, unsigned: true };
}

function describe(m: SparkplugMetric): string {
  return m.name !== undefined ? `metric "${m.name}"` : m.alias !== undefined ? `metric alias ${m.alias}` : 'metric';
}

function badValue(m: SparkplugMetric, expected: string): TypeError {
  return new TypeError(`sparkplug: ${describe(m)} of datatype ${m.datatype} needs ${expected}, got ${typeof m.value}`);
}

/** Sets the value field of `out` for `m`'s datatype. Throws on a value of the wrong JS type (a caller bug). */
function setValue(m: SparkplugMetric, out: ProtoMetric): void {
  const v = m.value;
  switch (m.datatype) {
    case DataType.Int8:
    case DataType.Int16:
    case DataType.Int32:
    case DataType.UInt8:
    case DataType.UInt16:
    case DataType.UInt32:
      if (typeof v === 'number') out.int_value = v >>> 0;
      else if (typeof v === 'bigint') out.int_value = Number(BigInt.asUintN(32, v));
      else throw badValue(m, 'a number');
      return;
    case DataType.Int64:
    case DataType.UInt64:
    case DataType.DateTime:
      if (typeof v === 'number') out.long_value = v;
      else if (typeof v === 'bigint') out.long_value = bigintBits(v);
      else throw badValue(m, 'a number or bigint');
      return;
    case DataType.Float:
    case DataType.Double:
      if (typeof v === 'number' || typeof v === 'bigint') {
        if (m.datatype === DataType.Float) out.float_value = Number(v);
        else out.double_value = Number(v);
      } else throw badValue(m, 'a number');
      return;
    case DataType.Boolean:
      if (typeof v !== 'boolean') throw badValue(m, 'a boolean');
      out.boolean_value = v;
      return;
    case DataType.String:
    case DataType.Text:
      if (typeof v !== 'string') throw badValue(m, 'a string');
      out.string_value = v;
      return;
    default:
      throw new TypeError(`sparkplug: ${describe(m)} has datatype ${m.datatype}, which this codec does not encode`);
  }
}

/**
 * Encodes a payload. Throws a TypeError only for a caller's mistake: a value whose JS type does not
 * fit its datatype, or a datatype other than the scalar ones in DataType.
 */
export function encodePayload(p: SparkplugPayload): Buffer {
  return encodeFast(p) ?? encodeProto(p);
}

/** The same through protobufjs: every payload (null metrics, bigints); the reference the fast one is tested against. */
export function encodeProto(p: SparkplugPayload): Buffer {
  const metrics = new Array<ProtoMetric>(p.metrics.length);
  for (let i = 0; i < p.metrics.length; i++) {
    const m = p.metrics[i]!;
    const isNull = m.value === null || m.isNull === true;
    const out: ProtoMetric = {
      name: m.name,
      alias: m.alias,
      timestamp: m.timestamp,
      datatype: m.datatype,
      is_historical: m.isHistorical,
      is_null: isNull ? true : undefined,
    };
    if (!isNull) setValue(m, out);
    metrics[i] = out;
  }
  const bytes = PayloadType.encode({ timestamp: p.timestamp, metrics, seq: p.seq }).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

// ---------------------------------------------------------------------------------------------------
// Decoding

/** A uint64 as protobufjs decodes it: a Long (low/high halves) or, without the long package, a number. */
type DecodedLong = number | { low: number; high: number };

/** A uint64 as a number when it is a safe integer, else a bigint; `signed` reads it as two's complement. */
function longValue(v: DecodedLong, signed: boolean): number | bigint {
  if (typeof v === 'number') return v;
  const n = (signed ? v.high | 0 : v.high >>> 0) * TWO_32 + (v.low >>> 0);
  if (Number.isSafeInteger(n)) return n;
  const u = (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  return signed ? BigInt.asIntN(64, u) : u;
}

/** A uint64 header field (timestamp, seq, alias) as a number. */
function longNumber(v: DecodedLong): number {
  return typeof v === 'number' ? v : (v.high >>> 0) * TWO_32 + (v.low >>> 0);
}

/** int_value read for `datatype`: signed types back to negative, others unsigned. */
function intValue(v: number, datatype: number): number {
  switch (datatype) {
    case DataType.Int8:
      return v >= 0x80 && v <= 0xff ? v - 0x100 : v | 0;
    case DataType.Int16:
      return v >= 0x8000 && v <= 0xffff ? v - 0x10000 : v | 0;
    case DataType.Int32:
      return v | 0;
    default:
      return v >>> 0;
  }
}

interface DecodedMetric {
  name?: string;
  alias?: DecodedLong;
  timestamp?: DecodedLong;
  datatype?: number;
  is_historical?: boolean;
  is_null?: boolean;
  /** The name of the oneof field that is set (protobufjs' virtual oneof property). */
  value?: string;
  int_value: number;
  long_value: DecodedLong;
  float_value: number;
  double_value: number;
  boolean_value: boolean;
  string_value: string;
}

interface DecodedPayload {
  timestamp?: DecodedLong;
  seq?: DecodedLong;
  metrics: DecodedMetric[];
}

function metricValue(m: DecodedMetric, datatype: number): MetricValue {
  switch (m.value) {
    case 'int_value':
      return intValue(m.int_value, datatype);
    case 'long_value':
      return longValue(m.long_value, datatype === DataType.Int64);
    case 'float_value':
      return m.float_value;
    case 'double_value':
      return m.double_value;
    case 'boolean_value':
      return m.boolean_value;
    case 'string_value':
      return m.string_value;
    default:
      return null;
  }
}

function convertMetric(m: DecodedMetric): SparkplugMetric {
  const datatype = Object.hasOwn(m, 'datatype') ? m.datatype! : 0;
  const isNull = Object.hasOwn(m, 'is_null') && m.is_null === true;
  const out: SparkplugMetric = { datatype, value: isNull ? null : metricValue(m, datatype) };
  if (Object.hasOwn(m, 'name')) out.name = m.name!;
  if (Object.hasOwn(m, 'alias')) out.alias = longNumber(m.alias!);
  if (Object.hasOwn(m, 'timestamp')) out.timestamp = longNumber(m.timestamp!);
  if (Object.hasOwn(m, 'is_historical')) out.isHistorical = m.is_historical!;
  if (isNull) out.isNull = true;
  return out;
}

/**
 * Decodes a payload. Never throws: malformed, truncated or otherwise unreadable bytes give
 * `{ error }` saying why.
 */
export function decodePayload(buf: Uint8Array): { payload: SparkplugPayload } | { error: string } {
  let decoded: DecodedPayload;
  try {
    decoded = PayloadType.decode(buf) as unknown as DecodedPayload;
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    return { error: `malformed Sparkplug B payload (${buf.length} bytes): ${why}` };
  }
  try {
    const metrics = decoded.metrics.map(convertMetric);
    const payload: SparkplugPayload = { metrics };
    if (Object.hasOwn(decoded, 'timestamp')) payload.timestamp = longNumber(decoded.timestamp!);
    if (Object.hasOwn(decoded, 'seq')) payload.seq = longNumber(decoded.seq!);
    return { payload };
  } catch (e) {
    // Not expected: the conversion reads only fields the schema declares. Kept so no input can throw.
    return { error: `unreadable Sparkplug B payload: ${e instanceof Error ? e.message : String(e)}` };
  }
}
