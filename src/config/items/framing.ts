/**
 * `framing:` of a raw server, a raw device or a profile: how a byte stream is cut into frames.
 * Written as a mapping with `type` and that type's keys, or as the type alone (`framing: line`) for
 * its defaults. Omitted: `none`. A frame is passed on as it is on the wire: framing decides where
 * frames begin and end, never rewrites them.
 */
import { oneOf, record } from '../declare/kit.js';
import { as, choice, leaf, size } from '../declare/leaves.js';
import { failed, isMapping, problem, show } from '../issues.js';

export const FRAMING_TYPES = ['none', 'line', 'length', 'fixed'] as const;
/** No frame may be larger than this (16 MiB): it is held in memory whole. */
export const MAX_FRAME = 16 * 1024 * 1024;

const type = choice(FRAMING_TYPES, { doc: `how frames end: ${FRAMING_TYPES.join(' | ')}`, required: true });

const delimiter = leaf(
  {
    doc: 'the bytes that end a line, 1..8, in quotes with escapes ("\\n", "\\r\\n", "\\x03")',
    default: '\n',
  },
  'text',
  { type: 'string', minLength: 1, maxLength: 8 },
  (v) => {
    if (typeof v !== 'string')
      return `${show(v)} is not a delimiter: write it in quotes with escapes, e.g. "\\n" or "\\r\\n"`;
    if (v.length < 1 || v.length > 8) return `${show(v)} is ${v.length} bytes: a delimiter has 1 to 8`;
    if ([...v].some((c) => c.charCodeAt(0) > 0xff || c.length > 1)) {
      return `${show(v)} has a character that is not one byte: use \\xNN escapes for bytes above 0x7F`;
    }
    return undefined;
  },
  as<string>(),
  '1..8 bytes',
);

const max = (def: string) =>
  size({
    doc: `largest frame in bytes, its delimiter or length prefix not counted (at most ${MAX_FRAME}); a bigger one closes the session`,
    min: 1,
    max: MAX_FRAME,
    default: def,
  });

const SHAPE =
  'write e.g. { type: line, delimiter: "\\r\\n" }, { type: length, size: 2 }, { type: fixed, size: 64 } or none';

export const FRAMING = oneOf(
  {
    doc: `how the byte stream is cut into frames: ${FRAMING_TYPES.join(' | ')}, e.g. { type: line, delimiter: "\\r\\n", max: 1024 } (omit: none)`,
    by: 'type',
  },
  {
    none: record({ doc: 'no framing: bytes are passed on as they arrive' }, { type }),
    line: record({ doc: 'lines that end with a delimiter' }, { type, delimiter, max: max('4KiB') }),
    length: record(
      { doc: 'frames that start with their length' },
      {
        type,
        size: choice([1, 2, 4], { doc: 'bytes of the length prefix: 1, 2 or 4', default: 2 }),
        endian: choice(['big', 'little'], { doc: 'byte order of the length prefix: big | little', default: 'big' }),
        counts: choice(['payload', 'frame'], {
          doc: 'what the length counts: payload (the bytes after the prefix) | frame (the prefix too)',
          default: 'payload',
        }),
        max: max('64KiB'),
      },
    ),
    fixed: record(
      { doc: 'frames of one size' },
      {
        type,
        size: size({
          doc: `bytes in every frame, 1..${MAX_FRAME}`,
          min: 1,
          max: MAX_FRAME,
          required: true,
          example: 64,
        }),
      },
    ),
  },
  (raw) => {
    const input = typeof raw === 'string' ? { type: raw } : raw;
    if (!isMapping(input)) return failed([problem([], `${show(raw)} is not a framing: ${SHAPE}`)]);
    const t = input.type;
    if ((FRAMING_TYPES as readonly unknown[]).includes(t)) return { use: t as string, input };
    const message =
      t == null
        ? `needs a type: ${FRAMING_TYPES.join(', ')}`
        : `${show(t)} is not a framing: use ${FRAMING_TYPES.join(', ')}`;
    return failed([problem(typeof raw === 'string' ? [] : ['type'], message)]);
  },
  (f) => f,
);

export type Framing = NonNullable<(typeof FRAMING)['__type']>;
export type FramingType = Framing['type'];

export const NO_FRAMING: Framing = { type: 'none' };
