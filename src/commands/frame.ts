/**
 * Builds the bytes a command sends, from its frame config and the values at the time of the trigger.
 * Pure: the values come from `source` (the written value under `value`, other points by name), and a
 * value that cannot go into the frame (a point that is gone, a number too big for its field, text in
 * a number field) is returned as the reason, never thrown.
 */
import type { PointValue } from '../bank/point-codec.js';
import type { CommandFieldValue, CommandFrame } from '../config/types.js';
import { FIELD_SIZE, fieldValueProblem, isCommandFieldType, writeField, type CommandFieldType } from './binary-field.js';
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
        if (/[^\x00-\xff]/.test(text)) return `the value of {${part.name}} holds a character that is not one byte`;
        out += text;
      }
      return Buffer.from(out, 'latin1');
    },
  };
}

interface Field {
  readonly type: CommandFieldType;
  readonly little: boolean;
  readonly value: CommandFieldValue;
  readonly offset: number;
}

function fieldNumber(field: Field, source: ValueSource): number | string {
  const { value } = field;
  if (typeof value === 'number') return value;
  const name = value === 'value' ? 'value' : value.point;
  const v = source(name);
  if (v === undefined) return missing(name);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') return `{${name}} is text (${JSON.stringify(v)}): a ${field.type} field takes a number`;
  return v;
}

function compileBinary(fields: Extract<CommandFrame, { kind: 'binary' }>['fields']): CompiledFrame | string {
  const laid: Field[] = [];
  let size = 0;
  for (const f of fields) {
    if (!isCommandFieldType(f.type)) return `${f.type} is not a binary field type`;
    laid.push({ type: f.type, little: f.endian === 'little', value: f.value, offset: size });
    size += FIELD_SIZE[f.type];
  }
  return {
    build(source) {
      const buf = Buffer.alloc(size);
      for (const field of laid) {
        const n = fieldNumber(field, source);
        if (typeof n === 'string') return n;
        const bad = fieldValueProblem(field.type, n);
        if (bad !== undefined) return bad;
        writeField(buf, field.offset, field.type, field.little, n);
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
