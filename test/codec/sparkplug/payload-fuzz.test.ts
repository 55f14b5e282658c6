import { describe, expect, it } from 'vitest';
import { DataType, decodePayload, encodePayload } from '../../../src/codec/sparkplug/index.js';
import { hex } from '../../helpers/hex.js';

/** mulberry32: a small seeded generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** decodePayload must answer, never throw; returns which kind of answer it was. */
function answer(buf: Uint8Array): 'payload' | 'error' {
  let r: ReturnType<typeof decodePayload>;
  try {
    r = decodePayload(buf);
  } catch (e) {
    throw new Error(`decodePayload threw on ${Buffer.from(buf).toString('hex')}: ${String(e)}`, { cause: e });
  }
  if ('error' in r) {
    expect(r.error).toMatch(/Sparkplug B payload/);
    return 'error';
  }
  expect(Array.isArray(r.payload.metrics)).toBe(true);
  return 'payload';
}

const VALID = encodePayload({
  timestamp: 1700000000000,
  seq: 42,
  metrics: [
    { name: 'Temperature', alias: 1, timestamp: 1700000000001, datatype: DataType.Float, value: 21.5 },
    { name: 'Counter', alias: 2, datatype: DataType.UInt64, value: 2n ** 60n },
    { name: 'Level', datatype: DataType.Int16, value: -300 },
    { name: 'Run', datatype: DataType.Boolean, value: true },
    { name: 'Label', datatype: DataType.String, value: 'Pumpe 1' },
    { name: 'Gone', datatype: DataType.Double, value: null },
  ],
});

describe('decodePayload on hostile input', () => {
  it('never throws on 2000 seeded random buffers (0..199 bytes)', () => {
    const next = rng(0x5eed);
    const kinds = { payload: 0, error: 0 };
    for (let i = 0; i < 2000; i++) {
      const buf = Buffer.alloc(Math.floor(next() * 200));
      for (let j = 0; j < buf.length; j++) buf[j] = Math.floor(next() * 256);
      kinds[answer(buf)]++;
    }
    // Random bytes are mostly malformed protobuf; both outcomes must occur for the loop to mean anything.
    expect(kinds.error).toBeGreaterThan(1000);
    expect(kinds.payload).toBeGreaterThan(0);
  });

  it('never throws on a valid payload with random bytes flipped (2000 seeded mutations)', () => {
    const next = rng(42);
    for (let i = 0; i < 2000; i++) {
      const buf = Buffer.from(VALID);
      const flips = 1 + Math.floor(next() * 4);
      for (let k = 0; k < flips; k++) buf[Math.floor(next() * buf.length)] = Math.floor(next() * 256);
      answer(buf);
    }
  });

  it('answers every truncation of a valid payload, and errors when a field is cut', () => {
    const kinds = { payload: 0, error: 0 };
    for (let n = 0; n < VALID.length; n++) kinds[answer(VALID.subarray(0, n))]++;
    expect(kinds.error).toBeGreaterThan(VALID.length / 2);
    expect(decodePayload(VALID)).toHaveProperty('payload');
  });

  it('answers wrong wire types for known fields', () => {
    const vectors = [
      '0a 03 616263', // timestamp (field 1, varint) sent length-delimited
      '11 0102030405060708', // metrics (field 2, message) sent as fixed64
      '15 01020304', // metrics as fixed32
      '10 05', // metrics as varint
      '1a 02 0101', // seq (varint) length-delimited
      '12 03 22 01 00', // metric datatype (varint) length-delimited
      '12 05 55 01020304', // metric int_value as fixed32
      '12 03 62 01 41', // metric float_value (fixed32) as length-delimited
      '12 02 0b 0c', // start-group / end-group inside a metric
      '0b', // a lone start-group
      '0f', // wire type 7 (invalid)
      '12 05 0a ffffffff0f', // name with a 4 GiB length
      '12 ffffffff0f', // metric with a 4 GiB length
      '08 ffffffffffffffffffffff01', // an 11-byte varint
      '12 02 7a 05', // string_value longer than what remains
    ];
    for (const v of vectors) answer(hex(v));
    expect(decodePayload(hex('0f'))).toHaveProperty('error');
    expect(decodePayload(hex('12 05 0a ffffffff0f'))).toHaveProperty('error');
  });

  it('refuses template values nested 1000 deep with an error, not a stack overflow', () => {
    // metric { template_value (18) { metrics (2) { template_value { ... } } } }, built inside out
    let inner = Buffer.alloc(0);
    for (let depth = 0; depth < 1000; depth++) {
      const metric = Buffer.concat([Buffer.from([0x92, 0x01]), varint(inner.length), inner]); // template_value
      inner = Buffer.concat([Buffer.from([0x12]), varint(metric.length), metric]); // metrics of a Template/Payload
    }
    expect(answer(inner)).toBe('error');
    expect(decodePayload(inner)).toEqual({ error: expect.stringMatching(/nesting depth/) });
  });
});

function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) {
    out.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  out.push(n);
  return Buffer.from(out);
}
