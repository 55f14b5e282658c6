/**
 * The raw framers, on annotated byte vectors: one byte at a time, every split point, many frames in
 * one chunk, over-long and impossible frames. A frame comes out exactly as it was on the wire.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createFramer, FrameBatch, type Framer } from '../../src/codec/framers/index.js';
import type { Framing } from '../../src/config/types.js';
import { hex } from '../helpers/hex.js';

const show = (frames: Buffer[]) => frames.map((f) => f.toString('hex'));

interface Run {
  frames: Buffer[];
  error?: string;
  pending: number;
}

function feedAll(framer: Framer, chunks: Buffer[]): Run {
  const frames: Buffer[] = [];
  for (const chunk of chunks) {
    const error = framer.feed(chunk, (b, s, e) => frames.push(Buffer.from(b.subarray(s, e))));
    if (error) return { frames, error: error.reason, pending: framer.pendingBytes };
  }
  return { frames, pending: framer.pendingBytes };
}

/** The same stream fed whole, one byte at a time, and split at every single point: same result. */
function everySplit(framing: Framing, stream: Buffer): Run {
  const whole = feedAll(createFramer(framing), [stream]);
  const bytes = feedAll(
    createFramer(framing),
    [...stream].map((b) => Buffer.from([b])),
  );
  expect(show(bytes.frames)).toEqual(show(whole.frames));
  // an over-long line may be caught earlier when it arrives in pieces: the same verdict, a surer wording
  expect(bytes.error === undefined).toBe(whole.error === undefined);
  if (whole.error === undefined) expect(bytes.pending).toBe(whole.pending);
  for (let i = 1; i < stream.length; i++) {
    const split = feedAll(createFramer(framing), [stream.subarray(0, i), stream.subarray(i)]);
    expect(show(split.frames), `split at ${i}`).toEqual(show(whole.frames));
    expect(split.error === undefined, `split at ${i}`).toBe(whole.error === undefined);
  }
  return whole;
}

const LINE: Framing = { type: 'line', delimiter: '\r\n', max: 8 };
const LENGTH_BE: Framing = { type: 'length', size: 2, endian: 'big', counts: 'payload', max: 16 };

describe('line framing', () => {
  it('cuts at a two-byte delimiter, kept in the frame, wherever TCP splits it', () => {
    const stream = Buffer.from('T1\r\nOK,12\r\n\r\npartial');
    const run = everySplit(LINE, stream);
    expect(run.frames.map(String)).toEqual(['T1\r\n', 'OK,12\r\n', '\r\n']);
    expect(run.pending).toBe('partial'.length); // incomplete, not invalid
    expect(run.error).toBeUndefined();
  });

  it('a lone CR is not the delimiter', () => {
    const run = everySplit(LINE, Buffer.from('a\rb\r\n'));
    expect(run.frames.map(String)).toEqual(['a\rb\r\n']);
  });

  it('a single-byte delimiter, the default "\\n"', () => {
    const run = everySplit({ type: 'line', delimiter: '\n', max: 100 }, Buffer.from('one\ntwo\n\nthree'));
    expect(run.frames.map(String)).toEqual(['one\n', 'two\n', '\n']);
    expect(run.pending).toBe(5);
  });

  it('a line of exactly max bytes passes; one more byte is invalid', () => {
    expect(everySplit(LINE, Buffer.from('12345678\r\n')).frames.map(String)).toEqual(['12345678\r\n']);
    const over = everySplit(LINE, Buffer.from('123456789\r\n'));
    expect(over.frames).toEqual([]);
    expect(over.error).toMatch(/^line of (at least )?9 bytes is over max 8$/);
  });

  it('a line that never ends is invalid as soon as it cannot fit, without waiting for a delimiter', () => {
    const framer = createFramer(LINE);
    expect(framer.feed(Buffer.from('12345678\r'), () => undefined)).toBeUndefined(); // could still be 8 + CRLF
    const error = framer.feed(Buffer.from('x'), () => undefined);
    expect(error?.reason).toBe('line of at least 9 bytes is over max 8');
    expect(error?.bytes.toString()).toBe('12345678\r');
  });

  it('frames before an invalid one are delivered, nothing after it', () => {
    const run = feedAll(createFramer(LINE), [Buffer.from('ok\r\n0123456789ab\r\nlater\r\n')]);
    expect(run.frames.map(String)).toEqual(['ok\r\n']);
    expect(run.error).toBe('line of 12 bytes is over max 8');
  });

  it('a delimiter of binary bytes (ETX) written as an escape', () => {
    const run = everySplit({ type: 'line', delimiter: '\x03', max: 10 }, hex('02 41 42 03 02 43 03'));
    expect(show(run.frames)).toEqual(['02414203', '024303']);
  });
});

