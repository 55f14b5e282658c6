/**
 * The fields of a binary command frame: fixed-size numbers, big- or little-endian. Pure: the size and
 * the range of each type, and writing one value into a frame buffer (the profile codec's writer).
 */
import { binaryFieldSize, INT_RANGE, writeRaw } from '../codec/profile/binary-field.js';

export const COMMAND_FIELD_TYPES = [
  'uint8',
  'int8',
  'uint16',
  'int16',
  'uint32',
  'int32',
  'float32',
  'float64',
] as const;
export type CommandFieldType = (typeof COMMAND_FIELD_TYPES)[number];

export const FIELD_SIZE: Readonly<Record<CommandFieldType, number>> = Object.fromEntries(
  COMMAND_FIELD_TYPES.map((type) => [type, binaryFieldSize({ type })]),
) as Record<CommandFieldType, number>;

export function isCommandFieldType(t: unknown): t is CommandFieldType {
  return (COMMAND_FIELD_TYPES as readonly unknown[]).includes(t);
}

/** Why `value` cannot go into a field of `type` (integers are rounded to the nearest), or undefined. */
export function fieldValueProblem(type: CommandFieldType, value: number): string | undefined {
  if (!Number.isFinite(value)) return `${value} is not a finite number`;
  const range = INT_RANGE[type];
  if (range === undefined) {
    return type === 'float32' && Math.abs(value) > 3.4028234663852886e38 ? `${value} is outside float32` : undefined;
  }
  const v = Math.round(value);
  return v >= range[0] && v <= range[1] ? undefined : `${value} is outside ${type} (${range[0]}..${range[1]})`;
}

/** Writes `value` (already checked with fieldValueProblem) at `offset`. */
export function writeField(buf: Buffer, offset: number, type: CommandFieldType, little: boolean, value: number): void {
  writeRaw(buf, offset, type, little, value);
}
