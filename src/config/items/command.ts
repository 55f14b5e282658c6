/**
 * One `commands` item: a client's write into a bank point sends a frame to a raw device, optionally
 * waits for the device's reply (decoded with a profile into the same bank) and sets the point back to
 * 0. Validated with its own convict schema (strict); the frame (a text template, or a list of binary
 * fields, each with its own schema) is checked here too. What needs other sections (the bank, its
 * points, the device, the profile) is in command-checks.ts; the default of `on` needs the point's
 * type, so it is filled in by `finishCommands` once the banks are known.
 */
import { COMMAND_FIELD_TYPES, fieldValueProblem, type CommandFieldType } from '../../commands/binary-field.js';
import { defaultChecksumEndian } from '../../codec/profile/checksum.js';
import { partSize } from '../../commands/frame.js';
import { parseTemplate, singlePlaceholder } from '../../commands/template.js';
import { defineFormat, type SchemaDef } from '../convict-bridge.js';
import { durationMs } from '../duration.js';
import { BOOL, CHOICE, DURATION, INT, NAME, TEXT } from '../formats.js';
import { hexBytes, notHexBytes } from '../hex-bytes.js';
import { CHECKSUM_TYPES } from '../profiles/parts.js';
import { MAX_FRAME } from './framing.js';
import { failed, isMapping, ok, problem, show, under, type Checked, type Problem } from '../issues.js';
import { runSchema } from '../run-schema.js';
import type { BankConfig, ChecksumType, CommandConfig, CommandFrame, CommandFramePart } from '../types.js';

export const TRIGGERS = ['rising', 'change', 'write'] as const;
type On = (typeof TRIGGERS)[number];

const FIELD_VALUE = defineFormat('fg-command-field-value', (v) => {
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : `${show(v)} is not a number`;
  if (typeof v === 'string' && singlePlaceholder(v) !== undefined) return undefined;
  return `${show(v)} is not a field value: write a number (0x02), "{value}" (the written value) or "{POINT}" (another point)`;
});

const FIELD: SchemaDef = {
  type: { doc: `field type: ${COMMAND_FIELD_TYPES.join(' | ')}`, format: CHOICE, values: COMMAND_FIELD_TYPES, default: undefined, required: true },
  value: { doc: 'a number, "{value}" (the written value) or "{POINT}" (another point of the bank)', format: FIELD_VALUE, default: undefined, required: true },
  endian: { doc: 'byte order of multi-byte fields: big | little', format: CHOICE, values: ['big', 'little'], default: 'big' },
};

const HEX_PART: SchemaDef = {
  hex: { doc: 'constant bytes in hex, in quotes, e.g. "02 41"', format: '*', default: undefined, required: true },
};

const CHECKSUM_PART: SchemaDef = {
  checksum: { doc: `checksum of the bytes before it: ${CHECKSUM_TYPES.join(' | ')}`, format: CHOICE, values: CHECKSUM_TYPES, default: undefined, required: true },
  from: { doc: 'first byte covered (default 0: the frame\'s first byte)', format: INT, min: 0, max: MAX_FRAME, default: 0 },
  endian: { doc: 'byte order (default: little for crc16-modbus, as Modbus RTU, else big)', format: CHOICE, values: ['big', 'little'], default: undefined },
};

const PART_FORMS = 'write { type: uint8, value: 0x02 }, { hex: "02 41" } or { checksum: crc16-modbus }';
const FRAME_FORMS = `write a text template in double quotes ("T{value}\\r\\n") or a list of parts ([{ type: uint8, value: 0x02 }, { hex: "41 42" }, { checksum: sum8 }, ...])`;

export const COMMAND: SchemaDef = {
  name: { doc: 'name of the command, unique (used in logs and status)', format: NAME, default: undefined, required: true },
  bank: { doc: 'the bank whose point triggers the command (a name under banks)', format: NAME, default: undefined, required: true },
  point: { doc: 'the point of the bank a client writes to trigger the command', format: NAME, default: undefined, required: true },
  on: { doc: `${TRIGGERS.join(' | ')}: which writes trigger (default: rising for bool points, change otherwise)`, format: CHOICE, values: TRIGGERS, default: undefined },
  device: { doc: 'the raw device (type tcp or serial) the frame is sent to', format: NAME, default: undefined, required: true },
  frame: {
    doc: `what is sent: ${FRAME_FORMS}`,
    format: Object, default: null, nullable: true, scalarToo: true, required: true, check: (raw) => checkFrame(raw).problems,
  },
  reply: {
    profile: { doc: 'the profile the device\'s reply is decoded with into the bank (a name under hardware/profiles, or a file)', format: TEXT, default: undefined },
    timeout: { doc: 'how long to wait for the reply, e.g. 2s', format: DURATION, min: 1, default: '2s' },
  },
  reset: { doc: 'true: set the point back to 0 when the command is done (reply stored, timeout, or device down)', format: BOOL, default: false },
};

