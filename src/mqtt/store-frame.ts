/**
 * One record of the forward store on disk: an 8-byte header (payload length, u32 big-endian; CRC-32
 * of the length bytes and the payload, u32 big-endian) and the payload. A frame is checked before it
 * is used: one that runs past the end of what was read is `torn`, one whose CRC does not match is
 * `corrupt`. Pure functions over Buffers.
 */
import { crc32 } from 'node:zlib';

export const FRAME_HEADER = 8;

/** The frame of `payload` (a copy: the caller may reuse its buffer). */
export function encodeFrame(payload: Buffer): Buffer {
  const frame = Buffer.allocUnsafe(FRAME_HEADER + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  payload.copy(frame, FRAME_HEADER);
  frame.writeUInt32BE(crc32(payload, crc32(frame.subarray(0, 4))), 4);
  return frame;
}

export type FrameCheck =
  | { readonly status: 'ok'; readonly length: number }
  /** The frame does not fit in `buf` up to `end`; `length` is its payload length when the header is whole. */
  | { readonly status: 'torn'; readonly length: number | undefined }
  | { readonly status: 'corrupt'; readonly length: number };

/** Checks the frame at `at` of `buf` (bytes up to `end` are there). */
export function checkFrame(buf: Buffer, at: number, end: number): FrameCheck {
  if (end - at < FRAME_HEADER) return { status: 'torn', length: undefined };
  const length = buf.readUInt32BE(at);
  if (end - at - FRAME_HEADER < length) return { status: 'torn', length };
  const payload = buf.subarray(at + FRAME_HEADER, at + FRAME_HEADER + length);
  const crc = crc32(payload, crc32(buf.subarray(at, at + 4)));
  return crc === buf.readUInt32BE(at + 4) ? { status: 'ok', length } : { status: 'corrupt', length };
}

export interface SegmentScan {
  /** Whole, valid records from the start. */
  readonly records: number;
  /** Where the valid records end. */
  readonly validEnd: number;
  /** Where record `index` (of `scanSegment`) starts; `validEnd` when there are no more. */
  readonly indexOffset: number;
  /** What ended the segment early, if anything. */
  readonly problem: 'torn' | 'corrupt' | undefined;
  /**
   * Records lost behind `validEnd`: the bad one and those its length leads to (walked by their
   * lengths while they stay in the file; at least 1 when there is a problem).
   */
  readonly lostRecords: number;
}

/** Checks all frames of one segment's contents; also finds where record `index` starts. */
export function scanSegment(buf: Buffer, index = 0): SegmentScan {
  let at = 0;
  let records = 0;
  let indexOffset = -1;
  while (at < buf.length) {
    if (records === index) indexOffset = at;
    const check = checkFrame(buf, at, buf.length);
    if (check.status !== 'ok') {
      const last = check.status === 'torn' || at + FRAME_HEADER + check.length === buf.length;
      return {
        records,
        validEnd: at,
        indexOffset: indexOffset < 0 ? at : indexOffset,
        problem: last ? 'torn' : 'corrupt',
        lostRecords: last ? 1 : 1 + walk(buf, at + FRAME_HEADER + check.length),
      };
    }
    at += FRAME_HEADER + check.length;
    records++;
  }
  return { records, validEnd: at, indexOffset: indexOffset < 0 ? at : indexOffset, problem: undefined, lostRecords: 0 };
}

/** Frames from `at` on, walked by their length fields (not checked), while they stay in `buf`. */
function walk(buf: Buffer, at: number): number {
  let n = 0;
  while (at < buf.length) {
    n++;
    if (buf.length - at < FRAME_HEADER) break;
    at += FRAME_HEADER + buf.readUInt32BE(at);
  }
  return n;
}
