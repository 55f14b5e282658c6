/**
 * The pure parts of the simulators, with byte vectors: the camera's request/reply templates, where
 * an RTU request ends, and the PLC's FC16 requests and the check of their replies.
 */
import { describe, expect, it } from 'vitest';
import { encodeRtuFrame } from '../../src/codec/rtu/frame.js';
import { checkWriteReply, writeRequests } from '../../src/simulate/fc16.js';
import { requestLength } from '../../src/codec/rtu/request-framer.js';
import { compileRequest, renderReply } from '../../src/simulate/templates.js';
import { valueText } from '../../src/simulate/values.js';
import { hex } from '../helpers/hex.js';

describe('camera templates', () => {
  it('T{value} matches T1, T42, T-3 and gives the value; nothing else matches', () => {
    const m = compileRequest('T{value}');
    expect(['T1', 'T42', 'T-3', 'T2.5'].map(m)).toEqual(['1', '42', '-3', '2.5']);
    expect(['T', 'TX', 'xT1', 'T1 ', 't1', ''].map(m)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(compileRequest('TRG,{value},GO')('TRG,7,GO')).toBe('7');
    expect(compileRequest('(*)')('(*)')).toBe(''); // regex characters are literal
    expect(compileRequest(undefined)('anything')).toBe('');
  });

  it("a reply is filled with field values ({value}: the trigger's); unknown names stay as written", () => {
    const values = new Map<string, number | string | boolean>([
      ['result', 87.123456],
      ['code', 'A1'],
      ['ok', true],
      ['n', 3],
    ]);
    expect(renderReply('OK,{result},{code},{ok},{n},{value},{nope}', values, '42')).toBe('OK,87.123,A1,1,3,42,{nope}');
    expect(valueText(undefined)).toBe('');
    expect(valueText(-0.5)).toBe('-0.5');
  });
});

describe('RTU request length (the slave side)', () => {
  const read = encodeRtuFrame(1, Buffer.from('0300000002', 'hex'));
  const write = encodeRtuFrame(1, Buffer.from('100000000204000a000b', 'hex'));
  it('knows reads, single writes, multiple writes from their byte count, FC23 and FC43', () => {
    expect(read).toEqual(hex('01 03 0000 0002 c40b'));
    expect(requestLength(read, 0, read.length)).toBe(8);
    expect(requestLength(write, 0, write.length)).toBe(write.length);
    expect(write.length).toBe(13);
    expect(requestLength(write, 0, 6)).toBe('more'); // the byte count is not here yet
    expect(requestLength(Buffer.from('0117000000020000000204', 'hex'), 0, 11)).toBe(17);
    expect(requestLength(Buffer.from('012b0e0100', 'hex'), 0, 5)).toBe(7);
    expect(requestLength(Buffer.from('01', 'hex'), 0, 1)).toBe('more');
    expect(requestLength(Buffer.from('0164', 'hex'), 0, 2)).toBe('unknown');
  });
});

describe('PLC FC16 requests', () => {
  it('writes the block from the address with increasing transaction ids, split at 123 registers', () => {
    const [req] = writeRequests(Uint16Array.from([0x1234, 0xabcd]), 0, 1, 7);
    //                         tid  proto len  unit fc addr qty  bc values
    expect(req!.adu).toEqual(hex('0007 0000 000b 01 10 0000 0002 04 1234 abcd'));
    const parts = writeRequests(new Uint16Array(250), 10, 3, 0xffff);
    expect(parts.map((p) => [p.transactionId, p.address, p.quantity])).toEqual([
      [0xffff, 10, 123],
      [0, 133, 123],
      [1, 256, 4],
    ]);
  });

  it('accepts the echo of its request; names an exception, a wrong transaction or a wrong echo', () => {
    const [req] = writeRequests(Uint16Array.from([1, 2]), 0, 1, 7);
    const reply = hex;
    expect(checkWriteReply(reply('0007 0000 0006 01 10 0000 0002'), req!)).toBeUndefined();
    expect(checkWriteReply(reply('0007 0000 0003 01 90 02'), req!)).toBe('exception 2 (illegal data address)');
    expect(checkWriteReply(reply('0008 0000 0006 01 10 0000 0002'), req!)).toMatch(/transaction 8, expected 7/);
    expect(checkWriteReply(reply('0007 0000 0006 01 10 0000 0003'), req!)).toMatch(/echoes address 0 x 3/);
    expect(checkWriteReply(reply('0007 0000 0004 01 03 02 00'), req!)).toMatch(/not an FC16 reply/);
  });
});
