/**
 * CRC-16/MODBUS (polynomial 0xA001 reflected, initial 0xFFFF), as the RTU frame carries it: low
 * byte first. Table-driven; pure.
 */

const TABLE = (() => {
  const table = new Uint16Array(256);
  for (let i = 0; i < 256; i++) {
    let crc = i;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
    table[i] = crc;
  }
  return table;
})();

/** CRC of `buf[start .. end)`. */
export function crc16(buf: Uint8Array, start = 0, end = buf.length): number {
  let crc = 0xffff;
  for (let i = start; i < end; i++) crc = (crc >>> 8) ^ (TABLE[(crc ^ (buf[i] ?? 0)) & 0xff] ?? 0);
  return crc;
}

/** True when the last two bytes of `buf[start .. end)` are the CRC of the bytes before them. */
export function crcMatches(buf: Uint8Array, start: number, end: number): boolean {
  if (end - start < 3) return false;
  const crc = crc16(buf, start, end - 2);
  return buf[end - 2] === (crc & 0xff) && buf[end - 1] === crc >>> 8;
}
