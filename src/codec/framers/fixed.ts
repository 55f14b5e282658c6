/** `framing: fixed`: every frame is exactly `size` bytes. */
import { FrameAssembler } from './assembler.js';
import type { FrameSink, Framer, FramerError } from './types.js';

export class FixedFramer implements Framer {
  private readonly partial: FrameAssembler;

  constructor(private readonly size: number) {
    this.partial = new FrameAssembler();
  }

  get pendingBytes(): number {
    return this.partial.filled;
  }

  feed(chunk: Buffer, onFrame: FrameSink): FramerError | undefined {
    let offset = 0;
    if (this.partial.active) {
      offset = this.partial.fill(chunk, 0);
      const frame = this.partial.take();
      if (frame === undefined) return undefined;
      onFrame(frame, 0, frame.length);
    }
    const { size } = this;
    while (chunk.length - offset >= size) {
      onFrame(chunk, offset, offset + size);
      offset += size;
    }
    if (offset < chunk.length) {
      this.partial.start(size);
      this.partial.fill(chunk, offset);
    }
    return undefined;
  }
}
