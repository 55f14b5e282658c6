/**
 * `framing:` of a raw server or a raw device: how a byte stream is cut into frames. Written as a
 * mapping with `type` and that type's keys (each type has its own convict schema, strict), or as the
 * type alone (`framing: line`) for its defaults. Omitted: `none`.
 */
import type { SchemaDef } from '../convict-bridge.js';
import { defineFormat } from '../convict-bridge.js';
import { CHOICE, SIZE } from '../formats.js';
import { failed, isMapping, ok, problem, show, type Checked, type Problem } from '../issues.js';
import { runSchema } from '../run-schema.js';
import { sizeBytes } from '../size.js';
import type { Framing, FramingType } from '../types.js';

export const FRAMING_TYPES: readonly FramingType[] = ['none', 'line', 'length', 'fixed'];
/** No frame may be larger than this (16 MiB): it is held in memory whole. */
export const MAX_FRAME = 16 * 1024 * 1024;
export const NO_FRAMING: Framing = { type: 'none' };

const DELIMITER = defineFormat('fg-delimiter', (v) => {
  if (typeof v !== 'string') return `${show(v)} is not a delimiter: write it in quotes with escapes, e.g. "\\n" or "\\r\\n"`;
  if (v.length < 1 || v.length > 8) return `${show(v)} is ${v.length} bytes: a delimiter has 1 to 8`;
  if ([...v].some((c) => c.charCodeAt(0) > 0xff || c.length > 1)) {
    return `${show(v)} has a character that is not one byte: use \\xNN escapes for bytes above 0x7F`;
  }
  return undefined;
});

const TYPE = {
  doc: `how frames end: ${FRAMING_TYPES.join(' | ')}`,
  format: CHOICE, values: FRAMING_TYPES, default: undefined, required: true,
} as const;

const max = (def: string) => ({
  doc: `largest frame in bytes, its delimiter or length prefix not counted (at most ${MAX_FRAME}); a bigger one closes the session`,
  format: SIZE, min: 1, max: MAX_FRAME, default: def,
});

const SCHEMAS: Readonly<Record<FramingType, SchemaDef>> = {
  none: { type: TYPE },
  line: {
    type: TYPE,
    delimiter: { doc: 'the bytes that end a line, 1..8, in quotes with escapes ("\\n", "\\r\\n", "\\x03")', format: DELIMITER, default: '\n' },
    max: max('4KiB'),
  },
  length: {
    type: TYPE,
    size: { doc: 'bytes of the length prefix: 1, 2 or 4', format: CHOICE, values: [1, 2, 4], default: 2 },
    endian: { doc: 'byte order of the length prefix: big | little', format: CHOICE, values: ['big', 'little'], default: 'big' },
    counts: {
      doc: 'what the length counts: payload (the bytes after the prefix) | frame (the prefix too)',
      format: CHOICE, values: ['payload', 'frame'], default: 'payload',
    },
    max: max('64KiB'),
  },
  fixed: {
    type: TYPE,
    size: { doc: `bytes in every frame, 1..${MAX_FRAME}`, format: SIZE, min: 1, max: MAX_FRAME, default: undefined, required: true },
  },
};

type FramingProps =
  | { type: 'none' }
  | { type: 'line'; delimiter: string; max: number | string }
  | { type: 'length'; size: 1 | 2 | 4; endian: 'big' | 'little'; counts: 'payload' | 'frame'; max: number | string }
  | { type: 'fixed'; size: number | string };

const SHAPE = 'write e.g. { type: line, delimiter: "\\r\\n" }, { type: length, size: 2 }, { type: fixed, size: 64 } or none';

export function checkFraming(raw: unknown): Checked<Framing> {
  const input = typeof raw === 'string' ? { type: raw } : raw;
  if (!isMapping(input)) return failed([problem([], `${show(raw)} is not a framing: ${SHAPE}`)]);
  const type = input.type;
  if (!FRAMING_TYPES.includes(type as FramingType)) {
    const message = type == null
      ? `needs a type: ${FRAMING_TYPES.join(', ')}`
      : `${show(type)} is not a framing: use ${FRAMING_TYPES.join(', ')}`;
    return failed([problem(typeof raw === 'string' ? [] : ['type'], message)]);
  }
  const checked = runSchema<FramingProps>(SCHEMAS[type as FramingType], input);
  if (checked.value === undefined) return failed(checked.problems);
  return ok(buildFraming(checked.value));
}

export function framingProblems(raw: unknown): readonly Problem[] {
  return checkFraming(raw).problems;
}

function buildFraming(p: FramingProps): Framing {
  switch (p.type) {
    case 'none':
      return NO_FRAMING;
    case 'line':
      return { type: 'line', delimiter: p.delimiter, max: sizeBytes(p.max) };
    case 'length':
      return { type: 'length', size: p.size, endian: p.endian, counts: p.counts, max: sizeBytes(p.max) };
    case 'fixed':
      return { type: 'fixed', size: sizeBytes(p.size) };
  }
}

/** The schema leaf of a `framing:` key (servers and devices). */
export const FRAMING_LEAF = {
  doc: `how the byte stream is cut into frames: ${FRAMING_TYPES.join(' | ')}, e.g. { type: line, delimiter: "\\r\\n", max: 1024 } (omit: none)`,
  format: Object, default: null, nullable: true, scalarToo: true, check: framingProblems,
} as const;