/** A command before the default of `on` (which needs the point's type) is filled in. */
export type CommandItem = Omit<CommandConfig, 'on'> & { readonly on?: On };

interface CommandProps {
  name: string;
  bank: string;
  point: string;
  on?: On;
  device: string;
  frame: unknown;
  reply: { profile?: string; timeout: string | number };
  reset: boolean;
}

export function checkCommand(raw: unknown): Checked<CommandItem> {
  if (!isMapping(raw)) return failed([problem([], `${show(raw)} is not a command: write { name: N, bank: B, point: P, device: D, frame: "..." }`)]);
  const checked = runSchema<CommandProps>(COMMAND, raw);
  const problems: Problem[] = [...checked.problems];
  if (isMapping(raw.reply) && raw.reply.profile == null) problems.push(problem(['reply'], 'needs profile: NAME, the layout the reply is decoded with'));
  if (problems.length > 0 || checked.value === undefined) return failed(problems);
  const p = checked.value;
  const frame = checkFrame(p.frame).value as CommandFrame;
  const reply = isMapping(raw.reply) && p.reply.profile !== undefined
    ? { reply: { profile: p.reply.profile, timeout: durationMs(p.reply.timeout) } }
    : {};
  return ok({ name: p.name, bank: p.bank, point: p.point, ...(p.on ? { on: p.on } : {}), device: p.device, frame, ...reply, reset: p.reset });
}

export function checkFrame(raw: unknown): Checked<CommandFrame> {
  if (typeof raw === 'string') {
    const parsed = parseTemplate(raw);
    return 'error' in parsed ? failed([problem([], parsed.error)]) : ok({ kind: 'text', template: raw });
  }
  if (!Array.isArray(raw) || raw.length === 0) return failed([problem([], `${show(raw)} is not a frame: ${FRAME_FORMS}`)]);
  const problems: Problem[] = [];
  const fields: CommandFramePart[] = [];
  let offset = 0;
  raw.forEach((item: unknown, i) => {
    const part = checkPart(item, offset);
    problems.push(...under([i], part.problems));
    if (part.value) {
      fields.push(part.value);
      offset += partSize(part.value);
    }
  });
  if (offset > MAX_FRAME) problems.push(problem([], `the frame is ${offset} bytes: at most ${MAX_FRAME}`));
  return problems.length > 0 ? failed(problems) : ok({ kind: 'binary', fields });
}

type FieldProps = { type: CommandFieldType; value: number | string; endian: 'big' | 'little' };
type ChecksumProps = { checksum: ChecksumType; from: number; endian?: 'big' | 'little' };

/** One part of a binary frame, starting at byte `offset` of the frame. */
function checkPart(raw: unknown, offset: number): Checked<CommandFramePart> {
  if (!isMapping(raw)) return failed([problem([], `${show(raw)} is not a field: ${PART_FORMS}`)]);
  if ('hex' in raw) {
    const checked = runSchema<{ hex: unknown }>(HEX_PART, raw);
    if (checked.value === undefined) return failed(checked.problems);
    const bytes = hexBytes(checked.value.hex);
    return bytes === undefined ? failed([problem(['hex'], notHexBytes(checked.value.hex, '02 41'))]) : ok({ hex: bytes });
  }
  if ('checksum' in raw) {
    const checked = runSchema<ChecksumProps>(CHECKSUM_PART, raw);
    if (checked.value === undefined) return failed(checked.problems);
    const { checksum, from, endian } = checked.value;
    if (offset === 0) return failed([problem([], 'a checksum covers the bytes before it: it cannot be the first part')]);
    if (from >= offset) return failed([problem(['from'], `the checksum is at byte ${offset}: it covers the bytes before it, so from must be below ${offset}`)]);
    return ok({ checksum, from, endian: endian ?? defaultChecksumEndian(checksum) });
  }
  const checked = runSchema<FieldProps>(FIELD, raw);
  if (checked.value === undefined) return failed(checked.problems);
  const { type, endian, value } = checked.value;
  if (typeof value === 'number') {
    const bad = fieldValueProblem(type, value);
    if (bad !== undefined) return failed([problem(['value'], bad)]);
    if (type !== 'float32' && type !== 'float64' && !Number.isInteger(value)) return failed([problem(['value'], `${value} is not a whole number: a ${type} field holds integers`)]);
    return ok({ type, endian, value });
  }
  const name = singlePlaceholder(value) as string;
  return ok({ type, endian, value: name === 'value' ? 'value' : { point: name } });
}

/** Fills in `on`: rising for a bool point, change for any other. */
export function finishCommands(items: readonly CommandItem[], banks: ReadonlyMap<string, BankConfig>): CommandConfig[] {
  return items.map((c) => {
    if (c.on !== undefined) return c as CommandConfig;
    const point = banks.get(c.bank)?.points.find((p) => p.name === c.point);
    return { ...c, on: point?.type === 'bool' ? 'rising' : 'change' };
  });
}