describe('length framing', () => {
  it('2-byte big-endian prefix counting the payload; the frame keeps its prefix', () => {
    //                        len=3 payload      len=0  len=1 payload  len=2, 1 of 2 bytes
    const run = everySplit(LENGTH_BE, hex('0003 aabbcc   0000   0001 dd   0002 ee'));
    expect(show(run.frames)).toEqual(['0003aabbcc', '0000', '0001dd']);
    expect(run.pending).toBe(3);
  });

  it('little endian, 4-byte prefix counting the whole frame', () => {
    const framing: Framing = { type: 'length', size: 4, endian: 'little', counts: 'frame', max: 16 };
    //                       len=6 (4 + 2)   len=4 (empty payload)
    const run = everySplit(framing, hex('06000000 0102   04000000'));
    expect(show(run.frames)).toEqual(['060000000102', '04000000']);
  });

  it('1-byte prefix', () => {
    const run = everySplit(
      { type: 'length', size: 1, endian: 'big', counts: 'payload', max: 255 },
      hex('02 aabb 01 cc'),
    );
    expect(show(run.frames)).toEqual(['02aabb', '01cc']);
  });

  it('a payload over max is invalid at its prefix, before its bytes arrive', () => {
    const framer = createFramer(LENGTH_BE);
    const frames: Buffer[] = [];
    const collect = (b: Buffer, s: number, e: number) => frames.push(b.subarray(s, e));
    expect(framer.feed(hex('0001 aa 00'), collect)).toBeUndefined();
    const error = framer.feed(hex('11'), collect); // 0x0011 = 17 > 16
    expect(show(frames)).toEqual(['0001aa']);
    expect(error?.reason).toBe('frame of 17 bytes is over max 16');
    expect(error?.bytes.toString('hex')).toBe('0011');
  });

  it('a whole-frame length shorter than the prefix itself is invalid', () => {
    const run = feedAll(createFramer({ type: 'length', size: 2, endian: 'big', counts: 'frame', max: 16 }), [
      hex('0001 ff'),
    ]);
    expect(run.error).toBe('length prefix 1 is shorter than the 2-byte prefix itself (it counts the whole frame)');
  });

  it('whole frames inside a chunk are reported as ranges of it (no copy, no allocation)', () => {
    const chunk = hex('0002 aabb 0001 cc');
    const seen: [Buffer, number, number][] = [];
    createFramer(LENGTH_BE).feed(chunk, (b, s, e) => seen.push([b, s, e]));
    expect(seen).toEqual([
      [chunk, 0, 4],
      [chunk, 4, 7],
    ]);
    expect(seen.every(([b]) => b === chunk)).toBe(true);
  });
});

describe('fixed framing', () => {
  it('every frame is N bytes; a tail is held', () => {
    const run = everySplit({ type: 'fixed', size: 3 }, hex('010203 040506 07'));
    expect(show(run.frames)).toEqual(['010203', '040506']);
    expect(run.pending).toBe(1);
  });
});

describe('no framing', () => {
  it('every chunk is a frame, as it arrived, and nothing is held', () => {
    const framer = createFramer({ type: 'none' });
    const chunk = hex('0102030405');
    const seen: [Buffer, number, number][] = [];
    framer.feed(chunk, (b, s, e) => seen.push([b, s, e]));
    framer.feed(Buffer.alloc(0), (b, s, e) => seen.push([b, s, e]));
    expect(seen).toEqual([[chunk, 0, 5]]);
    expect(seen[0]?.[0]).toBe(chunk);
    expect(framer.pendingBytes).toBe(0);
  });
});

