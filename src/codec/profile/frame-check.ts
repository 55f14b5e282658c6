/**
 * The checks a binary frame passes before any field is read: its length, its sync bytes, its
 * checksum. Works on a range of a buffer in place; returns why the frame is refused, or undefined.
 * Positions may count from the end of the frame (negative), so frames of varying length (length or
 * line framing) are checked too.
 */
import type { ProfileChecksum, ProfileConfig } from '../../config/types.js';
import { checksumOf, checksumSize } from './checksum.js';

/** A position in a frame of `length` bytes (negative: from the end). */
export function resolveAt(at: number, length: number): number {
  return at < 0 ? length + at : at;
}

function storedChecksum(buf: Buffer, pos: number, size: number, little: boolean): number {
  if (size === 1) return buf[pos] as number;
  if (size === 2) return little ? buf.readUInt16LE(pos) : buf.readUInt16BE(pos);
  return little ? buf.readUInt32LE(pos) : buf.readUInt32BE(pos);
}

function checksumProblem(c: ProfileChecksum, buf: Buffer, start: number, end: number): string | undefined {
  const length = end - start;
  const size = checksumSize(c.type);
  const pos = resolveAt(c.at, length);
  const from = resolveAt(c.from, length);
  const to = resolveAt(c.to, length);
  if (pos < 0 || pos + size > length || from < 0 || to > length || from > to) {
    return `frame of ${length} bytes is too short for its ${c.type} checksum`;
  }
  const want = checksumOf(c.type, buf, start + from, start + to);
  const got = storedChecksum(buf, start + pos, size, c.endian === 'little');
  if (want === got) return undefined;
  const digits = 2 * size;
  return `bad ${c.type} checksum: frame says ${got.toString(16).padStart(digits, '0')}, bytes give ${want.toString(16).padStart(digits, '0')}`;
}

function syncMatches(sync: Buffer, buf: Buffer, pos: number): boolean {
  for (let i = 0; i < sync.length; i++) if (buf[pos + i] !== sync[i]) return false;
  return true;
}

/** Why `buf[start, end)` is not a valid frame of `profile` (binary format), or undefined. */
export function frameProblem(profile: ProfileConfig, buf: Buffer, start: number, end: number): string | undefined {
  const length = end - start;
  const framing = profile.framing;
  if (framing.type === 'fixed' && length !== framing.size)
    return `frame of ${length} bytes: ${profile.name} frames are ${framing.size} bytes`;
  if (length < profile.minLength)
    return `frame of ${length} bytes is shorter than ${profile.minLength}, the least ${profile.name} needs`;
  const sync = profile.sync;
  if (sync !== undefined) {
    const pos = resolveAt(profile.syncAt, length);
    if (pos < 0 || pos + sync.length > length || !syncMatches(sync, buf, start + pos)) {
      return `no sync ${sync.toString('hex')} at byte ${profile.syncAt}`;
    }
  }
  return profile.checksum ? checksumProblem(profile.checksum, buf, start, end) : undefined;
}
