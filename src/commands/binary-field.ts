/**
 * The fields of a binary command frame: fixed-size numbers, big- or little-endian. Pure: the size and
 * the range of each type, and writing one value into a frame buffer.
 */

export const COMMAND_FIELD_TYPES = ['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'float32', 'float64'] as const;
export type CommandFieldType = (typeof COMMAND_FIELD_TYPES)[number];

export const FIELD_SIZE: Readonly<Record<CommandFieldType, number>> = {
  uint8: 1, int8: 1, uint16: 2, int16: 2, uint32: 4, int32: 4, float32: 4, float64: 8,
};

const INT_RANGE: Readonly<Partial<Record<CommandFieldType, readonly [number, number]>>> = {
  uint8: [0, 0xff],
  int8: [-0x80, 0x7f],
  uint16: [0, 0xffff],
  int16: [-0x8000, 0x7fff],
  uint32: [0, 0xffffffff],
  int32: [-0x80000000, 0x7fffffff],
};

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
  const v = INT_RANGE[type] ? Math.round(value) : value;
  switch (type) {
    case 'uint8': buf.writeUInt8(v, offset); break;
    case 'int8': buf.writeInt8(v, offset); break;
    case 'uint16': little ? buf.writeUInt16LE(v, offset) : buf.writeUInt16BE(v, offset); break;
    case 'int16': little ? buf.writeInt16LE(v, offset) : buf.writeInt16BE(v, offset); break;
    case 'uint32': little ? buf.writeUInt32LE(v, offset) : buf.writeUInt32BE(v, offset); break;
    case 'int32': little ? buf.writeInt32LE(v, offset) : buf.writeInt32BE(v, offset); break;
    case 'float32': little ? buf.writeFloatLE(v, offset) : buf.writeFloatBE(v, offset); break;
    case 'float64': little ? buf.writeDoubleLE(v, offset) : buf.writeDoubleBE(v, offset); break;
  }
}
