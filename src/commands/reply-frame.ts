/**
 * The first whole frame of what a device link handed over. A link passes frames that lie next to
 * each other as one run (one buffer for many frames), so the run is cut again with the device's own
 * framing; every run holds whole frames only, so a fresh framer cuts it exactly. Only used while a
 * command waits for its reply (rare), so the framer is made per use.
 */
import { createFramer } from '../codec/framers/index.js';
import type { Framing } from '../config/types.js';

export function firstFrame(chunks: readonly Buffer[], framing: Framing): Buffer | undefined {
  const framer = createFramer(framing);
  let first: Buffer | undefined;
  for (const chunk of chunks) {
    framer.feed(chunk, (buf, start, end) => {
      first ??= buf.subarray(start, end);
    });
    if (first !== undefined) return first;
  }
  return first;
}
