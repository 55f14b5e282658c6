/**
 * Builds the bytes a command sends, from its frame config and the values at the time of the trigger.
 * Pure: the values come from `source` (the written value under `value`, other points by name), and a
 * value that cannot go into the frame (a point that is gone, a number too big for its field, text in
 * a number field) is returned as the reason, never thrown.
 */
import type { PointValue } from '../codec/point-codec.js';
import { checksumSize, writeChecksum } from '../codec/profile/checksum.js';
import type { ChecksumType, CommandFieldValue, CommandFrame, CommandFramePart } from '../config/types.js';
import {
  FIELD_SIZE,
  fieldValueProblem,
  isCommandFieldType,
  writeField,
  type CommandFieldType,
} from './binary-field.js';
import { parseTemplate, type TemplatePart } from './template.js';

/** `value` -> the written value; a point name -> that point's value; undefined: no such point. */
export type ValueSource = (name: string) => PointValue | undefined;

export interface CompiledFrame {
  /** The frame, or why it cannot be built. */
  build(source: ValueSource): Buffer | string;
}

/** Shortest text that reads back as the same float32, else the number as JavaScript prints it. */
export function formatValue(v: PointValue): string {
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (typeof v === 'string' || Number.isInteger(v) || Math.fround(v) !== v) return String(v);
  for (let digits = 1; digits <= 9; digits++) {
    const text = v.toPrecision(digits);
    if (Math.fround(Number(text)) === v) return String(Number(text));
  }
  return String(v);
}

function missing(name: string): string {
  return `point "${name}" is not in the bank`;
}

function compileText(parts: readonly TemplatePart[]): CompiledFrame {
  return {
    build(source) {
      let out = '';
      for (const part of parts) {
        if ('text' in part) {
          out += part.text;
          continue;
        }
        const v = source(part.name);
        if (v === undefined) return missing(part.name);
        const text = formatValue(v);
        // eslint-disable-next-line no-control-regex -- \x00-\xff: every character that is one byte
        if (/[^\x00-\xff]/.test(text)) return `the value of {${part.name}} holds a character that is not one byte`;
        out += text;
      }
      return Buffer.from(out, 'latin1');
    },
  };
}

type NumberPart = Extract<CommandFramePart, { type: unknown }>;

/** A part of a binary frame at its offset. */
type Laid =
  | {
      readonly kind: 'number';
      readonly type: CommandFieldType;
      readonly little: boolean;
      readonly value: CommandFieldValue;
      readonly offset: number;
    }
  | { readonly kind: 'hex'; readonly bytes: Buffer; readonly offset: number }
  | {
      readonly kind: 'checksum';
      readonly type: ChecksumType;
      readonly from: number;
      readonly little: boolean;
      readonly offset: number;
    };

function fieldNumber(field: Extract<Laid, { kind: 'number' }>, source: ValueSource): number | string {
  const { value } = field;
  if (typeof value === 'number') return value;
  const name = value === 'value' ? 'value' : value.point;
  const v = source(name);
  if (v === undefined) return missing(name);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') return `{${name}} is text (${JSON.stringify(v)}): a ${field.type} field takes a number`;
  return v;
}

/** The size of a binary frame part (a number field's type must be a command field type). */
export function partSize(part: CommandFramePart): number {
  if ('hex' in part) return part.hex.length;
  if ('checksum' in part) return checksumSize(part.checksum);
  return isCommandFieldType(part.type) ? FIELD_SIZE[part.type] : 0;
}

function lay(part: CommandFramePart, offset: number): Laid | string {
  if ('hex' in part) return { kind: 'hex', bytes: part.hex, offset };
  if ('checksum' in part) {
    if (part.from >= offset) return `the checksum at byte ${offset} covers nothing: from ${part.from} is not before it`;
    return { kind: 'checksum', type: part.checksum, from: part.from, little: part.endian === 'little', offset };
  }
  const number: NumberPart = part;
  return { kind: 'number', type: number.type, little: number.endian === 'little', value: number.value, offset };
}

function compileBinary(parts: readonly CommandFramePart[]): CompiledFrame | string {
  const laid: Laid[] = [];
  let size = 0;
  for (const part of parts) {
    const l = lay(part, size);
    if (typeof l === 'string') return l;
    laid.push(l);
    size += partSize(part);
  }
  return {
    build(source) {
      const buf = Buffer.alloc(size);
      // in order, so a checksum covers the values written before it
      for (const part of laid) {
        if (part.kind === 'hex') {
          part.bytes.copy(buf, part.offset);
        } else if (part.kind === 'checksum') {
          writeChecksum(part.type, buf, part.from, part.offset, part.offset, part.little);
        } else {
          const n = fieldNumber(part, source);
          if (typeof n === 'string') return n;
          const bad = fieldValueProblem(part.type, n);
          if (bad !== undefined) return bad;
          writeField(buf, part.offset, part.type, part.little, n);
        }
      }
      return buf;
    },
  };
}

/** The frame builder, or why the frame config cannot be built (validation refuses such configs). */
export function compileFrame(frame: CommandFrame): CompiledFrame | string {
  if (frame.kind === 'binary') return compileBinary(frame.fields);
  const parsed = parseTemplate(frame.template);
  return 'error' in parsed ? parsed.error : compileText(parsed.parts);
}
