/**
 * The hot path of Sparkplug B encoding: a payload whose metrics are the scalar types fieldgate's
 * points publish (Int8..UInt32, Float, Double, Boolean, String, Text; UInt64/Int64/DateTime from a
 * safe non-negative number) written straight into one Buffer, with no object per metric. It writes
 * exactly the bytes protobufjs writes for the same payload from Tahu's proto (fields in number
 * order, only those present, minimal varints): the tests compare the two byte for byte. Anything
 * else (null metrics, bigints, negative 64-bit values) returns undefined and goes through protobufjs.
 */
import type { SparkplugMetric, SparkplugPayload } from './payload.js';

const enum Wire {
  Varint = 0,
  Fixed64 = 1,
  Bytes = 2,
  Fixed32 = 5,
}

/** Bytes of `v` as a varint (v a non-negative integer up to 2^53). */
function varintSize(v: number): number {
  let n = 1;
  while (v >= 128) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** The value field (number, wire type) of a metric this encoder takes, or undefined. */
function valueField(m: SparkplugMetric): 10 | 11 | 12 | 13 | 14 | 15 | undefined {
  const v = m.value;
  switch (m.datatype) {
    case 1:
    case 2:
    case 3:
    case 5:
    case 6:
    case 7:
      return typeof v === 'number' ? 10 : undefined;
    case 4:
    case 8:
    case 13:
      return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? 11 : undefined;
    case 9:
      return typeof v === 'number' ? 12 : undefined;
    case 10:
      return typeof v === 'number' ? 13 : undefined;
    case 11:
      return typeof v === 'boolean' ? 14 : undefined;
    case 12:
    case 14:
      return typeof v === 'string' ? 15 : undefined;
    default:
      return undefined;
  }
}

const key = (field: number, wire: Wire) => (field << 3) | wire;

/** Integer-valued, non-negative, safe: a uint64 varint protobufjs writes the same way. */
const isUint = (v: number | undefined): v is number => v !== undefined && Number.isSafeInteger(v) && v >= 0;

/** Encodes `p`, or undefined when a metric needs protobufjs (see above). */
export function encodeFast(p: SparkplugPayload): Buffer | undefined {
  const metrics = p.metrics;
  const sizes = new Array<number>(metrics.length);
  const fields = new Array<number>(metrics.length);
  if ((p.timestamp !== undefined && !isUint(p.timestamp)) || (p.seq !== undefined && !isUint(p.seq))) return undefined;
  let total = 0;
  if (p.timestamp !== undefined) total += 1 + varintSize(p.timestamp);
  for (let i = 0; i < metrics.length; i++) {
    const m = metrics[i] as SparkplugMetric;
    const field = m.isNull === true ? undefined : valueField(m);
    if (field === undefined) return undefined;
    if ((m.alias !== undefined && !isUint(m.alias)) || (m.timestamp !== undefined && !isUint(m.timestamp)))
      return undefined;
    let size = 0;
    if (m.name !== undefined) {
      const n = Buffer.byteLength(m.name);
      size += 1 + varintSize(n) + n;
    }
    if (m.alias !== undefined) size += 1 + varintSize(m.alias);
    if (m.timestamp !== undefined) size += 1 + varintSize(m.timestamp);
    size += 1 + varintSize(m.datatype);
    if (m.isHistorical !== undefined) size += 2;
    const v = m.value;
    if (field === 10) size += 1 + varintSize((v as number) >>> 0);
    else if (field === 11) size += 1 + varintSize(v as number);
    else if (field === 12) size += 5;
    else if (field === 13) size += 9;
    else if (field === 14) size += 2;
    else {
      const n = Buffer.byteLength(v as string);
      size += 1 + varintSize(n) + n;
    }
    sizes[i] = size;
    fields[i] = field;
    total += 1 + varintSize(size) + size;
  }
  if (p.seq !== undefined) total += 1 + varintSize(p.seq);
  const out = Buffer.allocUnsafe(total);
  let pos = 0;
  const varint = (v: number): void => {
    while (v >= 128) {
      out[pos++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    out[pos++] = v;
  };
  const text = (field: number, s: string): void => {
    out[pos++] = key(field, Wire.Bytes);
    varint(Buffer.byteLength(s));
    pos += out.write(s, pos);
  };
  if (p.timestamp !== undefined) {
    out[pos++] = key(1, Wire.Varint);
    varint(p.timestamp);
  }
  for (let i = 0; i < metrics.length; i++) {
    const m = metrics[i] as SparkplugMetric;
    out[pos++] = key(2, Wire.Bytes);
    varint(sizes[i] as number);
    if (m.name !== undefined) text(1, m.name);
    if (m.alias !== undefined) {
      out[pos++] = key(2, Wire.Varint);
      varint(m.alias);
    }
    if (m.timestamp !== undefined) {
      out[pos++] = key(3, Wire.Varint);
      varint(m.timestamp);
    }
    out[pos++] = key(4, Wire.Varint);
    varint(m.datatype);
    if (m.isHistorical !== undefined) {
      out[pos++] = key(5, Wire.Varint);
      out[pos++] = m.isHistorical ? 1 : 0;
    }
    const v = m.value;
    switch (fields[i]) {
      case 10:
        out[pos++] = key(10, Wire.Varint);
        varint((v as number) >>> 0);
        break;
      case 11:
        out[pos++] = key(11, Wire.Varint);
        varint(v as number);
        break;
      case 12:
        out[pos++] = key(12, Wire.Fixed32);
        pos = out.writeFloatLE(v as number, pos);
        break;
      case 13:
        out[pos++] = key(13, Wire.Fixed64);
        pos = out.writeDoubleLE(v as number, pos);
        break;
      case 14:
        out[pos++] = key(14, Wire.Varint);
        out[pos++] = v ? 1 : 0;
        break;
      default:
        text(15, v as string);
    }
  }
  if (p.seq !== undefined) {
    out[pos++] = key(3, Wire.Varint);
    varint(p.seq);
  }
  return out;
}
