import { describe, expect, it } from 'vitest';
import { encodeAdu, MbapFramer, readMbapHeader, writeMbapHeader } from '../../src/codec/mbap.js';
import { hex } from '../helpers/hex.js';

// tid 0x0001, proto 0, length 6, unit 0x11, FC3 addr 0x006B qty 3 (the spec's example)
const READ = hex('0001 0000 0006 11 03 006B 0003');
// tid 0x0002, length 6, unit 1, FC6 addr 1 value 0x0003
const WRITE = hex('0002 0000 0006 01 06 0001 0003');

function feedAll(framer: MbapFramer, chunks: Buffer[]) {
  const frames: string[] = [];
  let error: string | undefined;
  for (const c of chunks) {
    const e = framer.feed(c, (f) => frames.push(f.toString('hex')));
    if (e) {
      error = e.reason;
      break;
    }
  }
  return { frames, error };
}

describe('MBAP header', () => {
  it('reads the fields of the spec example', () => {
    expect(readMbapHeader(READ)).toEqual({ transactionId: 1, protocolId: 0, length: 6, unitId: 0x11 });
  });

  it('writes the header in front of a PDU with length = unit + PDU', () => {
    const adu = Buffer.alloc(7 + 3, 0xee);
    adu.set([0x83, 0x02], 7);
    adu[9] = 0x00;
    writeMbapHeader(adu, 0xbeef, 7);
    expect(adu.subarray(0, 7).toString('hex')).toBe('beef' + '0000' + '0004' + '07');
  });

  it('encodeAdu copies the PDU behind a fresh header', () => {
    // tid 1234 | proto 0000 | length 0006 (unit + 5 PDU bytes) | unit 01 | PDU 03 0000 000a
    expect(encodeAdu(0x1234, 1, hex('03 0000 000a')).toString('hex')).toBe(
      '1234' + '0000' + '0006' + '01' + '030000000a',
    );
  });
});

describe('MbapFramer', () => {
  it('delivers one frame fed whole', () => {
    expect(feedAll(new MbapFramer(), [READ])).toEqual({ frames: [READ.toString('hex')], error: undefined });
  });

  it('delivers the same frames when fed one byte at a time', () => {
    const both = Buffer.concat([READ, WRITE]);
    const chunks = [...both].map((b) => Buffer.from([b]));
    const framer = new MbapFramer();
    const out = feedAll(framer, chunks);
    expect(out.frames).toEqual([READ.toString('hex'), WRITE.toString('hex')]);
    expect(framer.pendingBytes).toBe(0);
  });

  it('delivers two frames joined in one chunk, in order', () => {
    expect(feedAll(new MbapFramer(), [Buffer.concat([READ, WRITE])]).frames).toEqual([
      READ.toString('hex'),
      WRITE.toString('hex'),
    ]);
  });

  it('delivers frames split at every possible byte', () => {
    const both = Buffer.concat([READ, WRITE, READ]);
    for (let cut = 1; cut < both.length; cut++) {
      const out = feedAll(new MbapFramer(), [both.subarray(0, cut), both.subarray(cut)]);
      expect(out.frames, `cut at ${cut}`).toEqual([READ, WRITE, READ].map((b) => b.toString('hex')));
    }
  });

  it('keeps an incomplete frame pending (incomplete is not invalid)', () => {
    const framer = new MbapFramer();
    const out = feedAll(framer, [READ.subarray(0, 9)]);
    expect(out).toEqual({ frames: [], error: undefined });
    expect(framer.pendingBytes).toBe(9);
  });

  it('rejects a protocol id other than 0', () => {
    const bad = hex('0001 0001 0006 01 03 0000 0001');
    expect(feedAll(new MbapFramer(), [bad]).error).toBe('MBAP protocol id is 1, not 0');
  });

  it.each([
    [0, '0000'],
    [1, '0001'],
    [255, '00ff'],
    [65535, 'ffff'],
  ])('rejects MBAP length %i', (length, field) => {
    const bad = hex(`0001 0000 ${field} 01 03 0000 0001`);
    expect(feedAll(new MbapFramer(), [bad]).error).toBe(`MBAP length is ${length}, not 2..254`);
  });

  it('accepts the extreme lengths 2 and 254', () => {
    const short = hex('0009 0000 0002 01 07');
    const long = Buffer.concat([hex('000a 0000 00fe 01'), Buffer.alloc(253, 0x10)]);
    expect(feedAll(new MbapFramer(), [Buffer.concat([short, long])]).frames).toHaveLength(2);
  });

  it('delivers good frames that precede a bad header, and nothing after it', () => {
    const bad = hex('0003 0007 0006 01 03 0000 0001');
    const out = feedAll(new MbapFramer(), [Buffer.concat([READ, bad, WRITE])]);
    expect(out.frames).toEqual([READ.toString('hex')]);
    expect(out.error).toMatch(/protocol id is 7/);
  });
});
