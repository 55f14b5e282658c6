/**
 * One item of a profile's `fields:`, checked with the keys of the profile's format: binary fields
 * sit at a byte offset, text fields at an index of the split line, register fields at a register
 * address. `point:` defaults to the field's name; `point: null` keeps the field out of the bank (its
 * `bits:` may still land there).
 */
import { bitWidth } from '../../codec/profile/binary-field.js';
import { record, type Infer, type Leaf, type Props as KeyProps } from '../declare/kit.js';
import { choice, int, name, number } from '../declare/leaves.js';
import { failed, isMapping, problem, show, type Problem } from '../issues.js';
import { ORDERS, POINT_TYPES } from '../items/bank-points.js';
import { MAX_FRAME } from '../items/framing.js';
import { BITS, ENUM_VALUES } from './field-maps.js';

export const BINARY_TYPES = [
  'uint8',
  'int8',
  'uint16',
  'int16',
  'uint32',
  'int32',
  'float32',
  'float64',
  'string',
] as const;
export const TEXT_TYPES = ['number', 'string', 'enum'] as const;
export const REGISTER_TYPES = POINT_TYPES.filter((t) => t !== 'bool');

export type ProfileFieldType = (typeof BINARY_TYPES)[number] | (typeof TEXT_TYPES)[number];
export const FORMATS = ['binary', 'text', 'registers'] as const;
export type ProfileFormat = (typeof FORMATS)[number];
type Format = ProfileFormat;

const common = (types: readonly ProfileFieldType[], at: Leaf<number, false>) => ({
  name: name({ doc: 'name of the field (and of its bank point unless point: says otherwise)', required: true }),
  at,
  type: choice(types, { doc: `type: ${types.join(' | ')}`, required: true }),
  scale: number({ doc: 'value = raw * scale + offset', default: 1 }),
  offset: number({ doc: 'value = raw * scale + offset', default: 0 }),
  point: name({ doc: 'the bank point the value lands in (default: the field name; null: not stored)' }),
  bits: BITS,
});

const KEYS = {
  binary: {
    ...common(
      BINARY_TYPES,
      int({ doc: 'byte offset in the frame (0 = first byte)', min: 0, max: MAX_FRAME, required: true }),
    ),
    endian: choice(['big', 'little'], { doc: 'byte order of multi-byte values: big | little', default: 'big' }),
    length: int({ doc: 'string fields: bytes (latin1, NUL-padded)', min: 1, max: 65535 }),
  },
  text: {
    ...common(TEXT_TYPES, int({ doc: 'index of the field in the line (0 = first)', min: 0, max: 255, required: true })),
    values: ENUM_VALUES,
  },
  registers: {
    ...common(REGISTER_TYPES, int({ doc: 'register address (0-based)', min: 0, max: 65535, required: true })),
    order: choice(ORDERS, { doc: `word/byte order: ${ORDERS.join(' | ')}`, default: 'ABCD' }),
    length: int({ doc: 'string fields: registers (two characters each), 1..125', min: 1, max: 125 }),
  },
};

/** The keys of every format, so the rules and the runtime shape see them all. */
type Props = KeyProps<(typeof KEYS)['binary']> &
  Partial<KeyProps<(typeof KEYS)['text']> & KeyProps<(typeof KEYS)['registers']>>;

function rules(format: Format, p: Props): Problem[] {
  const problems: Problem[] = [];
  if (p.scale === 0) problems.push(problem(['scale'], 'is 0: a scale of 0 would lose every value'));
  if (format !== 'text' && p.type === 'string' && p.length === undefined)
    problems.push(problem([], `is a string field: give length: ${format === 'binary' ? 'BYTES' : 'REGISTERS'}`));
  if (p.type !== 'string' && p.length !== undefined)
    problems.push(problem(['length'], `only string fields have a length (this one is ${p.type})`, 'key'));
  if (p.type === 'enum' && p.values === undefined)
    problems.push(problem([], 'is an enum field: give values: { WORD: NUMBER, ... }'));
  if (p.type !== 'enum' && p.values !== undefined)
    problems.push(problem(['values'], `only enum fields have values (this one is ${p.type})`, 'key'));
  if (p.bits !== undefined) {
    const width = format === 'text' ? 0 : bitWidth(p.type);
    if (width === 0) problems.push(problem(['bits'], `only integer fields have bits (this one is ${p.type})`, 'key'));
    for (const [bit] of p.bits) {
      if (width > 0 && Number(bit) >= width)
        problems.push(
          problem(['bits', bit], `bit ${bit} is past the ${width} bits of a ${p.type} (0..${width - 1})`, 'key'),
        );
    }
  }
  return problems;
}

const field = (format: Format) =>
  record({ doc: `a field of a ${format} profile` }, KEYS[format] as (typeof KEYS)['binary'], {
    pre: (raw) => {
      if (!isMapping(raw))
        return failed([problem([], `${show(raw)} is not a field: write { name: N, at: 0, type: uint16 }`)]);
      return {
        input: raw.point === null ? Object.fromEntries(Object.entries(raw).filter(([k]) => k !== 'point')) : raw,
      };
    },
    check: (p) => rules(format, p as Props),
    finish: (props, raw) => {
      // `point` absent: the field's name; `point: null`: not stored (its bits may still be)
      const { point, bits, ...p } = props as Props;
      const stored = raw.point === null ? undefined : (point ?? p.name);
      return {
        ...p,
        endian: p.endian ?? 'big',
        order: p.order ?? 'ABCD',
        ...(stored !== undefined ? { point: stored } : {}),
        ...(bits !== undefined ? { bits: new Map(bits.map(([b, n]) => [Number(b), n])) } : {}),
      };
    },
  });

export const FIELD = { binary: field('binary'), text: field('text'), registers: field('registers') };

export type ProfileField = Infer<(typeof FIELD)['binary']>;
