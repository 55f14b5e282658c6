/**
 * Finds the reply to one RTU request in the bytes that arrive after it was sent. Pure: the caller
 * feeds chunks as they come and tells it when the line has been silent; it never stalls on a
 * candidate (every offset is tried, so garbage in front of a reply, or a frame whose length field
 * lies, does not hide the reply behind it) and it only accepts a frame whose unit, function, CRC and
 * shape (byte count, write echo) fit the request. It tells a unit that sent something unfit (alive)
 * from one that sent nothing.
 */
import { crcMatches } from './crc.js';
import { replyFitsRequest, replyLength, RTU_MAX_ADU } from './frame.js';

/** Bytes kept at most while looking for the reply (a reply is at most 256). */
const MAX_BUFFER = 2 * RTU_MAX_ADU;

export type MatchOutcome =
  | { readonly kind: 'reply'; readonly pdu: Buffer }
  /** A whole frame for this request arrived with a bad CRC, and nothing valid followed it. */
  | { readonly kind: 'crc' };

export class RtuReplyMatcher {
  private buf: Buffer = Buffer.alloc(0);
  /** A frame addressed to the request's unit and function had a bad CRC. */
  badCrc = false;
  /** Valid frames that answered some other request (a late reply, for one). */
  mismatched = 0;
  /** The start of a frame from the request's unit with its function (or its exception) was seen. */
  heard = false;

  constructor(
    readonly unit: number,
    readonly request: Buffer,
  ) {}

  get buffered(): number {
    return this.buf.length;
  }

  /** Adds a chunk; returns the reply once a valid one is complete. */
  feed(chunk: Buffer): MatchOutcome | undefined {
    this.buf = this.buf.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buf, chunk]);
    if (this.buf.length > MAX_BUFFER) this.buf = this.buf.subarray(this.buf.length - MAX_BUFFER);
    return this.scan(false);
  }

  /**
   * The line has been silent: frames whose length the function code does not tell end here. Returns
   * the reply, or 'crc' when a frame for this request was whole but corrupt and nothing better came.
   */
  silence(): MatchOutcome | undefined {
    const found = this.scan(true);
    if (found) return found;
    return this.badCrc ? { kind: 'crc' } : undefined;
  }

  /**
   * Why what came from the unit is no reply (asked when the time is up without one), or undefined
   * when nothing came from it: the offline rule counts only that silence.
   */
  unfit(): string | undefined {
    if (this.mismatched > 0)
      return `${this.mismatched} frame(s) from the unit that do not fit the request (length, address or quantity)`;
    if (this.heard) return 'a reply from the unit that was cut short or is malformed';
    return undefined;
  }

  private scan(silent: boolean): MatchOutcome | undefined {
    const buf = this.buf;
    const fc = this.request[0] ?? 0;
    for (let o = 0; o + 1 < buf.length; o++) {
      if (buf[o] !== this.unit || ((buf[o + 1] ?? 0) & 0x7f) !== fc) continue;
      this.heard = true;
      const claimed = replyLength(buf, o, buf.length);
      if (claimed === 'more') continue;
      const end = claimed === 'unknown' ? (silent ? buf.length : -1) : o + claimed;
      if (end < 0 || end > buf.length || end - o < 5) continue;
      if (!crcMatches(buf, o, end)) {
        this.badCrc = true;
        continue;
      }
      const pdu = Buffer.from(buf.subarray(o + 1, end - 2));
      if (replyFitsRequest(this.request, pdu)) return { kind: 'reply', pdu };
      this.mismatched++;
      this.buf = buf.subarray(end);
      return this.scan(silent);
    }
    return undefined;
  }
}
