/**
 * `framing: line`: frames end with a delimiter of 1..8 bytes (default "\n"); the frame handed out
 * includes it. `max` bounds the line without its delimiter; a line that grows past it is invalid as
 * soon as that is certain, without waiting for a delimiter that may never come. A delimiter split
 * across chunks is found.
 */
import { framerError, type FrameSink, type Framer, type FramerError } from './types.js';

export class LineFramer implements Framer {
  /** Bytes of the incomplete line (copies: a small tail must not pin a whole read buffer). */
  private held: Buffer[] = [];
  private heldBytes = 0;

  constructor(
    private readonly delimiter: Buffer,
    private readonly max: number,
  ) {
    if (delimiter.length === 0) throw new RangeError('a line delimiter has at least one byte');
  }

  get pendingBytes(): number {
    return this.heldBytes;
  }

  feed(chunk: Buffer, onFrame: FrameSink): FramerError | undefined {
    const dlen = this.delimiter.length;
    let start = 0;
    if (this.heldBytes > 0) {
      const end = this.endAcross(chunk);
      if (end < 0) return this.hold(chunk, 0);
      const line = Buffer.concat([...this.held, chunk.subarray(0, end)], this.heldBytes + end);
      this.held = [];
      this.heldBytes = 0;
      if (line.length - dlen > this.max) return this.tooLong(line.length - dlen, line);
      onFrame(line, 0, line.length);
      start = end;
    }
    for (;;) {
      const i = chunk.indexOf(this.delimiter, start);
      if (i < 0) break;
      if (i - start > this.max) return this.tooLong(i - start, chunk.subarray(start));
      onFrame(chunk, start, i + dlen);
      start = i + dlen;
    }
    return this.hold(chunk, start);
  }

  /** Where, in `chunk`, the held line's delimiter ends (it may begin in the held bytes); -1: not yet. */
  private endAcross(chunk: Buffer): number {
    const dlen = this.delimiter.length;
    if (dlen > 1) {
      const tail = this.heldTail(dlen - 1);
      const seam = Buffer.concat([tail, chunk.subarray(0, dlen - 1)]);
      const j = seam.indexOf(this.delimiter);
      if (j >= 0) return j + dlen - tail.length;
    }
    const i = chunk.indexOf(this.delimiter);
    return i < 0 ? -1 : i + dlen;
  }

  /** The last `n` held bytes (fewer when fewer are held). */
  private heldTail(n: number): Buffer {
    const parts: Buffer[] = [];
    let need = n;
    for (let k = this.held.length - 1; k >= 0 && need > 0; k--) {
      const part = this.held[k] as Buffer;
      parts.unshift(part.subarray(Math.max(0, part.length - need)));
      need -= part.length;
    }
    return Buffer.concat(parts);
  }

  /** Keeps `chunk[from..]` as the start of the next line; invalid once it cannot fit in `max`. */
  private hold(chunk: Buffer, from: number): FramerError | undefined {
    if (from < chunk.length) {
      this.held.push(Buffer.from(chunk.subarray(from)));
      this.heldBytes += chunk.length - from;
    }
    // Up to dlen - 1 held bytes may be the start of a delimiter; the rest is certainly the line.
    const lineAtLeast = this.heldBytes - (this.delimiter.length - 1);
    if (lineAtLeast > this.max) return this.tooLong(lineAtLeast, Buffer.concat(this.held.slice(0, 1)), 'at least ');
    return undefined;
  }

  private tooLong(length: number, bytes: Buffer, qualifier = ''): FramerError {
    return framerError(`line of ${qualifier}${length} bytes is over max ${this.max}`, bytes);
  }
}
