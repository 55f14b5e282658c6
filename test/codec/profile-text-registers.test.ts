/** Text profiles (enum, number, string by index) and register layouts (point types, word orders). */
import { describe, expect, it } from 'vitest';
import { decodeFrame } from '../../src/codec/profile/decode.js';
import { encodeFrame, encodeRegisters, registerSpan } from '../../src/codec/profile/encode.js';
import { profileOf } from './profile-helpers.js';

const CAMERA = profileOf(
  'camera',
  `format: text
framing: { type: line, delimiter: "\\r\\n", max: 256 }
separator: ","
fields:
  - { name: status, at: 0, type: enum, values: { OK: 1, NG: 2, ER: 3 } }
  - { name: result, at: 1, type: number }
  - { name: code, at: 2, type: string }
  - { name: mm, at: 3, type: number, scale: 0.1 }`,
);

describe('text profiles', () => {
  it('a line is split at the separator; enum words mapped, numbers scaled, text kept', () => {
    expect(decodeFrame(CAMERA, Buffer.from('NG,87.5,A1,123\r\n'))).toEqual({ values: [2, 87.5, 'A1', 12.3] });
  });

  it('encodes the line with the delimiter; an enum takes its number or its word', () => {
    const values = new Map<string, number | string>([
      ['status', 1],
      ['result', 42],
      ['code', 'B7'],
      ['mm', 12.3],
    ]);
    expect(encodeFrame(CAMERA, values).toString('latin1')).toBe('OK,42,B7,123\r\n');
    values.set('status', 'ER');
    expect(decodeFrame(CAMERA, encodeFrame(CAMERA, values))).toEqual({ values: [3, 42, 'B7', 12.3] });
  });

  it.each([
    ['XX,1,A,1\r\n', 'field status: "XX" is not one of OK, NG, ER'],
    ['OK,abc,A,1\r\n', 'field result: "abc" is not a number'],
    ['OK,,A,1\r\n', 'field result: "" is not a number'],
    ['OK,1\r\n', 'line has 2 fields: code is field 2 (counting from 0)'],
  ])('%j is refused: %s', (line, error) => {
    expect(decodeFrame(CAMERA, Buffer.from(line))).toEqual({ error });
  });
});

const PRESS = profileOf(
  'press',
  `format: registers
fields:
  - { name: count, at: 10, type: uint32, order: CDAB }
  - { name: speed, at: 12, type: float32, order: CDAB }
  - { name: state, at: 14, type: uint16 }
  - { name: recipe, at: 15, type: string, length: 4 }
  - { name: temp, at: 19, type: int16, scale: 0.1 }`,
);

describe('register layouts', () => {
  it('cover their span from the lowest address', () => {
    expect(registerSpan(PRESS)).toEqual({ address: 10, count: 10 });
  });

  it('words in the point order: uint32 and float32 CDAB (low word first), strings two characters a register', () => {
    const words = encodeRegisters(
      PRESS,
      new Map<string, number | string>([
        ['count', 0x12345678],
        ['speed', 123.456],
        ['state', 2],
        ['recipe', 'PART-A'],
        ['temp', -1.5],
      ]),
    );
    expect([...words].map((w) => w.toString(16).padStart(4, '0'))).toEqual([
      '5678',
      '1234', // count CDAB
      'e979',
      '42f6', // 123.456 = 42F6E979, CDAB
      '0002',
      '5041',
      '5254',
      '2d41',
      '0000', // "PART-A"
      'fff1', // -15
    ]);
  });

  it('decode(encode(x)) as bytes', () => {
    const values = new Map<string, number | string>([
      ['count', 4000000000],
      ['speed', 0.5],
      ['state', 1],
      ['recipe', 'AB'],
      ['temp', 21.5],
    ]);
    expect(decodeFrame(PRESS, encodeFrame(PRESS, values))).toEqual({ values: [4000000000, 0.5, 1, 'AB', 21.5] });
  });

  it('a frame of the wrong size is refused', () => {
    expect(decodeFrame(PRESS, Buffer.alloc(4))).toEqual({
      error: 'frame of 4 bytes: press covers 10 registers (20 bytes)',
    });
  });
});
