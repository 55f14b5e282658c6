/** The small mappings of a profile: `sync:` (constant bytes at an offset) and `checksum:`. */
import type { SchemaDef } from '../convict-bridge.js';
import { CHOICE, INT } from '../formats.js';
import { failed, isMapping, ok, problem, show, type Checked } from '../issues.js';
import { MAX_FRAME } from '../items/framing.js';
import { hexBytes, notHexBytes } from '../hex-bytes.js';
import { runSchema } from '../run-schema.js';
import type { ChecksumType, ProfileChecksum } from '../types.js';
import { checksumSize, defaultChecksumEndian } from '../../codec/profile/checksum.js';

export const CHECKSUM_TYPES: readonly ChecksumType[] = ['crc16-modbus', 'crc32', 'sum8', 'xor8'];
const POSITION = (doc: string) => ({ doc, format: INT, min: -MAX_FRAME, max: MAX_FRAME, default: undefined });

const SYNC: SchemaDef = {
  at: { doc: 'byte offset of the sync bytes', format: INT, min: 0, max: MAX_FRAME, default: 0 },
  hex: { doc: 'the sync bytes in hex, e.g. "A55A"', format: '*', default: undefined, required: true },
};

const CHECKSUM: SchemaDef = {
  type: { doc: `checksum: ${CHECKSUM_TYPES.join(' | ')}`, format: CHOICE, values: CHECKSUM_TYPES, default: undefined, required: true },
  at: POSITION('byte offset of the checksum; negative counts from the end (default: the last bytes of the frame)'),
  endian: { doc: 'byte order of the checksum (default: little for crc16-modbus, as Modbus RTU, else big)', format: CHOICE, values: ['big', 'little'], default: undefined },
  from: POSITION('first byte covered (default 0)'),
  to: POSITION('end of the bytes covered, not included; negative counts from the end (default: where the checksum is)'),
};

export function checkSync(raw: unknown): Checked<{ at: number; bytes: Buffer }> {
  if (!isMapping(raw)) return failed([problem([], `${show(raw)} is not a sync: write { at: 0, hex: "A55A" }`)]);
  const checked = runSchema<{ at: number; hex: unknown }>(SYNC, raw);
  if (checked.value === undefined) return failed(checked.problems);
  const { at, hex } = checked.value;
  const bytes = hexBytes(hex);
  if (bytes === undefined) return failed([problem(['hex'], notHexBytes(hex, 'A55A'))]);
  return ok({ at, bytes });
}

type ChecksumProps = { type: ChecksumType; at?: number; endian?: 'big' | 'little'; from?: number; to?: number };

export function checkChecksum(raw: unknown): Checked<ProfileChecksum> {
  const input = typeof raw === 'string' ? { type: raw } : raw;
  if (!isMapping(input)) return failed([problem([], `${show(raw)} is not a checksum: write { type: crc16-modbus, at: -2 }`)]);
  const checked = runSchema<ChecksumProps>(CHECKSUM, input);
  if (checked.value === undefined) return failed(checked.problems);
  const p = checked.value;
  const at = p.at ?? -checksumSize(p.type);
  return ok({
    type: p.type, at,
    endian: p.endian ?? defaultChecksumEndian(p.type),
    from: p.from ?? 0,
    to: p.to ?? at,
  });
}
