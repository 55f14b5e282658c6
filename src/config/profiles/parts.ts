/** The small mappings of a profile: `sync:` (constant bytes at an offset) and `checksum:`. */
import { checksumSize, defaultChecksumEndian } from '../../codec/profile/checksum.js';
import { record, type Infer } from '../declare/kit.js';
import { any, as, choice, int } from '../declare/leaves.js';
import { hexBytes, notHexBytes } from '../hex-bytes.js';
import { failed, isMapping, problem, show } from '../issues.js';
import { MAX_FRAME } from '../items/framing.js';

export const CHECKSUM_TYPES = ['crc16-modbus', 'crc32', 'sum8', 'xor8'] as const;
export type ChecksumType = (typeof CHECKSUM_TYPES)[number];

const position = (doc: string) => int({ doc, min: -MAX_FRAME, max: MAX_FRAME });

export const SYNC = record(
  { doc: 'binary: constant bytes a frame must have, { at: 0, hex: "A55A" }' },
  {
    at: int({ doc: 'byte offset of the sync bytes', min: 0, max: MAX_FRAME, default: 0 }),
    hex: any({ doc: 'the sync bytes in hex, e.g. "A55A"', required: true }, 'hex bytes', as<unknown>()),
  },
  {
    pre: (raw) =>
      isMapping(raw)
        ? { input: raw }
        : failed([problem([], `${show(raw)} is not a sync: write { at: 0, hex: "A55A" }`)]),
    check: (p) => (hexBytes(p.hex) === undefined ? [problem(['hex'], notHexBytes(p.hex, 'A55A'))] : []),
    finish: (p) => ({ at: p.at, bytes: hexBytes(p.hex) as Buffer }),
  },
);

export const CHECKSUM = record(
  { doc: 'binary: { type: crc16-modbus | crc32 | sum8 | xor8, at: -2, endian, from, to }' },
  {
    type: choice(CHECKSUM_TYPES, { doc: `checksum: ${CHECKSUM_TYPES.join(' | ')}`, required: true }),
    at: position('byte offset of the checksum; negative counts from the end (default: the last bytes of the frame)'),
    endian: choice(['big', 'little'], {
      doc: 'byte order of the checksum (default: little for crc16-modbus, as Modbus RTU, else big)',
    }),
    from: position('first byte covered (default 0)'),
    to: position(
      'end of the bytes covered, not included; negative counts from the end (default: where the checksum is)',
    ),
  },
  {
    pre: (raw) => {
      const input = typeof raw === 'string' ? { type: raw } : raw;
      return isMapping(input)
        ? { input }
        : failed([problem([], `${show(raw)} is not a checksum: write { type: crc16-modbus, at: -2 }`)]);
    },
    finish: (p) => {
      const at = p.at ?? -checksumSize(p.type);
      // `at`: byte offset in the frame (negative: from the end); bytes covered: [from, to) (negative `to`: from the
      // end)
      return { type: p.type, at, endian: p.endian ?? defaultChecksumEndian(p.type), from: p.from ?? 0, to: p.to ?? at };
    },
  },
);

export type ProfileChecksum = Infer<typeof CHECKSUM>;
