/**
 * Collects the frames of one feed for passing on: as runs (frames that lie next to each other in one
 * buffer become one view of it: one write for many frames, and no copy), or one buffer per frame
 * for a consumer that needs each frame (a recorder). Where each frame ends is kept too, so a consumer
 * that works frame by frame (the decode handler) need not cut the runs into frames again.
 */
import type { FrameSink } from './types.js';

export class FrameBatch {
  /** Runs (or single frames), in order; valid until `clear`. */
  readonly chunks: Buffer[] = [];
  /** Whole frames in `chunks`. */
  frames = 0;
  /**
   * The first `frames` entries: where each frame ends, in bytes from the start of `chunks[0]` with
   * the chunks laid end to end (frame i is bytes ends[i - 1] ?? 0 up to ends[i]). Reused: entries
   * past `frames` are stale.
   */
  readonly ends: number[] = [];
  private bytes = 0;
  private buf: Buffer | undefined;
  private start = 0;
  private end = 0;

  constructor(private readonly oneByOne: boolean) {}

  /** The framer's sink. */
  readonly add: FrameSink = (buf, start, end) => {
    this.bytes += end - start;
    this.ends[this.frames++] = this.bytes;
    if (!this.oneByOne && buf === this.buf && start === this.end) {
      this.end = end;
      return;
    }
    this.closeRun();
    this.buf = buf;
    this.start = start;
    this.end = end;
  };

  /** Ends the current run; `chunks` then holds everything added. */
  seal(): readonly Buffer[] {
    this.closeRun();
    return this.chunks;
  }

  clear(): void {
    this.chunks.length = 0;
    this.frames = 0;
    this.bytes = 0;
    this.buf = undefined;
  }

  private closeRun(): void {
    const buf = this.buf;
    if (buf === undefined) return;
    this.chunks.push(this.start === 0 && this.end === buf.length ? buf : buf.subarray(this.start, this.end));
    this.buf = undefined;
  }
}
