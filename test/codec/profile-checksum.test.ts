/** Checksums a profile may name, against the published check values ("123456789"). */
import { describe, expect, it } from 'vitest';
import { checksum, checksumOf } from '../../src/codec/profile/checksum.js';

const CHECK = Buffer.from('123456789', 'latin1');

describe('checksums', () => {
  it.each([
    ['crc16-modbus', 0x4b37], // CRC-16/MODBUS check value
    ['crc32', 0xcbf43926], // CRC-32 (IEEE 802.3) check value
    ['sum8', 0xdd], // 0x31 + ... + 0x39 = 477 = 0x1DD
    ['xor8', 0x31], // 0x31 ^ 0x32 ^ ... ^ 0x39
  ] as const)('%s of "123456789" is %s', (type, want) => {
    expect(checksum(type, CHECK)).toBe(want);
  });

  it('work on a range of a buffer, in place', () => {
    const framed = Buffer.concat([Buffer.from([0xff, 0xee]), CHECK, Buffer.from([0x00])]);
    expect(checksumOf('crc16-modbus', framed, 2, 11)).toBe(0x4b37);
    expect(checksumOf('crc32', framed, 2, 11)).toBe(0xcbf43926);
  });

  it('of nothing: the initial values', () => {
    expect(checksum('crc16-modbus', Buffer.alloc(0))).toBe(0xffff);
    expect(checksum('crc32', Buffer.alloc(0))).toBe(0);
    expect(checksum('sum8', Buffer.alloc(0))).toBe(0);
    expect(checksum('xor8', Buffer.alloc(0))).toBe(0);
  });

  it('a Modbus RTU frame: read holding 0, count 10 of unit 1 carries CRC C5 CD (low byte first)', () => {
    expect(checksum('crc16-modbus', Buffer.from('01030000000a', 'hex'))).toBe(0xcdc5);
  });
});
