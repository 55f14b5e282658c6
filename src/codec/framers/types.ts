/**
 * What every raw framer is: a pure state machine over a byte stream. `feed(chunk)` consumes the
 * whole chunk and hands out every complete frame in order (often a view into the chunk: no copy);
 * a frame split across chunks is held, at most `max` bytes of it. A frame is handed out exactly as it
 * is on the wire (its length prefix or delimiter included): framing says where frames begin and end,
 * it never rewrites them.
 *
 * Frames are reported as a range of a buffer (the chunk, or one frame assembled from several chunks),
 * not as a new Buffer each: cutting many small frames out of a chunk allocates nothing, and frames
 * that lie next to each other can be passed on as one run (batch.ts).
 *
 * Incomplete and invalid are told apart: an incomplete frame is held (`pendingBytes` > 0) and
 * completed by later chunks; an invalid one (over `max`, a length prefix that cannot be right) is
 * returned as an error, and nothing after it is delivered: the stream cannot be trusted past it.
 */
import type { FramerError } from '../mbap.js';

export type { FramerError } from '../mbap.js';

/** One whole frame: `buf[start, end)`. */
export type FrameSink = (buf: Buffer, start: number, end: number) => void;

export interface Framer {
  /** Bytes held of an incomplete frame. */
  readonly pendingBytes: number;
  /** Consumes `chunk`; calls `onFrame` for each complete frame, in order; an error ends the stream. */
  feed(chunk: Buffer, onFrame: FrameSink): FramerError | undefined;
}

/** At most this many bytes of a bad frame are kept for the log. */
export const ERROR_BYTES = 16;

export function framerError(reason: string, bytes: Buffer): FramerError {
  return { reason, bytes: Buffer.from(bytes.subarray(0, ERROR_BYTES)) };
}
