import { describe, expect, it } from 'vitest';
import { crc16, crcMatches } from '../../src/codec/rtu/crc.js';
import { encodeRtuFrame, replyFitsRequest, replyLength } from '../../src/codec/rtu/frame.js';
import { RtuReplyMatcher } from '../../src/codec/rtu/reply-matcher.js';
import { charTimeMs, interFrameMs } from '../../src/codec/rtu/timing.js';
import { hex } from '../helpers/hex.js';

// unit 01 | FC3 | address 0000 | quantity 0002 | CRC c40b (low byte first: c4 0b)
const READ2 = hex('01 03 0000 0002 c40b');
// unit 01 | FC3 | byte count 04 | 000a 000b | CRC 9bf6
const READ2_REPLY = hex('01 03 04 000a 000b 9bf6');

describe('CRC-16/MODBUS', () => {
  it('matches the spec example and known frames', () => {
    expect(crc16(hex('01 03 0000 0002'))).toBe(0x0bc4);
    expect(crcMatches(READ2, 0, READ2.length)).toBe(true);
    expect(crcMatches(READ2_REPLY, 0, READ2_REPLY.length)).toBe(true);
    expect(crcMatches(hex('01 03 04 000a 000b 9bf7'), 0, 9)).toBe(false);
  });
});

describe('RTU frame', () => {
  it('encodes unit + PDU + CRC low byte first', () => {
    expect(encodeRtuFrame(1, hex('03 0000 0002'))).toEqual(READ2);
    // broadcast FC6: unit 00 | 06 0001 0003 | CRC 99da
    expect(encodeRtuFrame(0, hex('06 0001 0003'))).toEqual(hex('00 06 0001 0003 99da'));
  });

  it('tells the reply length from the function code', () => {
    expect(replyLength(READ2_REPLY, 0, 1)).toBe('more');
    expect(replyLength(READ2_REPLY, 0, 2)).toBe('more');
    expect(replyLength(READ2_REPLY, 0, 3)).toBe(9);
    expect(replyLength(hex('01 83'), 0, 2)).toBe(5); // exception
    expect(replyLength(hex('01 06'), 0, 2)).toBe(8);
    expect(replyLength(hex('01 10'), 0, 2)).toBe(8);
    expect(replyLength(hex('01 16'), 0, 2)).toBe(10);
    expect(replyLength(hex('01 18 0004'), 0, 4)).toBe(10); // FC24: 2-byte byte count
    expect(replyLength(hex('11 41'), 0, 2)).toBe('unknown');
  });

  it('checks the reply shape against the request', () => {
    expect(replyFitsRequest(hex('03 0000 0002'), hex('03 04 000a 000b'))).toBe(true);
    expect(replyFitsRequest(hex('03 0000 0001'), hex('03 04 000a 000b'))).toBe(false); // byte count of another request
    expect(replyFitsRequest(hex('06 0001 0003'), hex('06 0001 0003'))).toBe(true);
    expect(replyFitsRequest(hex('06 0001 0003'), hex('06 0001 0004'))).toBe(false);
    expect(replyFitsRequest(hex('10 0001 0002 04 0000 0000'), hex('10 0001 0002'))).toBe(true);
    expect(replyFitsRequest(hex('03 0000 0002'), hex('83 02'))).toBe(true);
    expect(replyFitsRequest(hex('03 0000 0002'), hex('84 02'))).toBe(false);
  });

  it('computes t3.5 from the line, fixed at 1.75 ms above 19200 baud', () => {
    expect(charTimeMs({ baudRate: 9600, dataBits: 8, parity: 'even', stopBits: 1 })).toBeCloseTo(11 / 9.6);
    expect(interFrameMs({ baudRate: 9600, dataBits: 8, parity: 'even', stopBits: 1 })).toBeCloseTo((3.5 * 11) / 9.6);
    expect(interFrameMs({ baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1 })).toBe(1.75);
  });
});

describe('RtuReplyMatcher', () => {
  const request = hex('03 0000 0002');

  it('finds a reply split at every byte', () => {
    for (let cut = 1; cut < READ2_REPLY.length; cut++) {
      const m = new RtuReplyMatcher(1, request);
      expect(m.feed(READ2_REPLY.subarray(0, cut))).toBeUndefined();
      expect(m.feed(READ2_REPLY.subarray(cut))).toEqual({ kind: 'reply', pdu: hex('03 04 000a 000b') });
    }
  });

  it('skips garbage in front of the reply, even garbage that looks like a frame start', () => {
    const m = new RtuReplyMatcher(1, request);
    // 01 03 ff: a "frame" claiming 255 bytes, then the real reply
    expect(m.feed(Buffer.concat([hex('00 ff 01 03 ff'), READ2_REPLY]))).toEqual({
      kind: 'reply',
      pdu: hex('03 04 000a 000b'),
    });
  });

  it('reports a bad CRC on silence, and takes a good frame that follows', () => {
    const m = new RtuReplyMatcher(1, request);
    expect(m.feed(hex('01 03 04 000a 000b 9bf7'))).toBeUndefined();
    expect(m.silence()).toEqual({ kind: 'crc' });
    expect(m.feed(READ2_REPLY)).toEqual({ kind: 'reply', pdu: hex('03 04 000a 000b') });
  });

  it('drops a valid frame that answers another request (a late reply) and keeps looking', () => {
    const m = new RtuReplyMatcher(1, request);
    // a late reply to "read 1 register": 01 03 02 0007 f986
    expect(m.feed(hex('01 03 02 0007 f986'))).toBeUndefined();
    expect(m.mismatched).toBe(1);
    expect(m.feed(READ2_REPLY)).toEqual({ kind: 'reply', pdu: hex('03 04 000a 000b') });
  });

  it('takes an exception reply (5 bytes)', () => {
    expect(new RtuReplyMatcher(1, request).feed(hex('01 83 02 c0f1'))).toEqual({ kind: 'reply', pdu: hex('83 02') });
  });

  it('ends a reply of an unknown function code on silence', () => {
    const m = new RtuReplyMatcher(0x11, hex('41'));
    expect(m.feed(hex('11 41 00 aa bb f2ec'))).toBeUndefined();
    expect(m.silence()).toEqual({ kind: 'reply', pdu: hex('41 00 aa bb') });
  });

  it('ignores frames for another unit', () => {
    const m = new RtuReplyMatcher(2, request);
    expect(m.feed(READ2_REPLY)).toBeUndefined();
    expect(m.silence()).toBeUndefined();
  });
});

describe('RtuReplyMatcher never throws, whatever the line carries', () => {
  it('accepts only frames that fit the request, for any bytes split any way', async () => {
    const fc = await import('fast-check');
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 12 }), fc.boolean(), (chunks, withReply) => {
        const m = new RtuReplyMatcher(1, hex('03 0000 0002'));
        const all = withReply ? [...chunks, READ2_REPLY] : chunks;
        let found: ReturnType<RtuReplyMatcher['feed']>;
        for (const c of all) found ??= m.feed(Buffer.from(c));
        found ??= m.silence();
        if (found?.kind === 'reply') expect(replyFitsRequest(hex('03 0000 0002'), found.pdu)).toBe(true);
        if (withReply && chunks.every((c) => c.length === 0))
          expect(found).toEqual({ kind: 'reply', pdu: hex('03 04 000a 000b') });
      }),
      { numRuns: 500 },
    );
  });
});
