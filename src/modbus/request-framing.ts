/**
 * How a Modbus server session cuts requests out of its stream and wraps its replies: MBAP (Modbus
 * TCP: transaction id, length, unit) or RTU frames over TCP (`frame: rtu`: unit + PDU + CRC, as a
 * serial device server passes them; no transaction id, so replies simply go out in request order,
 * which the session keeps anyway). The session is given one and is otherwise the same.
 */
import { MbapFramer, writeMbapHeader, MBAP_HEADER_LENGTH } from '../codec/mbap.js';
import { encodeRtuFrame } from '../codec/rtu/frame.js';
import { RtuRequestFramer } from '../codec/rtu/request-framer.js';

export interface FramingError {
  readonly reason: string;
  readonly bytes: Buffer;
}

/** `tag`: what the reply must carry back (the MBAP transaction id; 0 for RTU). */
export type OnRequest = (tag: number, unit: number, pdu: Buffer) => void;

export interface RequestFraming {
  /** Cuts `chunk` into requests, in order; an error when the stream cannot be followed (close). */
  feed(chunk: Buffer, onRequest: OnRequest): FramingError | undefined;
  /** The bytes to send for a reply PDU that sits behind MBAP headroom. */
  encode(reply: Buffer, tag: number, unit: number): Buffer;
}

export function mbapFraming(): RequestFraming {
  const framer = new MbapFramer();
  // One closure for the session's one onRequest, not one per read; one Buffer per request (the PDU).
  let target: OnRequest | undefined;
  let onFrame: (buf: Buffer, start: number, end: number) => void = () => undefined;
  return {
    feed(chunk, onRequest) {
      if (onRequest !== target) {
        target = onRequest;
        onFrame = (buf, start, end) =>
          onRequest(
            ((buf[start] ?? 0) << 8) | (buf[start + 1] ?? 0),
            buf[start + 6] ?? 0,
            buf.subarray(start + MBAP_HEADER_LENGTH, end),
          );
      }
      return framer.feedAt(chunk, onFrame);
    },
    encode: (reply, tag, unit) => writeMbapHeader(reply, tag, unit),
  };
}

/** RTU frames over TCP; `onCrcError` is told of every frame dropped for a bad CRC. */
export function rtuFraming(onCrcError: () => void): RequestFraming {
  const framer = new RtuRequestFramer();
  const onFrame = (onRequest: OnRequest) => (frame: Buffer) =>
    onRequest(0, frame[0] ?? 0, frame.subarray(1, frame.length - 2));
  return {
    feed(chunk, onRequest) {
      const before = framer.crcErrors;
      const error = framer.feed(chunk, onFrame(onRequest));
      for (let n = framer.crcErrors - before; n > 0; n--) onCrcError();
      return error;
    },
    encode: (reply, _tag, unit) => encodeRtuFrame(unit, reply.subarray(MBAP_HEADER_LENGTH)),
  };
}
