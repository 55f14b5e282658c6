/**
 * One item of a profile's `fields:`, validated with the convict schema of the profile's format
 * (strict): binary fields sit at a byte offset, text fields at an index of the split line, register
 * fields at a register address. `point:` defaults to the field's name; `point: null` keeps the
 * field out of the bank (its `bits:` may still land there).
 */
import { ORDERS, POINT_TYPES } from '../items/bank-points.js';
import type { SchemaDef } from '../convict-bridge.js';
import { CHOICE, INT, NAME, NUMBER } from '../formats.js';
import { failed, isMapping, ok, problem, show, type Checked, type Problem } from '../issues.js';
import { MAX_FRAME } from '../items/framing.js';
import { runSchema } from '../run-schema.js';
import type { ProfileConfig, ProfileField, ProfileFieldType } from '../types.js';
import { bitWidth } from '../../codec/profile/binary-field.js';
import { checkBits, checkEnumValues } from './field-maps.js';

export const BINARY_TYPES = ['uint8', 'int8', 'uint16', 'int16', 'uint32', 'int32', 'float32', 'float64', 'string'] as const;
export const TEXT_TYPES = ['number', 'string', 'enum'] as const;
export const REGISTER_TYPES = POINT_TYPES.filter((t) => t !== 'bool');

type Format = ProfileConfig['format'];

const common = (types: readonly string[], at: SchemaDef[string]): SchemaDef => ({
  name: { doc: 'name of the field (and of its bank point unless point: says otherwise)', format: NAME, default: undefined, required: true },
  at,
  type: { doc: `type: ${types.join(' | ')}`, format: CHOICE, values: types, default: undefined, required: true },
  scale: { doc: 'value = raw * scale + offset', format: NUMBER, default: 1 },
  offset: { doc: 'value = raw * scale + offset', format: NUMBER, default: 0 },
  point: { doc: 'the bank point the value lands in (default: the field name; null: not stored)', format: NAME, default: undefined },
  bits: { doc: 'bit number (0 = least significant) -> bool point, e.g. { 0: running, 1: fault }', format: Object, default: null, nullable: true, check: checkBits },
});

const SCHEMAS: Readonly<Record<Format, SchemaDef>> = {
  binary: {
    ...common(BINARY_TYPES, { doc: 'byte offset in the frame (0 = first byte)', format: INT, min: 0, max: MAX_FRAME, default: undefined, required: true }),
    endian: { doc: 'byte order of multi-byte values: big | little', format: CHOICE, values: ['big', 'little'], default: 'big' },
    length: { doc: 'string fields: bytes (latin1, NUL-padded)', format: INT, min: 1, max: 65535, default: undefined },
  },
  text: {
    ...common(TEXT_TYPES, { doc: 'index of the field in the line (0 = first)', format: INT, min: 0, max: 255, default: undefined, required: true }),
    values: { doc: 'enum fields: word -> number, e.g. { OK: 1, NG: 2 }', format: Object, default: null, nullable: true, check: checkEnumValues },
  },
  registers: {
    ...common(REGISTER_TYPES, { doc: 'register address (0-based)', format: INT, min: 0, max: 65535, default: undefined, required: true }),
    order: { doc: `word/byte order: ${ORDERS.join(' | ')}`, format: CHOICE, values: ORDERS, default: 'ABCD' },
    length: { doc: 'string fields: registers (two characters each), 1..125', format: INT, min: 1, max: 125, default: undefined },
  },
};

interface FieldProps {
  name: string; at: number; type: ProfileFieldType; scale: number; offset: number; point?: string;
  bits: Record<string, string> | null; endian?: 'big' | 'little'; order?: ProfileField['order'];
  length?: number; values?: Record<string, number> | null;
}

function rules(format: Format, p: FieldProps): Problem[] {
  const problems: Problem[] = [];
  if (p.scale === 0) problems.push(problem(['scale'], 'is 0: a scale of 0 would lose every value'));
  if (format !== 'text' && p.type === 'string' && p.length === undefined) problems.push(problem([], `is a string field: give length: ${format === 'binary' ? 'BYTES' : 'REGISTERS'}`));
  if (p.type !== 'string' && p.length !== undefined) problems.push(problem(['length'], `only string fields have a length (this one is ${p.type})`, 'key'));
  if (p.type === 'enum' && p.values == null) problems.push(problem([], 'is an enum field: give values: { WORD: NUMBER, ... }'));
  if (p.type !== 'enum' && p.values != null) problems.push(problem(['values'], `only enum fields have values (this one is ${p.type})`, 'key'));
  if (p.bits !== null) {
    const width = format === 'text' ? 0 : bitWidth(p.type);
    if (width === 0) problems.push(problem(['bits'], `only integer fields have bits (this one is ${p.type})`, 'key'));
    for (const bit of Object.keys(p.bits)) {
      if (width > 0 && Number(bit) >= width) problems.push(problem(['bits', bit], `bit ${bit} is past the ${width} bits of a ${p.type} (0..${width - 1})`, 'key'));
    }
  }
  return problems;
}

export function checkField(format: Format, raw: unknown): Checked<ProfileField> {
  if (!isMapping(raw)) return failed([problem([], `${show(raw)} is not a field: write { name: N, at: 0, type: uint16 }`)]);
  const noPoint = raw.point === null;
  const input = noPoint ? Object.fromEntries(Object.entries(raw).filter(([k]) => k !== 'point')) : raw;
  const checked = runSchema<FieldProps>(SCHEMAS[format], input);
  if (checked.value === undefined) return failed(checked.problems);
  const p = checked.value;
  const problems = rules(format, p);
  if (problems.length > 0) return failed(problems);
  const point = noPoint ? undefined : (p.point ?? p.name);
  return ok({
    name: p.name, at: p.at, type: p.type, endian: p.endian ?? 'big', order: p.order ?? 'ABCD', scale: p.scale, offset: p.offset,
    ...(p.length !== undefined ? { length: p.length } : {}),
    ...(p.values != null ? { values: new Map(Object.entries(p.values)) } : {}),
    ...(point !== undefined ? { point } : {}),
    ...(p.bits !== null ? { bits: new Map(Object.entries(p.bits).map(([b, n]) => [Number(b), n])) } : {}),
  });
}
