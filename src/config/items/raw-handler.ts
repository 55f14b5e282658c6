/**
 * `handler:` of a raw server: `echo`, `hub`, `{ bridge: DEVICE, reply: all | sender }`,
 * `{ record: DIR, maxFileSize: SIZE }` or `{ decode: PROFILE, bank: BANK }`. The profile itself is
 * loaded with the config (profiles/), the bank and its points are cross-checked there.
 */
import { oneOf, record } from '../declare/kit.js';
import { choice, name, size, text } from '../declare/leaves.js';
import { failed, isMapping, problem, show } from '../issues.js';

const FORMS = 'echo, hub, { bridge: DEVICE }, { record: DIR } or { decode: PROFILE, bank: BANK }';
const PLAIN = ['echo', 'hub'] as const;
const NEEDS: Readonly<Record<string, string>> = {
  bridge: 'needs a device: write { bridge: DEVICE }',
  record: 'needs a directory: write { record: DIR }',
  decode: 'needs a profile: write { decode: PROFILE, bank: BANK }',
};

const VARIANTS = {
  plain: choice(PLAIN, {
    doc: 'echo: each frame is sent back to its sender; hub: each frame goes to every other session',
  }),
  bridge: record(
    { doc: 'the sessions talk to a raw device' },
    {
      bridge: name({
        doc: 'the raw device (type tcp or serial) the sessions talk to',
        required: true,
        example: 'camera',
      }),
      reply: choice(['all', 'sender'], {
        doc: 'where what the device sends goes: all (every session) | sender (the session whose frame was sent last)',
        default: 'all',
      }),
    },
  ),
  record: record(
    { doc: 'each session is recorded to a file' },
    {
      record: text({
        doc: 'directory the session files are written to (created if missing)',
        required: true,
        example: '/var/lib/fieldgate/recordings',
      }),
      maxFileSize: size({
        doc: 'size at which a session file is rotated (renamed to .1, replacing an older .1)',
        min: 1024,
        default: '16MiB',
      }),
      maxTotalSize: size({
        doc: "disk all of this server's files in the directory may take together; past it the oldest finished files are deleted",
        min: 1024,
        default: '1GiB',
      }),
    },
  ),
  decode: record(
    { doc: 'frames are decoded with a profile into bank points' },
    {
      decode: text({
        doc: 'the profile frames are decoded with: a name under hardware/profiles, or a .yaml path relative to this file',
        required: true,
        example: 'fpga-telemetry',
      }),
      bank: name({ doc: "the bank the decoded values land in (omit on a port pool: each port's bank:)" }),
    },
  ),
};

export const HANDLER = oneOf(
  {
    doc: 'what is done with each frame: echo | hub | { bridge: DEVICE, reply: all | sender } | { record: DIR }',
    required: true,
  },
  VARIANTS,
  (raw) => {
    if (typeof raw === 'string') {
      if ((PLAIN as readonly string[]).includes(raw)) return { use: 'plain' };
      return failed([problem([], NEEDS[raw] ?? `${show(raw)} is not a handler: use ${FORMS}`)]);
    }
    if (!isMapping(raw)) return failed([problem([], `${show(raw)} is not a handler: write ${FORMS}`)]);
    const form = ['bridge', 'record', 'decode'].find((k) => raw[k] !== undefined);
    if (form !== undefined) return { use: form };
    const plain = Object.keys(raw).find((k) => (PLAIN as readonly string[]).includes(k));
    const hint = plain !== undefined ? `: write handler: ${plain}` : '';
    return failed([
      problem(
        [],
        `a mapping with ${Object.keys(raw).join(', ') || 'no keys'} is not a handler${hint || `: write ${FORMS}`}`,
      ),
    ]);
  },
  (h) => {
    if (typeof h === 'string') return { kind: h };
    // the device's frames go to every session (`all`) or to the last sender (`sender`)
    if ('bridge' in h) return { kind: 'bridge' as const, device: h.bridge, reply: h.reply };
    // one file per session under `dir`, rotated at `maxFileSize` bytes; all files of the server within `maxTotalSize`
    if ('record' in h)
      return { kind: 'record' as const, dir: h.record, maxFileSize: h.maxFileSize, maxTotalSize: h.maxTotalSize };
    // frames decoded with `profile` into the points of `bank` (undefined: each pool port's `bank`)
    return { kind: 'decode' as const, profile: h.decode, ...(h.bank !== undefined ? { bank: h.bank } : {}) };
  },
);
