/**
 * Typed points over 16-bit registers: the value codec. Pure: numbers in, register words out, and back.
 *
 * Word/byte order names the order of the value's big-endian bytes A B C D (E F G H for 64-bit) as
 * they appear in consecutive registers, each register written high byte first:
 *   ABCD  big-endian (Modbus default): registers AB, CD
 *   CDAB  word swap (many PLCs, Omron's DINT/REAL among them): registers CD, AB
 *   BADC  byte swap inside each word: registers BA, DC
 *   DCBA  little-endian: registers DC, BA
 * For 64-bit values the same rule applies to four words (CDAB reverses the word order).
 * Strings hold two characters per register, the first in the high byte (ABCD/CDAB) or in the low byte
 * (BADC/DCBA); a NUL ends the text.
 * Engineering value = raw * scale + offset (numeric types).
 */

export type PointType = 'bool' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64' | 'string';
export type WordOrder = 'ABCD' | 'CDAB' | 'BADC' | 'DCBA';

export interface PointFormat {
  readonly type: PointType;
  readonly order: WordOrder;
  readonly scale: number;
  readonly offset: number;
  /** Registers of a string point. */
  readonly length?: number;
}

export type PointValue = number | boolean | string;

/** One point type: the registers it takes (a string: its `length`) and, for an integer, its range. */
export interface PointTypeInfo {
  readonly registers: number;
  /** [min, max] of an integer type's raw value; floats, bool and string have none. */
  readonly range?: readonly [number, number];
}

/** The point types, with their sizes and ranges (the one place a point type's range is written). */
export const POINT_TYPES = {
  bool: { registers: 1 },
  int16: { registers: 1, range: [-0x8000, 0x7fff] },
  uint16: { registers: 1, range: [0, 0xffff] },
  int32: { registers: 2, range: [-0x80000000, 0x7fffffff] },
  uint32: { registers: 2, range: [0, 0xffffffff] },
  float32: { registers: 2 },
  float64: { registers: 4 },
  string: { registers: 1 },
} as const satisfies Readonly<Record<PointType, PointTypeInfo>>;

/** The range of integer point type `type`; undefined for the other types and for any other name. */
export function intRange(type: string): readonly [number, number] | undefined {
  return Object.hasOwn(POINT_TYPES, type) ? (POINT_TYPES[type as PointType] as PointTypeInfo).range : undefined;
}

/** Registers a point of this format occupies (1 for bool: one register, or one bit in a bit table). */
export function registerCount(format: Pick<PointFormat, 'type' | 'length'>): number {
  return format.type === 'string' ? (format.length ?? 1) : POINT_TYPES[format.type].registers;
}

/** Big-endian bytes -> registers in `order`. */
function toWords(bytes: Buffer, order: WordOrder): Uint16Array {
  const n = bytes.length >> 1;
  const out = new Uint16Array(n);
  const swapWords = order === 'CDAB' || order === 'DCBA';
  const swapBytes = order === 'BADC' || order === 'DCBA';
  for (let i = 0; i < n; i++) {
    const src = swapWords ? n - 1 - i : i;
    const hi = bytes[2 * src] ?? 0;
    const lo = bytes[2 * src + 1] ?? 0;
    out[i] = swapBytes ? (lo << 8) | hi : (hi << 8) | lo;
  }
  return out;
}

/** Registers in `order` -> big-endian bytes. toWords is its own inverse for every order. */
function toBytes(words: ArrayLike<number>, order: WordOrder): Buffer {
  const n = words.length;
  const bytes = Buffer.alloc(2 * n);
  const swapWords = order === 'CDAB' || order === 'DCBA';
  const swapBytes = order === 'BADC' || order === 'DCBA';
  for (let i = 0; i < n; i++) {
    const w = words[i] ?? 0;
    const dst = swapWords ? n - 1 - i : i;
    bytes[2 * dst] = swapBytes ? w & 0xff : w >>> 8;
    bytes[2 * dst + 1] = swapBytes ? w >>> 8 : w & 0xff;
  }
  return bytes;
}

function rawBytes(type: PointType, raw: number): Buffer | string {
  const range = intRange(type);
  if (range) {
    const v = Math.round(raw);
    if (!Number.isFinite(raw) || v < range[0] || v > range[1])
      return `${raw} is outside ${type} (${range[0]}..${range[1]})`;
    const b = Buffer.alloc(type.endsWith('16') ? 2 : 4);
    if (type === 'int16') b.writeInt16BE(v);
    else if (type === 'uint16') b.writeUInt16BE(v);
    else if (type === 'int32') b.writeInt32BE(v);
    else b.writeUInt32BE(v);
    return b;
  }
  const b = Buffer.alloc(type === 'float32' ? 4 : 8);
  if (type === 'float32') b.writeFloatBE(raw);
  else b.writeDoubleBE(raw);
  return b;
}

function encodeString(format: PointFormat, text: string): Uint16Array | string {
  const bytes = Buffer.alloc(2 * registerCount(format));
  const src = Buffer.from(text, 'latin1');
  if (src.length > bytes.length) return `"${text}" is longer than ${bytes.length} characters`;
  src.copy(bytes);
  const swapBytes = format.order === 'BADC' || format.order === 'DCBA';
  return toWords(bytes, swapBytes ? 'BADC' : 'ABCD');
}

/** Encodes an engineering value into registers; a string result is the reason it cannot be encoded. */
export function encodePoint(format: PointFormat, value: PointValue): Uint16Array | string {
  if (format.type === 'string') return encodeString(format, String(value));
  if (format.type === 'bool')
    return Uint16Array.of(value === true || (typeof value === 'number' && value !== 0) ? 1 : 0);
  if (typeof value !== 'number') return `${JSON.stringify(value)} is not a number`;
  const raw = (value - format.offset) / format.scale;
  const bytes = rawBytes(format.type, raw);
  return typeof bytes === 'string' ? bytes : toWords(bytes, format.order);
}

/** Decodes registers (exactly registerCount of them) into the engineering value. */
export function decodePoint(format: PointFormat, words: ArrayLike<number>): PointValue {
  const { type, order } = format;
  if (type === 'bool') return (words[0] ?? 0) !== 0;
  if (type === 'string') {
    const swapBytes = order === 'BADC' || order === 'DCBA';
    const text = toBytes(words, swapBytes ? 'BADC' : 'ABCD').toString('latin1');
    const end = text.indexOf('\0');
    return end >= 0 ? text.slice(0, end) : text;
  }
  const b = toBytes(words, order);
  const raw =
    type === 'int16'
      ? b.readInt16BE()
      : type === 'uint16'
        ? b.readUInt16BE()
        : type === 'int32'
          ? b.readInt32BE()
          : type === 'uint32'
            ? b.readUInt32BE()
            : type === 'float32'
              ? b.readFloatBE()
              : b.readDoubleBE();
  return raw * format.scale + format.offset;
}
