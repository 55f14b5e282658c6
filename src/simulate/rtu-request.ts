/**
 * Where a Modbus RTU *request* ends (the slave's side of the line; codec/rtu/frame.ts has the
 * master's side, replies). A request's length follows from its function code and, for writes of
 * several values, its byte count. Pure.
 *
 *   a number   the whole frame's length: unit + PDU + CRC
 *   'more'     not enough bytes yet to tell
 *   'unknown'  a function code whose length is not known here: the end is the silence after it
 */
export function requestLength(buf: Uint8Array, start: number, end: number): number | 'more' | 'unknown' {
  const have = end - start;
  if (have < 2) return 'more';
  switch (buf[start + 1]) {
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
      return have < 7 ? 'more' : 9 + (buf[start + 6] ?? 0);
    case 22:
      return 10;
    case 23:
      return have < 11 ? 'more' : 13 + (buf[start + 10] ?? 0);
    case 43:
      return 7;
    default:
      return 'unknown';
  }
}
