/**
 * One `commands` item: a client's write into a bank point sends a frame to a raw device, optionally
 * waits for the device's reply (decoded with a profile into the same bank) and sets the point back to
 * 0. The frame is a text template, or a list of binary parts. What needs other sections (the bank, its
 * points, the device, the profile) is in command-checks.ts; the default of `on` needs the point's
 * type, so it is filled in by `finishCommands` once the banks are known.
 */
import { COMMAND_FIELD_TYPES, fieldValueProblem } from '../../commands/binary-field.js';
import { defaultChecksumEndian } from '../../codec/profile/checksum.js';
import { partSize } from '../../commands/frame.js';
import { parseTemplate, singlePlaceholder } from '../../commands/template.js';
import { listOf, oneOf, optionalSection, record, type Infer } from '../declare/kit.js';
import { any, as, bool, choice, duration, int, leaf, name, text } from '../declare/leaves.js';
import { hexBytes, notHexBytes } from '../hex-bytes.js';
import { failed, isMapping, problem, show, type Problem } from '../issues.js';
import { CHECKSUM_TYPES } from '../profiles/parts.js';
import { MAX_FRAME } from './framing.js';

export const TRIGGERS = ['rising', 'change', 'write'] as const;

const ENDIANS = ['big', 'little'] as const;
const PART_FORMS = 'write { type: uint8, value: 0x02 }, { hex: "02 41" } or { checksum: crc16-modbus }';
const FRAME_FORMS = `write a text template in double quotes ("T{value}\\r\\n") or a list of parts ([{ type: uint8, value: 0x02 }, { hex: "41 42" }, { checksum: sum8 }, ...])`;

const fieldValue = leaf(
  {
    doc: 'a number, "{value}" (the written value) or "{POINT}" (another point of the bank)',
    required: true,
    example: '{value}',
  },
  'number or "{value}" / "{POINT}"',
  { type: ['number', 'string'] },
  (v) => {
    if (typeof v === 'number') return Number.isFinite(v) ? undefined : `${show(v)} is not a number`;
    if (typeof v === 'string' && singlePlaceholder(v) !== undefined) return undefined;
    return `${show(v)} is not a field value: write a number (0x02), "{value}" (the written value) or "{POINT}" (another point)`;
  },
  as<number | string>(),
);

/** One part of a binary frame: a number field, constant bytes, or a checksum of the bytes before it. */
const PART = oneOf(
  { doc: 'one part of a binary frame' },
  {
    hex: record(
      { doc: 'constant bytes' },
      {
        hex: any(
          { doc: 'constant bytes in hex, in quotes, e.g. "02 41"', required: true, example: '02 41' },
          'hex bytes',
          as<unknown>(),
        ),
      },
      {
        check: (p) => (hexBytes(p.hex) === undefined ? [problem(['hex'], notHexBytes(p.hex, '02 41'))] : []),
        finish: (p) => ({ hex: hexBytes(p.hex) as Buffer }),
      },
    ),
    checksum: record(
      { doc: "a checksum of the frame's bytes from `from` up to it" },
      {
        checksum: choice(CHECKSUM_TYPES, {
          doc: `checksum of the bytes before it: ${CHECKSUM_TYPES.join(' | ')}`,
          required: true,
        }),
        from: int({
          doc: "first byte covered (default 0: the frame's first byte)",
          min: 0,
          max: MAX_FRAME,
          default: 0,
        }),
        endian: choice(ENDIANS, { doc: 'byte order (default: little for crc16-modbus, as Modbus RTU, else big)' }),
      },
      {
        finish: (p) => ({ checksum: p.checksum, from: p.from, endian: p.endian ?? defaultChecksumEndian(p.checksum) }),
      },
    ),
    field: record(
      { doc: 'a number field' },
      {
        type: choice(COMMAND_FIELD_TYPES, { doc: `field type: ${COMMAND_FIELD_TYPES.join(' | ')}`, required: true }),
        value: fieldValue,
        endian: choice(ENDIANS, { doc: 'byte order of multi-byte fields: big | little', default: 'big' }),
      },
      {
        check: ({ type, value }) => {
          if (typeof value !== 'number') return [];
          const bad = fieldValueProblem(type, value);
          if (bad !== undefined) return [problem(['value'], bad)];
          return type !== 'float32' && type !== 'float64' && !Number.isInteger(value)
            ? [problem(['value'], `${value} is not a whole number: a ${type} field holds integers`)]
            : [];
        },
        finish: ({ type, endian, value }) => {
          // the value: a constant, the written value (`'value'`), or another point's (`{ point }`)
          if (typeof value === 'number') return { type, endian, value };
          const point = singlePlaceholder(value) as string;
          return { type, endian, value: point === 'value' ? ('value' as const) : { point } };
        },
      },
    ),
  },
  (raw) => {
    if (!isMapping(raw)) return failed([problem([], `${show(raw)} is not a field: ${PART_FORMS}`)]);
    return { use: 'hex' in raw ? 'hex' : 'checksum' in raw ? 'checksum' : 'field' };
  },
  (part) => part,
);

