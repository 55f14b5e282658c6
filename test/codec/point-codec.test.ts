/**
 * Typed point codec against a table of known encodings. The float32 123.456 vectors are the ones
 * Modbus tools print for that value: IEEE-754 0x42F6E979, bytes A=42 B=F6 C=E9 D=79.
 */
import { describe, expect, it } from 'vitest';
import {
  decodePoint,
  encodePoint,
  registerCount,
  type PointFormat,
  type PointType,
  type WordOrder,
} from '../../src/codec/point-codec.js';

const fmt = (type: PointType, order: WordOrder = 'ABCD', extra: Partial<PointFormat> = {}): PointFormat => ({
  type,
  order,
  scale: 1,
  offset: 0,
  ...extra,
});
const hex = (w: Uint16Array | string) =>
  typeof w === 'string' ? w : [...w].map((x) => x.toString(16).padStart(4, '0')).join(' ');

describe('known encodings', () => {
  it.each<[PointType, WordOrder, number, string]>([
    ['float32', 'ABCD', 123.456, '42f6 e979'],
    ['float32', 'CDAB', 123.456, 'e979 42f6'],
    ['float32', 'BADC', 123.456, 'f642 79e9'],
    ['float32', 'DCBA', 123.456, '79e9 f642'],
    ['int32', 'ABCD', 0x12345678, '1234 5678'],
    ['int32', 'CDAB', 0x12345678, '5678 1234'],
    ['int32', 'BADC', 0x12345678, '3412 7856'],
    ['int32', 'DCBA', 0x12345678, '7856 3412'],
    ['int32', 'ABCD', -2, 'ffff fffe'],
    ['uint32', 'ABCD', 4294967295, 'ffff ffff'],
    ['int16', 'ABCD', -1, 'ffff'],
    ['int16', 'BADC', 0x1234, '3412'],
    ['uint16', 'ABCD', 65535, 'ffff'],
    // float64 1.0 = 3FF0 0000 0000 0000
    ['float64', 'ABCD', 1, '3ff0 0000 0000 0000'],
    ['float64', 'CDAB', 1, '0000 0000 0000 3ff0'],
    ['float64', 'BADC', 1, 'f03f 0000 0000 0000'],
    ['float64', 'DCBA', 1, '0000 0000 0000 f03f'],
    // float64 123.456 = 405E DD2F 1A9F BE77
    ['float64', 'ABCD', 123.456, '405e dd2f 1a9f be77'],
    ['float64', 'DCBA', 123.456, '77be 9f1a 2fdd 5e40'],
  ])('%s %s %d -> %s', (type, order, value, words) => {
    const f = fmt(type, order);
    const enc = encodePoint(f, value);
    expect(hex(enc)).toBe(words);
    const back = decodePoint(f, enc as Uint16Array) as number;
    if (type === 'float32') expect(back).toBeCloseTo(value, 3);
    else expect(back).toBe(value);
  });

  it('strings: two characters per register, NUL-padded; BADC swaps the bytes', () => {
    const f = fmt('string', 'ABCD', { length: 3 });
    expect(hex(encodePoint(f, 'OK,1'))).toBe('4f4b 2c31 0000');
    expect(decodePoint(f, encodePoint(f, 'OK,1') as Uint16Array)).toBe('OK,1');
    const swapped = fmt('string', 'BADC', { length: 2 });
    expect(hex(encodePoint(swapped, 'ABC'))).toBe('4241 0043');
    expect(decodePoint(swapped, Uint16Array.of(0x4241, 0x0043))).toBe('ABC');
    expect(encodePoint(f, 'too long!')).toMatch(/longer than 6 characters/);
  });

  it('bool: non-zero register is true', () => {
    expect(hex(encodePoint(fmt('bool'), true))).toBe('0001');
    expect(decodePoint(fmt('bool'), [0])).toBe(false);
    expect(decodePoint(fmt('bool'), [7])).toBe(true);
  });
});

describe('scale and offset', () => {
  it('engineering value = raw * scale + offset, rounded to the integer type', () => {
    const temp = fmt('int16', 'ABCD', { scale: 0.1, offset: -50 });
    expect(hex(encodePoint(temp, 21.5))).toBe(hex(Uint16Array.of(715)));
    expect(decodePoint(temp, [715])).toBeCloseTo(21.5, 9);
  });

  it('values outside the integer type are refused with a reason, never wrapped', () => {
    expect(encodePoint(fmt('int16'), 40000)).toBe('40000 is outside int16 (-32768..32767)');
    expect(encodePoint(fmt('uint16'), -1)).toMatch(/outside uint16/);
    expect(encodePoint(fmt('uint32', 'ABCD', { scale: 0.01 }), 50_000_000)).toMatch(/outside uint32/);
    expect(encodePoint(fmt('int32'), Number.NaN)).toMatch(/outside int32/);
    expect(encodePoint(fmt('int32'), 'abc')).toBe('"abc" is not a number');
  });
});

describe('register counts', () => {
  it.each<[PointType, number]>([
    ['bool', 1],
    ['int16', 1],
    ['uint16', 1],
    ['int32', 2],
    ['uint32', 2],
    ['float32', 2],
    ['float64', 4],
  ])('%s takes %i', (type, n) => expect(registerCount({ type })).toBe(n));
  it('a string takes its length', () => expect(registerCount({ type: 'string', length: 8 })).toBe(8));
});
