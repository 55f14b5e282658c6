// The bank an fpga-telemetry board decodes into (the decode and mqtt sections both use it): YAML
// lines of `banks:` for bank `name`, at the indentation of a top-level `banks:` entry.
export function fpgaBankYaml(name) {
  const ch = [1, 2, 3, 4, 5, 6, 7, 8]
    .map((n) => `      - { name: ch${n}, table: holding, address: ${n + 1}, type: int16, scale: 0.01 }`)
    .join('\n');
  return `  ${name}:
    holding: 16
    coils: 8
    points:
      - { name: seq, table: holding, address: 0, type: uint32 }
${ch}
      - { name: board_temp, table: holding, address: 10, type: int16, scale: 0.1 }
      - { name: running, table: coils, address: 0, type: bool }
      - { name: fault, table: coils, address: 1, type: bool }
      - { name: overtemp, table: coils, address: 2, type: bool }`;
}
