/**
 * The segment files of the forward store: `seg-<first>.fwd`, where `<first>` is the number of the
 * segment's first record (records are numbered in the order they were written, so the names sort
 * oldest first and one segment's count is the next one's number minus its own). A segment holds
 * whole frames (`store-frame.ts`) back to back. `readFrames` reads frames from one segment in chunks,
 * so a read costs a few reads and copies what it returns, never the whole file.
 */
import { join } from 'node:path';
import { checkFrame, FRAME_HEADER } from './store-frame.js';
import type { StoreFiles } from './store-fs.js';

export interface Segment {
  /** The number of its first record (its name). */
  readonly first: number;
  readonly path: string;
  /** Whole records in the file. */
  records: number;
  /** Bytes of those records (the file ends there). */
  size: number;
  /** Open for appending (the newest segment only, once written to). */
  fd: number | undefined;
  /** Takes no more records. */
  sealed: boolean;
}

const NAME = /^seg-(\d{16})\.fwd$/;

export function segmentPath(dir: string, first: number): string {
  return join(dir, `seg-${String(first).padStart(16, '0')}.fwd`);
}

/** The first record number a segment file name carries; undefined for other files. */
export function parseSegmentName(name: string): number | undefined {
  const m = NAME.exec(name);
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

export function newSegment(dir: string, first: number, records = 0, size = 0): Segment {
  return { first, path: segmentPath(dir, first), records, size, fd: undefined, sealed: false };
}

export interface FramesRead {
  readonly payloads: Buffer[];
  /** Where each record read ends in the file. */
  readonly ends: number[];
  /** Stopped because of `maxRecords` or `maxBytes` (more records follow in this segment). */
  readonly limited: boolean;
  /** A frame in [from, to) is torn or corrupt: it and the rest of the segment are unusable. */
  readonly bad: boolean;
}

const CHUNK = 64 * 1024;

/**
 * Reads the records of the open file `fd` from `from` (a frame start) to `to` (the end of its whole
 * records): at most `maxRecords`, and at most `maxBytes` of payload unless `atLeastOne` and none is
 * read yet (then the first is read however big it is).
 */
export async function readFrames(
  files: StoreFiles,
  fd: number,
  from: number,
  to: number,
  maxRecords: number,
  maxBytes: number,
  atLeastOne: boolean,
): Promise<FramesRead> {
  const payloads: Buffer[] = [];
  const ends: number[] = [];
  let bytes = 0;
  let pos = from;
  let buf = Buffer.alloc(0);
  let bufStart = from; // buf holds the file's bytes from bufStart on
  const result = (limited: boolean, bad: boolean): FramesRead => ({ payloads, ends, limited, bad });
  while (pos < to) {
    if (payloads.length >= maxRecords) return result(true, false);
    const at = pos - bufStart;
    const check = checkFrame(buf, at, buf.length);
    const fits = (length: number) => (payloads.length === 0 && atLeastOne) || bytes + length <= maxBytes;
    if (check.status === 'corrupt') return result(false, true);
    if (check.status === 'torn') {
      if (check.length !== undefined && !fits(check.length)) return result(true, false);
      const need = FRAME_HEADER + (check.length ?? 0);
      if (pos + need > to) return result(false, true);
      const size = Math.min(to - pos, Math.max(CHUNK, need));
      buf = Buffer.allocUnsafe(size);
      const got = await files.read(fd, buf, size, pos);
      if (got < need) return result(false, true);
      buf = buf.subarray(0, got);
      bufStart = pos;
      continue;
    }
    if (!fits(check.length)) return result(true, false);
    payloads.push(Buffer.from(buf.subarray(at + FRAME_HEADER, at + FRAME_HEADER + check.length)));
    bytes += check.length;
    pos += FRAME_HEADER + check.length;
    ends.push(pos);
  }
  return result(false, false);
}
