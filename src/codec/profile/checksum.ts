/**
 * Frame checksums a profile may name: CRC-16/MODBUS, CRC-32 (IEEE 802.3, as zlib and Ethernet),
 * sum8 (byte sum modulo 256) and xor8 (all bytes XORed). Table-driven, pure, no allocation:
 * `checksumOf` works on a range of a buffer so a decoder checks a frame in place.
 */
import type { ChecksumType } from '../../config/types.js';
import { crc16 } from '../rtu/crc.js';
import { writeRaw } from './binary-field.js';

const CRC32_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let bit = 0; bit < 8; bit++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
    table[i] = c >>> 0;
  }
  return table;
})();

function crc32(buf: Uint8Array, start: number, end: number): number {
  let c = 0xffffffff;
  for (let i = start; i < end; i++) c = (c >>> 8) ^ (CRC32_TABLE[(c ^ (buf[i] as number)) & 0xff] as number);
  return (c ^ 0xffffffff) >>> 0;
}

function sum8(buf: Uint8Array, start: number, end: number): number {
  let s = 0;
  for (let i = start; i < end; i++) s = (s + (buf[i] as number)) & 0xff;
  return s;
}

function xor8(buf: Uint8Array, start: number, end: number): number {
  let x = 0;
  for (let i = start; i < end; i++) x ^= buf[i] as number;
  return x;
}

/**
 * The byte order a checksum is written in unless said: CRC-16/MODBUS low byte first (as in Modbus RTU), the others big-
 * endian.
 */
export function defaultChecksumEndian(type: ChecksumType): 'big' | 'little' {
  return type === 'crc16-modbus' ? 'little' : 'big';
}

/** Bytes the checksum takes in the frame. */
export function checksumSize(type: ChecksumType): number {
  return type === 'crc32' ? 4 : type === 'crc16-modbus' ? 2 : 1;
}

/** The checksum of `buf[start, end)`. */
export function checksumOf(type: ChecksumType, buf: Uint8Array, start: number, end: number): number {
  switch (type) {
    case 'crc16-modbus':
      return crc16(buf, start, end);
    case 'crc32':
      return crc32(buf, start, end);
    case 'sum8':
      return sum8(buf, start, end);
    case 'xor8':
      return xor8(buf, start, end);
  }
}

/** The checksum of all of `bytes`. */
export function checksum(type: ChecksumType, bytes: Buffer): number {
  return checksumOf(type, bytes, 0, bytes.length);
}

/** Computes the checksum of `buf[from, to)` and writes it at `at` in its size and byte order. */
export function writeChecksum(
  type: ChecksumType,
  buf: Buffer,
  from: number,
  to: number,
  at: number,
  little: boolean,
): void {
  const unsigned = ({ 1: 'uint8', 2: 'uint16', 4: 'uint32' } as const)[checksumSize(type) as 1 | 2 | 4];
  writeRaw(buf, at, unsigned, little, checksumOf(type, buf, from, to));
}
