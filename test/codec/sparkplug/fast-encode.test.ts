/**
 * The fast encoder writes exactly the bytes protobufjs writes from Tahu's proto, for every payload
 * shape fieldgate publishes, and hands everything else to protobufjs. Checked on a seeded sweep of
 * random payloads and on the edges (negative ints, UInt32 max, long names, multi-byte text, empty).
 */
import { describe, expect, it } from 'vitest';
import { encodeFast } from '../../../src/codec/sparkplug/fast-encode.js';
import {
  DataType,
  encodePayload,
  encodeProto,
  type SparkplugMetric,
  type SparkplugPayload,
} from '../../../src/codec/sparkplug/payload.js';
import { decodeSparkplug } from '../../helpers/mqtt-watch.js';

/** A small seeded generator (mulberry32): the sweep is the same on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a |= 0;
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TYPES = [
  [DataType.Int16, (r: () => number) => Math.round(r() * 65535) - 32768],
  [DataType.UInt16, (r: () => number) => Math.round(r() * 65535)],
  [DataType.Int32, (r: () => number) => Math.round(r() * 4294967295) - 2147483648],
  [DataType.UInt32, (r: () => number) => Math.round(r() * 4294967295)],
  [DataType.Float, (r: () => number) => Math.fround((r() - 0.5) * 1e6)],
  [DataType.Double, (r: () => number) => (r() - 0.5) * 1e12],
  [DataType.Boolean, (r: () => number) => r() < 0.5],
  [DataType.String, (r: () => number) => 'é€x'.repeat(Math.floor(r() * 50))],
  [DataType.UInt64, (r: () => number) => Math.floor(r() * Number.MAX_SAFE_INTEGER)],
] as const;

function metric(r: () => number): SparkplugMetric {
  const [datatype, value] = TYPES[Math.floor(r() * TYPES.length)] as (typeof TYPES)[number];
  return {
    ...(r() < 0.9 ? { name: `Bank/point_${Math.floor(r() * 1e6)}` } : {}),
    ...(r() < 0.3 ? { alias: Math.floor(r() * 2 ** 40) } : {}),
    ...(r() < 0.8 ? { timestamp: 1_700_000_000_000 + Math.floor(r() * 1e9) } : {}),
    ...(r() < 0.3 ? { isHistorical: r() < 0.5 } : {}),
    datatype,
    value: value(r),
  };
}

describe('fast Sparkplug encoder', () => {
  it('writes the bytes protobufjs writes, on 2000 random payloads', () => {
    const r = random(802);
    for (let i = 0; i < 2000; i++) {
      const p: SparkplugPayload = {
        ...(r() < 0.9 ? { timestamp: 1_700_000_000_000 + Math.floor(r() * 1e9) } : {}),
        ...(r() < 0.9 ? { seq: Math.floor(r() * 256) } : {}),
        metrics: Array.from({ length: Math.floor(r() * 20) }, () => metric(r)),
      };
      const fast = encodeFast(p);
      expect(fast, `payload ${i}`).toBeDefined();
      expect(fast!.toString('hex'), `payload ${i}`).toBe(encodeProto(p).toString('hex'));
    }
  });

  it("a DDATA of every point type decodes with Tahu's codec to the same values", () => {
    const p: SparkplugPayload = {
      timestamp: 1_764_000_000_000,
      seq: 255,
      metrics: [
        { name: 'temp', datatype: DataType.Int16, value: -5, timestamp: 1_764_000_000_001, isHistorical: true },
        { name: 'flow', datatype: DataType.Float, value: 2.5 },
        { name: 'total', datatype: DataType.Double, value: 123456.789 },
        { name: 'run', datatype: DataType.Boolean, value: true },
        { name: 'label', datatype: DataType.String, value: 'Línea 3' },
        { name: 'count', datatype: DataType.UInt16, value: 65535 },
      ],
    };
    const bytes = encodePayload(p);
    expect(bytes.toString('hex')).toBe(encodeProto(p).toString('hex'));
    const d = decodeSparkplug(bytes);
    expect(d.seq).toBe(255);
    expect(d.metrics?.map((m) => [m.name, m.value])).toEqual([
      ['temp', -5],
      ['flow', 2.5],
      ['total', 123456.789],
      ['run', true],
      ['label', 'Línea 3'],
      ['count', 65535],
    ]);
    expect(d.metrics?.[0]?.isHistorical).toBe(true);
  });

  it('leaves to protobufjs what it does not write: null values, bigints, negative 64-bit numbers', () => {
    const cases: SparkplugMetric[] = [
      { name: 'a', datatype: DataType.Int16, value: null },
      { name: 'b', datatype: DataType.Int16, value: 3, isNull: true },
      { name: 'c', datatype: DataType.UInt64, value: 5n },
      { name: 'd', datatype: DataType.Int64, value: -1 },
      { name: 'e', datatype: DataType.Int16, value: 'x' },
      { name: 'f', datatype: 16, value: 1 },
    ];
    for (const m of cases) expect(encodeFast({ metrics: [m] }), m.name).toBeUndefined();
    expect(encodePayload({ metrics: [cases[0]!] }).toString('hex')).toBe(
      encodeProto({ metrics: [cases[0]!] }).toString('hex'),
    );
  });

  it('an empty payload is empty, as protobufjs writes it', () => {
    expect(encodeFast({ metrics: [] })?.length).toBe(0);
    expect(encodeFast({ timestamp: 0, seq: 0, metrics: [] })?.toString('hex')).toBe(
      encodeProto({ timestamp: 0, seq: 0, metrics: [] }).toString('hex'),
    );
  });
});
