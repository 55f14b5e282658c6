/**
 * When a client's write into a command's point fires the command. Pure.
 *   rising  the point was 0 (false, empty) and is now anything else: a coil set to 1
 *   change  the value differs from the one before the write
 *   write   every write, even one that repeats the value
 */
import type { PointValue } from '../codec/point-codec.js';
import type { CommandConfig } from '../config/types.js';

export type TriggerOn = CommandConfig['on'];

export function isZero(v: PointValue): boolean {
  return v === 0 || v === false || v === '';
}

export function fires(on: TriggerOn, before: PointValue, after: PointValue): boolean {
  switch (on) {
    case 'write':
      return true;
    case 'change':
      return before !== after;
    case 'rising':
      return isZero(before) && !isZero(after);
  }
}
