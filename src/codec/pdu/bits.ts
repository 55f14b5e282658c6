/**
 * Bit packing as Modbus puts bits on the wire: the first bit in the LSB of the first byte.
 * Bits live unpacked in memory (one byte per bit, 0 or 1).
 */

/** Packs `bits` (0/1 per element) into ceil(n/8) bytes written to `out` at `offset`. */
export function packBits(bits: ArrayLike<number>, out: Buffer, offset: number): void {
  const n = bits.length;
  const bytes = (n + 7) >> 3;
  out.fill(0, offset, offset + bytes);
  for (let i = 0; i < n; i++) {
    if (bits[i]) out[offset + (i >> 3)] = (out[offset + (i >> 3)] ?? 0) | (1 << (i & 7));
  }
}

/** Unpacks `count` bits from `src` starting at `offset` into `out` (0/1 per element). */
export function unpackBits(src: Buffer, offset: number, count: number, out: Uint8Array): void {
  for (let i = 0; i < count; i++) {
    out[i] = ((src[offset + (i >> 3)] ?? 0) >> (i & 7)) & 1;
  }
}

export function byteCountForBits(n: number): number {
  return (n + 7) >> 3;
}
