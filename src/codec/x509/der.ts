/**
 * A small ASN.1 DER reader: one TLV at a time, every length checked against what is left, nothing
 * thrown. Enough to walk an X.509 certificate to its extensions (x509/extensions.ts); not a general
 * BER parser: the indefinite length (0x80), long-form lengths that DER forbids (a length that fits
 * in the short form, a leading zero byte) and lengths past 4 bytes are refused, as are high tag
 * numbers (tag 31: X.509 does not use them).
 *
 *   identifier(1): class(2 bits) constructed(1 bit) tag(5 bits)
 *   length: 0..127 in one byte, or 0x81..0x84 then that many big-endian bytes
 *   contents(length)
 */

export interface Tlv {
  /** The identifier byte as it is: 0x30 SEQUENCE, 0x06 OBJECT IDENTIFIER, 0xa3 [3] constructed, ... */
  readonly tag: number;
  /** The contents (a view into the input, not a copy). */
  readonly value: Buffer;
  /** Where the next TLV starts in the input. */
  readonly end: number;
}

/** What went wrong, and at which byte of the input. */
export interface DerError {
  readonly error: string;
  readonly at: number;
}

export type DerResult<T> = T | DerError;

export const isDerError = (r: unknown): r is DerError =>
  typeof r === 'object' && r !== null && typeof (r as { error?: unknown }).error === 'string';

export const TAG = {
  BOOLEAN: 0x01,
  OCTET_STRING: 0x04,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

const MAX_LENGTH_BYTES = 4;

/** The TLV that starts at `at` in `der` and ends within `limit` (default: the end of `der`). */
export function readTlv(der: Buffer, at: number, limit = der.length): DerResult<Tlv> {
  if (at >= limit) return { error: 'truncated: no identifier byte', at };
  const tag = der[at] ?? 0;
  if ((tag & 0x1f) === 0x1f) return { error: `high tag number (identifier 0x${tag.toString(16)}) not supported`, at };
  if (at + 1 >= limit) return { error: 'truncated: no length byte', at: at + 1 };
  const first = der[at + 1] ?? 0;
  let length: number;
  let start: number;
  if (first < 0x80) {
    length = first;
    start = at + 2;
  } else {
    const n = first & 0x7f;
    if (n === 0) return { error: 'indefinite length (BER) is not DER', at: at + 1 };
    if (n > MAX_LENGTH_BYTES) return { error: `length of ${n} bytes is too long`, at: at + 1 };
    if (at + 2 + n > limit) return { error: 'truncated: in the length bytes', at: at + 1 };
    if (der[at + 2] === 0) return { error: 'length with a leading zero byte is not DER', at: at + 2 };
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + (der[at + 2 + i] ?? 0);
    if (length < 0x80) return { error: `length ${length} in long form is not DER`, at: at + 1 };
    start = at + 2 + n;
  }
  if (start + length > limit)
    return { error: `truncated: ${length} content bytes announced, ${limit - start} left`, at };
  return { tag, value: der.subarray(start, start + length), end: start + length };
}

/** The TLV at `at`, which must carry `tag`. */
export function expectTlv(der: Buffer, at: number, tag: number, what: string, limit = der.length): DerResult<Tlv> {
  const tlv = readTlv(der, at, limit);
  if (isDerError(tlv)) return { error: `${what}: ${tlv.error}`, at: tlv.at };
  if (tlv.tag !== tag) return { error: `${what}: identifier 0x${hex(tlv.tag)} where 0x${hex(tag)} was expected`, at };
  return tlv;
}

/** The TLVs that make up `contents` (a constructed value), in order. */
export function children(contents: Buffer, what: string): DerResult<Tlv[]> {
  const out: Tlv[] = [];
  for (let at = 0; at < contents.length;) {
    const tlv = readTlv(contents, at);
    if (isDerError(tlv)) return { error: `${what}: ${tlv.error}`, at: tlv.at };
    out.push(tlv);
    at = tlv.end;
  }
  return out;
}

/**
 * The dotted form of an OBJECT IDENTIFIER's contents ("1.3.6.1.4.1.50316.802.1"). Refused: empty,
 * an arc with a leading 0x80 (not minimal), an arc cut off (last byte with the high bit set), an
 * arc past 2^53.
 */
export function decodeOid(contents: Buffer): DerResult<string> {
  if (contents.length === 0) return { error: 'empty OBJECT IDENTIFIER', at: 0 };
  const arcs: number[] = [];
  let value = 0;
  let fresh = true;
  for (let i = 0; i < contents.length; i++) {
    const b = contents[i] ?? 0;
    if (fresh && b === 0x80) return { error: 'OBJECT IDENTIFIER arc with a leading 0x80 is not DER', at: i };
    value = value * 128 + (b & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER) return { error: 'OBJECT IDENTIFIER arc too large', at: i };
    fresh = (b & 0x80) === 0;
    if (fresh) {
      arcs.push(value);
      value = 0;
    }
  }
  if (!fresh) return { error: 'OBJECT IDENTIFIER cut off in an arc', at: contents.length - 1 };
  const first = arcs[0] ?? 0;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...arcs.slice(1)].join('.');
}

function hex(n: number): string {
  return n.toString(16).padStart(2, '0');
}
