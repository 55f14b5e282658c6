/**
 * Modbus TCP application header (MBAP) and the framer that cuts a TCP byte stream into ADUs.
 *
 *   transactionId(2) protocolId(2) = 0  length(2) = 2..254 (unit + PDU)  unitId(1)  PDU(length - 1)
 *
 * The framer accepts chunks split or joined at any byte, hands out whole frames in order, keeps at
 * most one partial frame (<= 260 bytes), and reports a header that breaks the rules as invalid: the
 * stream cannot be resynchronised after that, so the session must close.
 */

export const MBAP_HEADER_LENGTH = 7;
export const MBAP_MIN_LENGTH = 2;
export const MBAP_MAX_LENGTH = 254;

export interface MbapHeader {
  readonly transactionId: number;
  readonly protocolId: number;
  /** Bytes that follow the length field: unit id + PDU. */
  readonly length: number;
  readonly unitId: number;
}

export function readMbapHeader(frame: Buffer): MbapHeader {
  return {
    transactionId: frame.readUInt16BE(0),
    protocolId: frame.readUInt16BE(2),
    length: frame.readUInt16BE(4),
    unitId: frame[6] ?? 0,
  };
}

/** Fills the 7 header bytes at the front of `adu`, whose remainder is the PDU. */
export function writeMbapHeader(adu: Buffer, transactionId: number, unitId: number): Buffer {
  adu[0] = transactionId >>> 8;
  adu[1] = transactionId & 0xff;
  adu[2] = 0;
  adu[3] = 0;
  const length = adu.length - 6;
  adu[4] = length >>> 8;
  adu[5] = length & 0xff;
  adu[6] = unitId;
  return adu;
}

/** A whole ADU from a PDU (copies). */
export function encodeAdu(transactionId: number, unitId: number, pdu: Buffer): Buffer {
  const adu = Buffer.allocUnsafe(MBAP_HEADER_LENGTH + pdu.length);
  pdu.copy(adu, MBAP_HEADER_LENGTH);
  return writeMbapHeader(adu, transactionId, unitId);
}

export interface FramerError {
  readonly reason: string;
  /** The offending header bytes (at most 16), for the log. */
  readonly bytes: Buffer;
}

/** Checks the header at `offset`; returns the whole frame length, or an error. */
function frameLength(buf: Buffer, offset: number): number | FramerError {
  const protocolId = ((buf[offset + 2] ?? 0) << 8) | (buf[offset + 3] ?? 0);
  const length = ((buf[offset + 4] ?? 0) << 8) | (buf[offset + 5] ?? 0);
  if (protocolId !== 0) {
    return { reason: `MBAP protocol id is ${protocolId}, not 0`, bytes: buf.subarray(offset, offset + 16) };
  }
  if (length < MBAP_MIN_LENGTH || length > MBAP_MAX_LENGTH) {
    return {
      reason: `MBAP length is ${length}, not ${MBAP_MIN_LENGTH}..${MBAP_MAX_LENGTH}`,
      bytes: buf.subarray(offset, offset + 16),
    };
  }
  return 6 + length;
}

export class MbapFramer {
  private pending: Buffer | undefined;

  /** Bytes held of an incomplete frame. */
  get pendingBytes(): number {
    return this.pending?.length ?? 0;
  }

  /**
   * Consumes `chunk`; calls `onFrame` for every complete frame in order (the frame may be a view into
   * `chunk`). Returns an error when the stream is invalid (nothing after the bad header is delivered).
   */
  feed(chunk: Buffer, onFrame: (frame: Buffer) => void): FramerError | undefined {
    return this.feedAt(chunk, (buf, start, end) => onFrame(buf.subarray(start, end)));
  }

  /**
   * `feed` without a Buffer per frame: `onFrame` gets the frame as `buf[start..end)` (`buf` may be
   * `chunk`, or the kept partial frame joined with it). For the server's hot path.
   */
  feedAt(chunk: Buffer, onFrame: (buf: Buffer, start: number, end: number) => void): FramerError | undefined {
    let buf = chunk;
    if (this.pending) {
      buf = Buffer.concat([this.pending, chunk]);
      this.pending = undefined;
    }
    let offset = 0;
    while (buf.length - offset >= MBAP_HEADER_LENGTH) {
      const size = frameLength(buf, offset);
      if (typeof size !== 'number') return size;
      if (buf.length - offset < size) break;
      onFrame(buf, offset, offset + size);
      offset += size;
    }
    if (offset < buf.length) this.pending = Buffer.from(buf.subarray(offset));
    return undefined;
  }
}
