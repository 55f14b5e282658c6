/** A framer for a framing config (raw servers and raw devices). */
import type { Framing } from '../../config/types.js';
import { FixedFramer } from './fixed.js';
import { LengthFramer } from './length.js';
import { LineFramer } from './line.js';
import { PassThroughFramer } from './none.js';
import type { Framer } from './types.js';

export { FrameBatch } from './batch.js';
export type { Framer, FramerError, FrameSink } from './types.js';

export function createFramer(framing: Framing): Framer {
  switch (framing.type) {
    case 'none':
      return new PassThroughFramer();
    case 'line':
      return new LineFramer(Buffer.from(framing.delimiter, 'latin1'), framing.max);
    case 'length':
      return new LengthFramer(framing);
    case 'fixed':
      return new FixedFramer(framing.size);
  }
}
