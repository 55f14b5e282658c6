/**
 * RTU timing from the line settings (Modbus over Serial Line v1.02 §2.5.1.1): a character is
 * start + data + parity + stop bits; frames are separated by at least 3.5 characters of silence,
 * fixed at 1.75 ms above 19200 baud. Pure.
 */

export interface LineSettings {
  readonly baudRate: number;
  readonly dataBits: number;
  readonly parity: 'none' | 'even' | 'odd';
  readonly stopBits: number;
}

/** ms one character takes on the wire. */
export function charTimeMs(line: LineSettings): number {
  const bits = 1 + line.dataBits + (line.parity === 'none' ? 0 : 1) + line.stopBits;
  return (bits * 1000) / line.baudRate;
}

/** ms of silence between frames (t3.5). */
export function interFrameMs(line: LineSettings): number {
  return line.baudRate > 19200 ? 1.75 : 3.5 * charTimeMs(line);
}

/** ms it takes to send `bytes` characters. */
export function transmitMs(line: LineSettings, bytes: number): number {
  return bytes * charTimeMs(line);
}
