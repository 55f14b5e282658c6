/**
 * fieldgate's codec against Eclipse Tahu's own JavaScript codec, sparkplug-payload 1.0.3 (its own
 * protobufjs 6 and long), used here as the independent decoder and as a SCADA host's encoder.
 *
 * Where sparkplug-payload differs from Sparkplug 3.0 (asserted below as it behaves):
 * - UInt32: it writes and reads long_value (the 2.2 layout); 3.0 puts UInt32 in int_value, as
 *   fieldgate does. So it decodes fieldgate's UInt32 as null (its unset long_value), while the
 *   int_value on the wire holds the right value. A host built on sparkplug-payload sees no UInt32.
 * - Int64 and UInt32 values come back as its raw unsigned Long (its `instanceof Long` test fails
 *   against the Long its protobufjs builds), so a negative Int64 reads as 2^64 + value.
 * - Negative Int8/Int16/Int32 agree with 3.0: int_value holds the uint32 two's complement and it
 *   reads it back through an Int32Array.
 */
import sparkplug from 'sparkplug-payload';
import { describe, expect, it } from 'vitest';
import {
  DataType,
  decodePayload,
  encodePayload,
  type SparkplugMetric,
  type SparkplugPayload,
} from '../../../src/codec/sparkplug/index.js';

const spb = sparkplug.get('spBv1.0')!;

interface TahuMetric {
  name?: string;
  type: string;
  value: unknown;
  timestamp?: unknown;
  alias?: unknown;
  isHistorical?: boolean;
}

/** A Long of sparkplug-payload as a bigint (unsigned, as it hands them out); other values unchanged. */
function plain(v: unknown): unknown {
  if (typeof v === 'object' && v !== null && 'low' in v && 'high' in v)
    return BigInt((v as { toString(): string }).toString());
  return v;
}

function tahuDecode(buf: Buffer): { timestamp: unknown; seq: unknown; metrics: TahuMetric[] } {
  const p = spb.decodePayload(buf) as unknown as { timestamp: unknown; seq: unknown; metrics: TahuMetric[] };
  return p;
}

function decodeOk(buf: Uint8Array): SparkplugPayload {
  const r = decodePayload(buf);
  if ('error' in r) throw new Error(r.error);
  return r.payload;
}

describe('what fieldgate encodes, decoded by sparkplug-payload', () => {
  const cases: { metric: SparkplugMetric; type: string; tahu: unknown }[] = [
    { metric: { name: 'i8', datatype: DataType.Int8, value: -128 }, type: 'Int8', tahu: -128 },
    { metric: { name: 'i16', datatype: DataType.Int16, value: -5 }, type: 'Int16', tahu: -5 },
    { metric: { name: 'i16max', datatype: DataType.Int16, value: 32767 }, type: 'Int16', tahu: 32767 },
    { metric: { name: 'i32', datatype: DataType.Int32, value: -2147483648 }, type: 'Int32', tahu: -2147483648 },
    { metric: { name: 'u8', datatype: DataType.UInt8, value: 255 }, type: 'UInt8', tahu: 255 },
    { metric: { name: 'u16', datatype: DataType.UInt16, value: 65535 }, type: 'UInt16', tahu: 65535 },
    // 3.0 layout (int_value); sparkplug-payload reads long_value, which is absent: null (see the top).
    { metric: { name: 'u32', datatype: DataType.UInt32, value: 4294967295 }, type: 'UInt32', tahu: null },
    // Its raw unsigned Long: -7 reads as 2^64 - 7.
    { metric: { name: 'i64', datatype: DataType.Int64, value: -7 }, type: 'Int64', tahu: 2n ** 64n - 7n },
    { metric: { name: 'i64p', datatype: DataType.Int64, value: 2n ** 62n }, type: 'Int64', tahu: 2n ** 62n },
    // bdSeq-style UInt64
    { metric: { name: 'bdSeq', datatype: DataType.UInt64, value: 255 }, type: 'UInt64', tahu: 255n },
    {
      metric: { name: 'u64max', datatype: DataType.UInt64, value: 2n ** 64n - 1n },
      type: 'UInt64',
      tahu: 2n ** 64n - 1n,
    },
    {
      metric: { name: 'dt', datatype: DataType.DateTime, value: 1700000000123 },
      type: 'DateTime',
      tahu: 1700000000123n,
    },
    { metric: { name: 'f', datatype: DataType.Float, value: 3.25 }, type: 'Float', tahu: 3.25 },
    { metric: { name: 'd', datatype: DataType.Double, value: 0.1 }, type: 'Double', tahu: 0.1 },
    { metric: { name: 'b', datatype: DataType.Boolean, value: true }, type: 'Boolean', tahu: true },
    { metric: { name: 'b0', datatype: DataType.Boolean, value: false }, type: 'Boolean', tahu: false },
    { metric: { name: 's', datatype: DataType.String, value: 'Kessel 3 – ok' }, type: 'String', tahu: 'Kessel 3 – ok' },
    { metric: { name: 'tx', datatype: DataType.Text, value: 'long text' }, type: 'Text', tahu: 'long text' },
    { metric: { name: 'n', datatype: DataType.Int16, value: null }, type: 'Int16', tahu: null },
    { metric: { name: 'nd', datatype: DataType.Double, value: null }, type: 'Double', tahu: null },
  ];

  for (const c of cases) {
    it(`${c.metric.name} (${c.type} ${String(c.metric.value)})`, () => {
      const t = tahuDecode(encodePayload({ timestamp: 1700000000000, seq: 7, metrics: [c.metric] }));
      expect(plain(t.timestamp)).toBe(1700000000000n);
      expect(plain(t.seq)).toBe(7n);
      expect(t.metrics).toHaveLength(1);
      const m = t.metrics[0]!;
      expect(m.name).toBe(c.metric.name);
      expect(m.type).toBe(c.type);
      expect(plain(m.value)).toBe(c.tahu);
    });
  }

  it('puts UInt32 in int_value on the wire (checked with sparkplug-payload’s generated Payload type)', async () => {
    const proto = (await import('sparkplug-payload/lib/sparkplugPayloadProto.js')) as unknown as {
      default: { org: { eclipse: { tahu: { protobuf: { Payload: { decode(b: Uint8Array): unknown } } } } } };
    };
    const raw = proto.default.org.eclipse.tahu.protobuf.Payload.decode(
      encodePayload({ metrics: [{ datatype: DataType.UInt32, value: 4294967295 }] }),
    ) as { metrics: { intValue: number; value: string }[] };
    expect(raw.metrics[0]!.value).toBe('intValue');
    expect(raw.metrics[0]!.intValue).toBe(4294967295);
  });

  it('carries alias, per-metric timestamp and is_historical', () => {
    const t = tahuDecode(
      encodePayload({
        metrics: [{ alias: 12, timestamp: 1600000000000, isHistorical: true, datatype: DataType.Int32, value: -1 }],
      }),
    );
    const m = t.metrics[0]!;
    expect(plain(m.alias)).toBe(12n);
    expect(plain(m.timestamp)).toBe(1600000000000n);
    expect(m.isHistorical).toBe(true);
    expect(m.value).toBe(-1);
    expect(m.name).toBeUndefined();
  });

  it('decodes a many-metric payload identically metric by metric', () => {
    const metrics: SparkplugMetric[] = [];
    for (let i = 0; i < 200; i++) {
      metrics.push({ name: `p${i}`, alias: i, datatype: DataType.Int32, value: ((i * 7919) % 65536) - 32768 });
    }
    const t = tahuDecode(encodePayload({ metrics }));
    expect(t.metrics.map((m) => [m.name, plain(m.alias), m.value])).toEqual(
      metrics.map((m) => [m.name, BigInt(m.alias!), m.value]),
    );
  });
});