export type CommandFramePart = Infer<typeof PART>;

/** The parts' offsets: a checksum covers bytes before it, from `from`; a frame is at most MAX_FRAME bytes. */
function partRules(parts: readonly (readonly [number, CommandFramePart])[]): Problem[] {
  const problems: Problem[] = [];
  let offset = 0;
  for (const [i, part] of parts) {
    if ('checksum' in part && offset === 0)
      problems.push(problem([i], 'a checksum covers the bytes before it: it cannot be the first part'));
    else if ('checksum' in part && part.from >= offset) {
      problems.push(
        problem(
          [i, 'from'],
          `the checksum is at byte ${offset}: it covers the bytes before it, so from must be below ${offset}`,
        ),
      );
    } else offset += partSize(part);
  }
  return offset > MAX_FRAME
    ? [...problems, problem([], `the frame is ${offset} bytes: at most ${MAX_FRAME}`)]
    : problems;
}

const FRAME = oneOf(
  { doc: `what is sent: ${FRAME_FORMS}`, required: true },
  {
    text: leaf(
      { doc: 'a text template: {value} is the written value, {POINT} another point; escapes allowed' },
      'text template',
      { type: 'string' },
      (v) => {
        const parsed = parseTemplate(v as string);
        return 'error' in parsed ? parsed.error : undefined;
      },
      as<string>(),
    ),
    binary: listOf(
      { doc: 'a list of parts', notList: (raw) => `${show(raw)} is not a frame: ${FRAME_FORMS}`, rules: partRules },
      PART,
    ),
  },
  (raw) => {
    if (typeof raw === 'string') return { use: 'text' };
    return Array.isArray(raw) && raw.length > 0
      ? { use: 'binary' }
      : failed([problem([], `${show(raw)} is not a frame: ${FRAME_FORMS}`)]);
  },
  (f) => (typeof f === 'string' ? { kind: 'text' as const, template: f } : { kind: 'binary' as const, fields: f }),
);

export const COMMAND = record(
  { doc: 'a write into a bank point that sends a frame to a raw device' },
  {
    name: name({ doc: 'name of the command, unique (used in logs and status)', required: true, example: 'trigger' }),
    bank: name({
      doc: 'the bank whose point triggers the command (a name under banks)',
      required: true,
      example: 'camera',
    }),
    point: name({
      doc: 'the point of the bank a client writes to trigger the command',
      required: true,
      example: 'trigger',
    }),
    on: choice(TRIGGERS, {
      doc: `${TRIGGERS.join(' | ')}: which writes trigger (default: rising for bool points, change otherwise)`,
    }),
    device: name({
      doc: 'the raw device (type tcp or serial) the frame is sent to',
      required: true,
      example: 'camera',
    }),
    frame: FRAME,
    reply: optionalSection("the device's reply, decoded into the bank", {
      profile: text({
        doc: "the profile the device's reply is decoded with into the bank (a name under hardware/profiles, or a file)",
        example: 'camera-trigger',
      }),
      timeout: duration({ doc: 'how long to wait for the reply, e.g. 2s', min: 1, default: '2s' }),
    }),
    reset: bool({
      doc: 'true: set the point back to 0 when the command is done (reply stored, timeout, or device down)',
      default: false,
    }),
  },
  {
    pre: (raw) =>
      isMapping(raw)
        ? { input: raw }
        : failed([
            problem([], `${show(raw)} is not a command: write { name: N, bank: B, point: P, device: D, frame: "..." }`),
          ]),
    rules: (raw) =>
      isMapping(raw.reply) && raw.reply.profile == null
        ? [problem(['reply'], 'needs profile: NAME, the layout the reply is decoded with')]
        : [],
    finish: ({ reply, ...p }) => ({
      ...p,
      ...(reply?.profile !== undefined ? { reply: { profile: reply.profile, timeout: reply.timeout } } : {}),
    }),
  },
);

/** A command before the default of `on` (which needs the point's type) is filled in. */
export type CommandItem = Infer<typeof COMMAND>;

/** Fills in `on`: rising for a bool point, change for any other. */
export function finishCommands(
  items: readonly CommandItem[],
  banks: ReadonlyMap<string, { readonly points: readonly { readonly name: string; readonly type: string }[] }>,
) {
  return items.map((c) => {
    if (c.on !== undefined) return { ...c, on: c.on };
    const point = banks.get(c.bank)?.points.find((p) => p.name === c.point);
    return { ...c, on: point?.type === 'bool' ? ('rising' as const) : ('change' as const) };
  });
}
