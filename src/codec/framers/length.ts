/**
 * `framing: length`: a 1, 2 or 4 byte length prefix, big or little endian, counting either the
 * payload after it or the whole frame (prefix included). `max` bounds the payload; a prefix that
 * announces more, or a whole-frame length shorter than the prefix itself, is invalid.
 *
 *   counts: payload   [len = n][n payload bytes]
 *   counts: frame     [len = size + n][n payload bytes]
 */
import { FrameAssembler } from './assembler.js';
import { framerError, type FrameSink, type Framer, type FramerError } from './types.js';

export interface LengthFraming {
  readonly size: 1 | 2 | 4;
  readonly endian: 'big' | 'little';
  readonly counts: 'payload' | 'frame';
  /** Largest payload in bytes. */
  readonly max: number;
}

export class LengthFramer implements Framer {
  /** Prefix bytes of a frame whose prefix is split across chunks. */
  private readonly head: Buffer;
  private headFill = 0;
  private readonly body = new FrameAssembler();

  constructor(private readonly framing: LengthFraming) {
    this.head = Buffer.alloc(framing.size);
  }

  get pendingBytes(): number {
    return this.headFill + this.body.filled;
  }

  feed(chunk: Buffer, onFrame: FrameSink): FramerError | undefined {
    let offset = 0;
    if (this.headFill > 0 || this.body.active) {
      const resumed = this.resume(chunk, onFrame);
      if (typeof resumed !== 'number') return resumed;
      if (this.headFill > 0 || this.body.active) return undefined; // the chunk is used up, the frame is not
      offset = resumed;
    }
    const { size } = this.framing;
    while (chunk.length - offset >= size) {
      const total = this.frameLength(chunk, offset);
      if (typeof total !== 'number') return total;
      if (chunk.length - offset < total) {
        this.body.start(total);
        this.body.fill(chunk, offset);
        return undefined;
      }
      onFrame(chunk, offset, offset + total);
      offset += total;
    }
    this.headFill = chunk.copy(this.head, 0, offset);
    return undefined;
  }

  /** Completes the held frame from the front of `chunk`; returns where whole frames start again. */
  private resume(chunk: Buffer, onFrame: FrameSink): number | FramerError {
    let offset = 0;
    if (!this.body.active) {
      const n = chunk.copy(this.head, this.headFill, 0);
      this.headFill += n;
      offset = n;
      if (this.headFill < this.framing.size) return chunk.length;
      this.headFill = 0;
      const total = this.frameLength(this.head, 0);
      if (typeof total !== 'number') return total;
      this.body.start(total);
      this.body.fill(this.head, 0);
    }
    offset = this.body.fill(chunk, offset);
    const frame = this.body.take();
    if (frame !== undefined) onFrame(frame, 0, frame.length);
    return offset;
  }

  /** The whole frame length announced by the prefix at `offset`, or why it cannot be right. */
  private frameLength(buf: Buffer, offset: number): number | FramerError {
    const { size, endian, counts, max } = this.framing;
    const n = readLength(buf, offset, size, endian);
    const payload = counts === 'frame' ? n - size : n;
    if (payload < 0) {
      return framerError(
        `length prefix ${n} is shorter than the ${size}-byte prefix itself (it counts the whole frame)`,
        buf.subarray(offset),
      );
    }
    if (payload > max) return framerError(`frame of ${payload} bytes is over max ${max}`, buf.subarray(offset));
    return size + payload;
  }
}

function readLength(buf: Buffer, offset: number, size: 1 | 2 | 4, endian: 'big' | 'little'): number {
  if (size === 1) return buf.readUInt8(offset);
  if (size === 2) return endian === 'big' ? buf.readUInt16BE(offset) : buf.readUInt16LE(offset);
  return endian === 'big' ? buf.readUInt32BE(offset) : buf.readUInt32LE(offset);
}
