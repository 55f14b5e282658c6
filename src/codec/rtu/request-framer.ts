/**
 * Cuts RTU request frames (unit + PDU + CRC) out of a byte stream that has no silence to mark their
 * ends: RTU over TCP, where a client sends serial frames down a socket. A request's length follows
 * from its function code (and, for the writes that carry data, its byte count), so frames split or
 * joined at any byte come out whole and in order:
 *
 *   FC 1-6, 8                      8 bytes       FC 7, 11, 12, 17   4 bytes
 *   FC 15, 16                      9 + n         FC 20, 21          5 + n
 *   FC 22                          10            FC 23              13 + n
 *   FC 24                          6             FC 43 / MEI 14     7
 *
 * A frame whose CRC is wrong is dropped and counted (as a slave on a wire does) and the stream goes
 * on after it. A function code whose request length cannot be told (any other, or MEI 13) leaves no
 * way to find the next frame: the framer reports it, and the session must close (a client that
 * sends it over TCP cannot be followed). Pure: no timers, no I/O.
 */
import { crcMatches } from './crc.js';
import { RTU_MAX_ADU } from './frame.js';

/** Unit and function code: the least a frame must have before its length can be told. */
const HEAD = 2;

export interface RtuFramerError {
  readonly reason: string;
  /** The offending bytes (at most 16), for the log. */
  readonly bytes: Buffer;
}

/**
 * Total length of the request frame at `buf[start]` (CRC included): a number, 'more' (not enough
 * bytes yet to tell), or 'unknown' (the function code does not tell).
 */
export function requestLength(buf: Uint8Array, start: number, end: number): number | 'more' | 'unknown' {
  const have = end - start;
  if (have < HEAD) return 'more';
  const fc = buf[start + 1] ?? 0;
  const byteAt = (i: number, plus: number): number | 'more' => (have <= i ? 'more' : plus + (buf[start + i] ?? 0));
  switch (fc) {
    case 1:
    case 2:
    case 3:
    case 4:
    case 5:
    case 6:
    case 8:
      return 8;
    case 7:
    case 11:
    case 12:
    case 17:
      return 4;
    case 15:
    case 16:
      return byteAt(6, 9);
    case 20:
    case 21:
      return byteAt(2, 5);
    case 22:
      return 10;
    case 23:
      return byteAt(10, 13);
    case 24:
      return 6;
    case 43:
      if (have < 3) return 'more';
      return buf[start + 2] === 14 ? 7 : 'unknown';
    default:
      return 'unknown';
  }
}

export class RtuRequestFramer {
  /** Frames dropped for a bad CRC. */
  crcErrors = 0;
  private pending: Buffer | undefined;

  /** Bytes held of an incomplete frame. */
  get pendingBytes(): number {
    return this.pending?.length ?? 0;
  }

  /** Forgets an incomplete frame (a serial line went quiet in the middle of one). */
  reset(): void {
    this.pending = undefined;
  }

  /**
   * Consumes `chunk`; calls `onFrame` with every whole frame whose CRC is right, in order (unit +
   * PDU + CRC; it may be a view into `chunk`, valid during the call). Returns an error when the next
   * frame's length cannot be told (nothing after it is delivered).
   */
  feed(chunk: Buffer, onFrame: (frame: Buffer) => void): RtuFramerError | undefined {
    let buf = chunk;
    if (this.pending) {
      buf = Buffer.concat([this.pending, chunk]);
      this.pending = undefined;
    }
    let offset = 0;
    while (offset < buf.length) {
      const size = requestLength(buf, offset, buf.length);
      if (size === 'more') break;
      if (size === 'unknown' || size > RTU_MAX_ADU) {
        const fc = buf[offset + 1] ?? 0;
        const why =
          size === 'unknown'
            ? `function code ${fc}${fc === 43 ? ` (MEI ${buf[offset + 2] ?? 0})` : ''}`
            : `${size} bytes`;
        return {
          reason: `an RTU request of ${why}: its length cannot be told, so the stream cannot be followed`,
          bytes: buf.subarray(offset, offset + 16),
        };
      }
      if (buf.length - offset < size) break;
      if (crcMatches(buf, offset, offset + size)) onFrame(buf.subarray(offset, offset + size));
      else this.crcErrors++;
      offset += size;
    }
    if (offset < buf.length) this.pending = Buffer.from(buf.subarray(offset));
    return undefined;
  }
}