describe('what a host encodes with sparkplug-payload (DCMD), decoded by fieldgate', () => {
  it('decodes every scalar datatype a host may send', () => {
    const buf = spb.encodePayload({
      timestamp: 1700000000000,
      metrics: [
        { name: 'i8', type: 'Int8', value: -5 },
        { name: 'i16', type: 'Int16', value: -300 },
        { name: 'i32', type: 'Int32', value: -70000 },
        { name: 'u8', type: 'UInt8', value: 200 },
        { name: 'u16', type: 'UInt16', value: 65535 },
        { name: 'u32', type: 'UInt32', value: 4294967295 }, // in long_value (2.2 layout)
        { name: 'i64', type: 'Int64', value: -9 },
        { name: 'u64', type: 'UInt64', value: 9007199254740993n.toString() },
        { name: 'f', type: 'Float', value: 1.5 },
        { name: 'd', type: 'Double', value: -2.75 },
        { name: 'b', type: 'Boolean', value: true },
        { name: 's', type: 'String', value: 'set' },
        { name: 'tx', type: 'Text', value: 'text' },
        { name: 'dt', type: 'DateTime', value: 1700000000999 },
        { name: 'n', type: 'Int16', value: null },
        { name: 'h', type: 'Double', value: 1, timestamp: 1600000000000, alias: 4, isHistorical: true },
      ],
    });
    const p = decodeOk(buf);
    expect(p.timestamp).toBe(1700000000000);
    expect(p.seq).toBeUndefined();
    expect(p.metrics).toEqual([
      { name: 'i8', datatype: DataType.Int8, value: -5 },
      { name: 'i16', datatype: DataType.Int16, value: -300 },
      { name: 'i32', datatype: DataType.Int32, value: -70000 },
      { name: 'u8', datatype: DataType.UInt8, value: 200 },
      { name: 'u16', datatype: DataType.UInt16, value: 65535 },
      { name: 'u32', datatype: DataType.UInt32, value: 4294967295 },
      { name: 'i64', datatype: DataType.Int64, value: -9 },
      { name: 'u64', datatype: DataType.UInt64, value: 9007199254740993n },
      { name: 'f', datatype: DataType.Float, value: 1.5 },
      { name: 'd', datatype: DataType.Double, value: -2.75 },
      { name: 'b', datatype: DataType.Boolean, value: true },
      { name: 's', datatype: DataType.String, value: 'set' },
      { name: 'tx', datatype: DataType.Text, value: 'text' },
      { name: 'dt', datatype: DataType.DateTime, value: 1700000000999 },
      { name: 'n', datatype: DataType.Int16, value: null, isNull: true },
      { name: 'h', alias: 4, timestamp: 1600000000000, isHistorical: true, datatype: DataType.Double, value: 1 },
    ]);
  });

  it('round-trips payloads the other way too: sparkplug-payload re-encoding what fieldgate decoded', () => {
    const original = encodePayload({
      timestamp: 5,
      seq: 0,
      metrics: [
        { name: 'a', datatype: DataType.Int16, value: -1 },
        { name: 'b', datatype: DataType.Double, value: 1e-9 },
        { name: 'c', datatype: DataType.String, value: '' },
      ],
    });
    const t = tahuDecode(original);
    const again = decodeOk(spb.encodePayload(t as unknown as Parameters<typeof spb.encodePayload>[0]));
    expect(again).toEqual({
      timestamp: 5,
      seq: 0,
      metrics: [
        { name: 'a', datatype: DataType.Int16, value: -1 },
        { name: 'b', datatype: DataType.Double, value: 1e-9 },
        { name: 'c', datatype: DataType.String, value: '' },
      ],
    });
  });
});
