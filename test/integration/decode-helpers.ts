/** FPGA telemetry frames and a bank that holds what they decode to, for the decode tests and bench. */
import { encodeFrame } from '../../src/codec/profile/encode.js';
import { loadProfileFile, profilePath } from '../../src/config/profiles/index.js';
import type { ProfileConfig } from '../../src/config/types.js';

export function fpgaProfile(): ProfileConfig {
  const r = loadProfileFile(profilePath('fpga-telemetry', '/'));
  if (!r.ok) throw new Error('fpga-telemetry does not load');
  return r.profile;
}

/**
 * Holding 0-1 seq (uint32), 2..9 ch1..ch8 (int16, 0.01), 10 board_temp (int16, 0.1); coils 0..2 running, fault,
 * overtemp.
 */
export function fpgaBankYaml(name: string): string {
  const channels = [1, 2, 3, 4, 5, 6, 7, 8].map(
    (n) => `      - { name: ch${n}, table: holding, address: ${n + 1}, type: int16, scale: 0.01 }`,
  );
  return `  ${name}:
    holding: 16
    coils: 8
    points:
      - { name: seq, table: holding, address: 0, type: uint32 }
${channels.join('\n')}
      - { name: board_temp, table: holding, address: 10, type: int16, scale: 0.1 }
      - { name: running, table: coils, address: 0, type: bool }
      - { name: fault, table: coils, address: 1, type: bool }
      - { name: overtemp, table: coils, address: 2, type: bool }`;
}

/**
 * Frame number `seq` of a board: ch1 = seq / 100 (wrapping), ch2 = -ch1, board_temp 40.5, running, fault on odd seq.
 */
export function fpgaFrame(profile: ProfileConfig, seq: number, board = 0): Buffer {
  const ch1 = (seq % 1000) / 100 + board;
  return encodeFrame(
    profile,
    new Map<string, number | boolean>([
      ['seq', seq],
      ['ch1', ch1],
      ['ch2', -ch1],
      ['board_temp', 40.5],
      ['running', true],
      ['fault', seq % 2 === 1],
    ]),
  );
}
