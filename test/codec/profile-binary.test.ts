/** Binary profiles: every field type and byte order against byte vectors, bit fields, the frame checks, round trips. */
import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../src/codec/profile/decode.js';
import { encodeFrame } from '../../src/codec/profile/encode.js';
import { crc16 } from '../../src/codec/rtu/crc.js';
import { hex } from '../helpers/hex.js';
import { profileOf } from './profile-helpers.js';

const one = (type: string, endian: string, size: number, extra = '') =>
  profileOf(
    'one',
    `framing: { type: fixed, size: ${size} }\nfields:\n  - { name: v, at: 0, type: ${type}, endian: ${endian}${extra} }`,
  );

describe('binary field types', () => {
  it.each([
    ['uint8', 'big', 'fe', 254],
    ['int8', 'big', 'fe', -2],
    ['uint16', 'big', '1234', 0x1234],
    ['uint16', 'little', '3412', 0x1234],
    ['int16', 'big', 'fffe', -2],
    ['int16', 'little', 'feff', -2],
    ['uint32', 'big', 'deadbeef', 0xdeadbeef],
    ['uint32', 'little', 'efbeadde', 0xdeadbeef],
    ['int32', 'big', 'fffffffe', -2],
    ['int32', 'little', 'feffffff', -2],
    ['float32', 'big', '42f6e979', 123.456],
    ['float32', 'little', '79e9f642', 123.456],
    ['float64', 'big', '405edd2f1a9fbe77', 123.456],
    ['float64', 'little', '77be9f1a2fdd5e40', 123.456],
  ])('%s %s: %s is %s', (type, endian, bytes, value) => {
    const p = one(type, endian, bytes.length / 2);
    const decoded = decodeFrame(p, hex(bytes));
    if (!('values' in decoded)) throw new Error(decoded.error);
    if (type.startsWith('float32')) expect(decoded.values[0]).toBeCloseTo(value, 4);
    else expect(decoded.values[0]).toBe(value);
    expect(encodeFrame(p, new Map([['v', value]])).toString('hex')).toBe(bytes);
  });

  it('strings: latin1, cut at the first NUL, padded with NULs', () => {
    const p = one('string', 'big', 6, ', length: 6');
    expect(decodeFrame(p, hex('41 42 43 00 58 58'))).toEqual({ values: ['ABC'] });
    expect(decodeFrame(p, Buffer.from('ABCDEF'))).toEqual({ values: ['ABCDEF'] });
    expect(encodeFrame(p, new Map([['v', 'AB']])).toString('hex')).toBe('414200000000');
  });

  it('scale and offset: value = raw * scale + offset, and back', () => {
    const p = one('int16', 'big', 2, ', scale: 0.1, offset: -40');
    expect(decodeFrame(p, hex('01f4'))).toEqual({ values: [10] }); // 500 * 0.1 - 40
    expect(encodeFrame(p, new Map([['v', 10]])).toString('hex')).toBe('01f4');
  });
});

describe('bit fields', () => {
  const p = profileOf(
    'bits',
    `framing: { type: fixed, size: 2 }
fields:
  - { name: status, at: 0, type: uint16, point: null, bits: { 0: running, 1: fault, 15: alarm } }`,
  );

  it('are set from their bool names when encoding', () => {
    expect(
      encodeFrame(
        p,
        new Map<string, boolean>([
          ['running', true],
          ['fault', false],
          ['alarm', true],
        ]),
      ).toString('hex'),
    ).toBe('8001');
    expect(
      encodeFrame(
        p,
        new Map<string, number | boolean>([
          ['status', 0xffff],
          ['fault', false],
        ]),
      ).toString('hex'),
    ).toBe('fffd');
  });

  it('decode as the whole word (the store splits the bits)', () => {
    expect(decodeFrame(p, hex('8003'))).toEqual({ values: [0x8003] });
  });
});

const FPGA = profileOf(
  'fpga',
  `framing: { type: fixed, size: 16 }
sync: { at: 0, hex: "A55A" }
checksum: { type: crc16-modbus, at: -2 }
fields:
  - { name: seq, at: 2, type: uint32 }
  - { name: ch1, at: 6, type: int16, scale: 0.01 }
  - { name: temp, at: 8, type: float32, endian: little }`,
);

describe('frame checks', () => {
  // A5 5A | seq 00000007 | ch1 007B (1.23) | temp 41.5 LE (0000 2642) | 0000 | CRC (low byte first)
  const good = encodeFrame(
    FPGA,
    new Map([
      ['seq', 7],
      ['ch1', 1.23],
      ['temp', 41.5],
    ]),
  );

  it('an encoded frame carries sync, fields and a CRC-16/MODBUS of the bytes before it, low byte first', () => {
    expect(good.subarray(0, 14).toString('hex')).toBe('a55a00000007007b000026420000');
    expect(good.readUInt16LE(14)).toBe(crc16(good, 0, 14));
    expect(decodeFrame(FPGA, good)).toEqual({ values: [7, 1.23, 41.5] });
  });

  it('a bad CRC is refused with the reason', () => {
    const bad = Buffer.from(good);
    bad[7] = (bad[7] as number) ^ 0x01;
    expect(decodeFrame(FPGA, bad)).toEqual({
      error: expect.stringMatching(/^bad crc16-modbus checksum: frame says [0-9a-f]{4}, bytes give [0-9a-f]{4}$/),
    });
  });

  it('a short frame is refused', () => {
    expect(decodeFrame(FPGA, good.subarray(0, 15))).toEqual({ error: 'frame of 15 bytes: fpga frames are 16 bytes' });
  });

  it('a wrong sync is refused', () => {
    const bad = Buffer.from(good);
    bad[1] = 0x5b;
    expect(decodeFrame(FPGA, bad)).toEqual({ error: 'no sync a55a at byte 0' });
  });

  it('frames of varying length (length framing): positions from the end, shortest frame checked', () => {
    const p = profileOf(
      'var',
      `framing: { type: length, size: 1 }
checksum: { type: xor8, at: -1, from: 1 }
fields:
  - { name: a, at: 1, type: uint8 }`,
    );
    expect(p.minLength).toBe(3);
    const frame = encodeFrame(p, new Map([['a', 9]]));
    expect(frame.toString('hex')).toBe('020909'); // length 2, a = 9, xor of [9] = 9
    expect(decodeFrame(p, frame)).toEqual({ values: [9] });
    expect(decodeFrame(p, hex('0109'))).toEqual({ error: 'frame of 2 bytes is shorter than 3, the least var needs' });
  });
});

describe('round trip decode(encode(x))', () => {
  it.each(['sum8', 'xor8', 'crc32', 'crc16-modbus'])('with %s', (type) => {
    const p = profileOf(
      'rt',
      `framing: { type: fixed, size: 24 }
sync: { at: 0, hex: "7E" }
checksum: { type: ${type}, at: 20, from: 1, to: 20 }
fields:
  - { name: a, at: 1, type: int8 }
  - { name: b, at: 2, type: uint16, endian: little }
  - { name: c, at: 4, type: int32 }
  - { name: d, at: 8, type: float64, endian: little }
  - { name: e, at: 16, type: string, length: 4 }`,
    );
    const values = new Map<string, number | string>([
      ['a', -5],
      ['b', 513],
      ['c', -70000],
      ['d', Math.PI],
      ['e', 'OK'],
    ]);
    expect(decodeFrame(p, encodeFrame(p, values))).toEqual({ values: [-5, 513, -70000, Math.PI, 'OK'] });
  });
});
