/** The RTU-over-TCP request framer: whole frames from a stream split or joined at any byte. */
import { describe, expect, it } from 'vitest';
import { encodeRtuFrame } from '../../src/codec/rtu/frame.js';
import { requestLength, RtuRequestFramer } from '../../src/codec/rtu/request-framer.js';
import { hex } from '../helpers/hex.js';

// one request of every length rule, each a real frame with its CRC
const FRAMES = [
  encodeRtuFrame(1, hex('03 0000 0002')), // 8
  encodeRtuFrame(2, hex('10 0010 0002 04 0001 0002')), // 9 + 4
  encodeRtuFrame(3, hex('0f 0000 000a 02 ff 03')), // 9 + 2
  encodeRtuFrame(4, hex('16 0004 00f2 0025')), // 10
  encodeRtuFrame(5, hex('17 0000 0002 0010 0001 02 1234')), // 13 + 2
  encodeRtuFrame(6, hex('2b 0e 01 00')), // 7
  encodeRtuFrame(7, hex('08 0000 a537')), // 8
  encodeRtuFrame(8, hex('07')), // 4
  encodeRtuFrame(9, hex('0b')), // 4
  encodeRtuFrame(10, hex('11')), // 4
  encodeRtuFrame(11, hex('14 07 06 0004 0001 0002')), // 5 + 7
  encodeRtuFrame(12, hex('18 04de')), // 6
  encodeRtuFrame(0, hex('06 0001 0003')), // broadcast
];
const ALL = Buffer.concat(FRAMES);

function collect(framer: RtuRequestFramer, chunks: Buffer[]): { frames: Buffer[]; errors: string[] } {
  const frames: Buffer[] = [];
  const errors: string[] = [];
  for (const chunk of chunks) {
    const error = framer.feed(chunk, (f) => frames.push(Buffer.from(f)));
    if (error) errors.push(error.reason);
  }
  return { frames, errors };
}

describe('RTU request length', () => {
  it('is told from the function code and byte count, or more bytes are needed', () => {
    for (const f of FRAMES) expect(requestLength(f, 0, f.length)).toBe(f.length);
    expect(requestLength(hex('01'), 0, 1)).toBe('more');
    expect(requestLength(hex('01 10 0000 0001'), 0, 6)).toBe('more');
    expect(requestLength(hex('01 10 0000 0001 02'), 0, 7)).toBe(11);
    expect(requestLength(hex('01 2b'), 0, 2)).toBe('more');
    expect(requestLength(hex('01 2b 0d'), 0, 3)).toBe('unknown');
    expect(requestLength(hex('01 41'), 0, 2)).toBe('unknown');
    expect(requestLength(hex('01 83'), 0, 2)).toBe('unknown');
  });
});

describe('RTU request framer', () => {
  it('delivers every frame of one chunk holding all of them, in order', () => {
    const { frames, errors } = collect(new RtuRequestFramer(), [ALL]);
    expect(errors).toEqual([]);
    expect(frames).toEqual(FRAMES);
  });

  it('delivers the same frames when the stream is split at every byte, and at every single point', () => {
    const framer = new RtuRequestFramer();
    const bytes = [...ALL].map((b) => Buffer.from([b]));
    expect(collect(framer, bytes)).toEqual({ frames: FRAMES, errors: [] });
    expect(framer.pendingBytes).toBe(0);
    for (let cut = 1; cut < ALL.length; cut++) {
      const got = collect(new RtuRequestFramer(), [ALL.subarray(0, cut), ALL.subarray(cut)]);
      expect(got.frames).toEqual(FRAMES);
    }
  });

  it('two frames in one chunk, the second split over the next', () => {
    const two = Buffer.concat([FRAMES[0]!, FRAMES[1]!, FRAMES[2]!]);
    const framer = new RtuRequestFramer();
    const first = collect(framer, [two.subarray(0, 24)]);
    expect(first.frames).toEqual([FRAMES[0], FRAMES[1]]);
    expect(framer.pendingBytes).toBe(24 - FRAMES[0]!.length - FRAMES[1]!.length);
    expect(collect(framer, [two.subarray(24)]).frames).toEqual([FRAMES[2]]);
  });

  it('drops a frame with a bad CRC, counts it, and goes on with the next', () => {
    const bad = Buffer.from(FRAMES[0]!);
    bad.writeUInt8(bad.at(-1)! ^ 0xff, bad.length - 1);
    const framer = new RtuRequestFramer();
    const { frames, errors } = collect(framer, [Buffer.concat([bad, FRAMES[1]!, bad]), FRAMES[3]!]);
    expect(errors).toEqual([]);
    expect(frames).toEqual([FRAMES[1], FRAMES[3]]);
    expect(framer.crcErrors).toBe(2);
  });

  it('garbage: a function code whose length cannot be told is reported, frames before it delivered', () => {
    const framer = new RtuRequestFramer();
    const { frames, errors } = collect(framer, [Buffer.concat([FRAMES[0]!, hex('01 41 0203 0405')])]);
    expect(frames).toEqual([FRAMES[0]]);
    expect(errors).toEqual([
      'an RTU request of function code 65: its length cannot be told, so the stream cannot be followed',
    ]);
    const mei = collect(new RtuRequestFramer(), [hex('01 2b 0d 00 00')]);
    expect(mei.errors[0]).toContain('function code 43 (MEI 13)');
  });

  it('garbage of known function codes: bad CRCs counted, never a throw, nothing delivered', () => {
    const framer = new RtuRequestFramer();
    // bytes that look like FC3 frames but carry no valid CRC
    const junk = Buffer.from(Array.from({ length: 64 }, (_, i) => (i % 8 === 1 ? 3 : (i * 37) & 0xff)));
    const { frames, errors } = collect(framer, [junk]);
    expect(errors).toEqual([]);
    expect(frames).toEqual([]);
    expect(framer.crcErrors).toBe(8);
  });

  it('a write whose byte count makes it longer than 256 bytes is reported', () => {
    const { errors } = collect(new RtuRequestFramer(), [hex('01 10 0000 007f fe')]);
    expect(errors).toEqual([
      'an RTU request of 263 bytes: its length cannot be told, so the stream cannot be followed',
    ]);
  });

  it('reset forgets a partial frame', () => {
    const framer = new RtuRequestFramer();
    collect(framer, [FRAMES[0]!.subarray(0, 5)]);
    expect(framer.pendingBytes).toBe(5);
    framer.reset();
    expect(collect(framer, [FRAMES[1]!]).frames).toEqual([FRAMES[1]]);
  });
});
