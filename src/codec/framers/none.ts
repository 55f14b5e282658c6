/** `framing: none`: every chunk is a frame, as it arrived (no copy, nothing held). */
import type { FrameSink, Framer, FramerError } from './types.js';

export class PassThroughFramer implements Framer {
  readonly pendingBytes = 0;

  feed(chunk: Buffer, onFrame: FrameSink): FramerError | undefined {
    if (chunk.length > 0) onFrame(chunk, 0, chunk.length);
    return undefined;
  }
}
