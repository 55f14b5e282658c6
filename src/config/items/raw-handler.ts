/**
 * `handler:` of a raw server: `echo`, `hub`, `{ bridge: DEVICE, reply: all | sender }`,
 * `{ record: DIR, maxFileSize: SIZE }` or `{ decode: PROFILE, bank: BANK }`. The mapping forms are
 * validated with their own convict schema (strict). The profile itself is loaded with the config
 * (profiles/), the bank and its points are cross-checked there.
 */
import type { SchemaDef } from '../convict-bridge.js';
import { CHOICE, NAME, SIZE, TEXT } from '../formats.js';
import { failed, isMapping, ok, problem, show, type Checked, type Problem } from '../issues.js';
import { runSchema } from '../run-schema.js';
import { sizeBytes } from '../size.js';
import type { RawHandlerConfig } from '../types.js';

const FORMS = 'echo, hub, { bridge: DEVICE }, { record: DIR } or { decode: PROFILE, bank: BANK }';
const PLAIN = ['echo', 'hub'] as const;

const DECODE: SchemaDef = {
  decode: {
    doc: 'the profile frames are decoded with: a name under hardware/profiles, or a .yaml path relative to this file',
    format: TEXT, default: undefined, required: true,
  },
  bank: { doc: "the bank the decoded values land in (omit on a port pool: each port's bank:)", format: NAME, default: undefined },
};

const BRIDGE: SchemaDef = {
  bridge: { doc: 'the raw device (type tcp or serial) the sessions talk to', format: NAME, default: undefined, required: true },
  reply: {
    doc: 'where what the device sends goes: all (every session) | sender (the session whose frame was sent last)',
    format: CHOICE, values: ['all', 'sender'], default: 'all',
  },
};

const RECORD: SchemaDef = {
  record: { doc: 'directory the session files are written to (created if missing)', format: TEXT, default: undefined, required: true },
  maxFileSize: {
    doc: 'size at which a session file is rotated (renamed to .1, replacing an older .1)',
    format: SIZE, min: 1024, default: '16MiB',
  },
  maxTotalSize: {
    doc: "disk all of this server's files in the directory may take together; past it the oldest finished files are deleted",
    format: SIZE, min: 1024, default: '1GiB',
  },
};

export function checkHandler(raw: unknown): Checked<RawHandlerConfig> {
  if (typeof raw === 'string') return plainHandler(raw);
  if (!isMapping(raw)) return failed([problem([], `${show(raw)} is not a handler: write ${FORMS}`)]);
  if (raw.bridge !== undefined) {
    const checked = runSchema<{ bridge: string; reply: 'all' | 'sender' }>(BRIDGE, raw);
    if (checked.value === undefined) return failed(checked.problems);
    return ok({ kind: 'bridge', device: checked.value.bridge, reply: checked.value.reply });
  }
  if (raw.record !== undefined) {
    const checked = runSchema<{ record: string; maxFileSize: string | number; maxTotalSize: string | number }>(RECORD, raw);
    if (checked.value === undefined) return failed(checked.problems);
    const { record, maxFileSize, maxTotalSize } = checked.value;
    return ok({ kind: 'record', dir: record, maxFileSize: sizeBytes(maxFileSize), maxTotalSize: sizeBytes(maxTotalSize) });
  }
  if (raw.decode !== undefined) {
    const checked = runSchema<{ decode: string; bank?: string }>(DECODE, raw);
    if (checked.value === undefined) return failed(checked.problems);
    const { decode, bank } = checked.value;
    return ok({ kind: 'decode', profile: decode, ...(bank !== undefined ? { bank } : {}) });
  }
  const plain = Object.keys(raw).find((k) => (PLAIN as readonly string[]).includes(k));
  const hint = plain !== undefined ? `: write handler: ${plain}` : '';
  return failed([problem([], `a mapping with ${Object.keys(raw).join(', ') || 'no keys'} is not a handler${hint || `: write ${FORMS}`}`)]);
}

function plainHandler(name: string): Checked<RawHandlerConfig> {
  if (name === 'echo' || name === 'hub') return ok({ kind: name });
  if (name === 'bridge') return failed([problem([], 'needs a device: write { bridge: DEVICE }')]);
  if (name === 'record') return failed([problem([], 'needs a directory: write { record: DIR }')]);
  if (name === 'decode') return failed([problem([], 'needs a profile: write { decode: PROFILE, bank: BANK }')]);
  return failed([problem([], `${show(name)} is not a handler: use ${FORMS}`)]);
}

export function handlerProblems(raw: unknown): readonly Problem[] {
  return checkHandler(raw).problems;
}