describe('any segmentation (property)', () => {
  const frameOf = (framing: Framing, payload: Buffer): Buffer => {
    if (framing.type === 'line') return Buffer.concat([payload, Buffer.from(framing.delimiter, 'latin1')]);
    if (framing.type === 'length') {
      const prefix = Buffer.alloc(framing.size);
      const n = framing.counts === 'frame' ? payload.length + framing.size : payload.length;
      if (framing.size === 1) prefix.writeUInt8(n);
      else if (framing.size === 2) framing.endian === 'big' ? prefix.writeUInt16BE(n) : prefix.writeUInt16LE(n);
      else framing.endian === 'big' ? prefix.writeUInt32BE(n) : prefix.writeUInt32LE(n);
      return Buffer.concat([prefix, payload]);
    }
    return payload;
  };
  const framings: Framing[] = [
    { type: 'line', delimiter: '\r\n', max: 64 },
    { type: 'line', delimiter: 'END!', max: 64 },
    { type: 'length', size: 2, endian: 'big', counts: 'payload', max: 64 },
    { type: 'length', size: 4, endian: 'little', counts: 'frame', max: 64 },
    { type: 'length', size: 1, endian: 'big', counts: 'payload', max: 64 },
  ];

  it.each(
    framings.map(
      (f) => [f.type === 'line' ? `line ${JSON.stringify(f.delimiter)}` : `length ${JSON.stringify(f)}`, f] as const,
    ),
  )('%s: frames come out whole, in order, none lost or added', (_name, framing) => {
    // line payloads must not contain the delimiter's first byte, so a frame ends only at its delimiter
    const byte =
      framing.type === 'line'
        ? fc.integer({ min: 0x20, max: 0x7e }).filter((b) => b !== 0x0d && b !== 0x45)
        : fc.integer({ min: 0, max: 255 });
    const payloads = fc.array(
      fc.array(byte, { maxLength: 64 }).map((a) => Buffer.from(a)),
      { minLength: 1, maxLength: 20 },
    );
    fc.assert(
      fc.property(payloads, fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 50 }), (ps, cuts) => {
        const frames = ps.map((p) => frameOf(framing, p));
        const stream = Buffer.concat(frames);
        const chunks: Buffer[] = [];
        let at = 0;
        for (let i = 0; at < stream.length; i++) {
          const n = cuts[i % cuts.length] as number;
          chunks.push(stream.subarray(at, at + n));
          at += n;
        }
        const run = feedAll(createFramer(framing), chunks);
        expect(run.error).toBeUndefined();
        expect(show(run.frames)).toEqual(show(frames));
        expect(run.pending).toBe(0);
      }),
      { numRuns: 200 },
    );
  });
});

describe('frame batch', () => {
  it('frames next to each other in one buffer become one run; an assembled frame is its own run', () => {
    const framer = createFramer(LENGTH_BE);
    const batch = new FrameBatch(false);
    framer.feed(hex('0001 aa 0001'), batch.add); // the second frame is cut
    expect(show([...batch.seal()])).toEqual(['0001aa']);
    batch.clear();
    framer.feed(hex('bb 0001 cc 0002 dddd 00'), batch.add);
    expect(batch.frames).toBe(3);
    expect(show([...batch.seal()])).toEqual(['0001bb', '0001cc0002dddd']); // assembled, then one run of two
    batch.clear();
    expect(batch.seal()).toEqual([]);
  });

  it('one buffer per frame when asked; a whole chunk is passed on as it is', () => {
    const chunk = hex('0001 aa 0001 bb');
    const split = new FrameBatch(true);
    createFramer(LENGTH_BE).feed(chunk, split.add);
    expect(show([...split.seal()])).toEqual(['0001aa', '0001bb']);
    const whole = new FrameBatch(false);
    createFramer(LENGTH_BE).feed(chunk, whole.add);
    expect(whole.seal()[0]).toBe(chunk);
  });

  it('says where each frame ends in the runs laid end to end, so a consumer need not frame again', () => {
    const framer = createFramer(LENGTH_BE);
    const batch = new FrameBatch(false);
    framer.feed(hex('0001 aa 0001'), batch.add);
    batch.clear();
    framer.feed(hex('bb 0001 cc 0002 dddd 00'), batch.add);
    const bytes = Buffer.concat(batch.seal());
    const ends = batch.ends.slice(0, batch.frames);
    expect(ends).toEqual([3, 6, 10]);
    expect(show(ends.map((end, i) => bytes.subarray(ends[i - 1] ?? 0, end)))).toEqual(['0001bb', '0001cc', '0002dddd']);
  });
});
