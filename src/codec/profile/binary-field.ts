/**
 * Binary fields of a profile: their size, and reading / writing the raw value at a byte offset of a
 * buffer (no allocation for the numeric types). Multi-byte types honour `endian`.
 */
import type { ProfileField, ProfileFieldType } from '../../config/types.js';
import { POINT_TYPES } from '../point-codec.js';

const SIZES: Partial<Record<ProfileFieldType, number>> = {
  uint8: 1,
  int8: 1,
  uint16: 2,
  int16: 2,
  uint32: 4,
  int32: 4,
  float32: 4,
  float64: 8,
};

/** Bytes a binary field takes (`length` for a string). */
export function binaryFieldSize(field: Pick<ProfileField, 'type' | 'length'>): number {
  return field.type === 'string' ? (field.length ?? 1) : (SIZES[field.type] ?? 0);
}

/** Bits of a field's integer (0 for types that cannot carry bit fields). */
export function bitWidth(type: ProfileFieldType): number {
  return type === 'uint8' || type === 'int8'
    ? 8
    : type === 'uint16' || type === 'int16'
      ? 16
      : type === 'uint32' || type === 'int32'
        ? 32
        : 0;
}

/** The raw number at `pos` (caller checked the bounds); strings are read with readText. */
export function readRaw(buf: Buffer, pos: number, type: ProfileFieldType, little: boolean): number {
  switch (type) {
    case 'uint8':
      return buf[pos] as number;
    case 'int8':
      return buf.readInt8(pos);
    case 'uint16':
      return little ? buf.readUInt16LE(pos) : buf.readUInt16BE(pos);
    case 'int16':
      return little ? buf.readInt16LE(pos) : buf.readInt16BE(pos);
    case 'uint32':
      return little ? buf.readUInt32LE(pos) : buf.readUInt32BE(pos);
    case 'int32':
      return little ? buf.readInt32LE(pos) : buf.readInt32BE(pos);
    case 'float32':
      return little ? buf.readFloatLE(pos) : buf.readFloatBE(pos);
    case 'float64':
      return little ? buf.readDoubleLE(pos) : buf.readDoubleBE(pos);
    default:
      return Number.NaN;
  }
}

/** latin1 text of `length` bytes at `pos`, cut at the first NUL. */
export function readText(buf: Buffer, pos: number, length: number): string {
  const end = buf.indexOf(0, pos);
  return buf.toString('latin1', pos, end >= 0 && end < pos + length ? end : pos + length);
}

/** Range of each integer type (float types have none). */
export const INT_RANGE: Partial<Record<ProfileFieldType, readonly [number, number]>> = {
  uint8: [0, 0xff],
  int8: [-0x80, 0x7f],
  uint16: POINT_TYPES.uint16.range,
  int16: POINT_TYPES.int16.range,
  uint32: POINT_TYPES.uint32.range,
  int32: POINT_TYPES.int32.range,
};

/** Writes a raw number at `pos` (integers rounded and clamped to the type's range). */
export function writeRaw(buf: Buffer, pos: number, type: ProfileFieldType, little: boolean, raw: number): void {
  const range = INT_RANGE[type];
  const v = range ? Math.min(range[1], Math.max(range[0], Math.round(Number.isFinite(raw) ? raw : 0))) : raw;
  switch (type) {
    case 'uint8':
      buf.writeUInt8(v, pos);
      return;
    case 'int8':
      buf.writeInt8(v, pos);
      return;
    case 'uint16':
      little ? buf.writeUInt16LE(v, pos) : buf.writeUInt16BE(v, pos);
      return;
    case 'int16':
      little ? buf.writeInt16LE(v, pos) : buf.writeInt16BE(v, pos);
      return;
    case 'uint32':
      little ? buf.writeUInt32LE(v, pos) : buf.writeUInt32BE(v, pos);
      return;
    case 'int32':
      little ? buf.writeInt32LE(v, pos) : buf.writeInt32BE(v, pos);
      return;
    case 'float32':
      little ? buf.writeFloatLE(v, pos) : buf.writeFloatBE(v, pos);
      return;
    case 'float64':
      little ? buf.writeDoubleLE(v, pos) : buf.writeDoubleBE(v, pos);
      return;
    default:
      return;
  }
}
