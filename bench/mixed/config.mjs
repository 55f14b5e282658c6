// The mixed section's configs: one like the 32-minute soak's (Modbus churn, an RTU route, a raw hub
// and echo, a 4-port pool, a simulator, the status endpoint), and the Modbus-only one the modbus
// section runs at 100 connections (one server, one bank), for the side-by-side peak.

/** Ports: { modbus, hub, echo, status, pool: [4 ports] }; rtuPath: fieldgate's end of the pty pair. */
export function mixedYaml({ ports, rtuPath }) {
  const simPoints = [];
  const signals = [];
  const kinds = ['sine', 'ramp', 'random-walk', 'counter'];
  for (let i = 0; i < 16; i++) {
    simPoints.push(`      - { name: v${i}, table: input, address: ${i}, type: uint16 }`);
    const kind = kinds[i % kinds.length];
    const shape =
      kind === 'counter'
        ? `{ signal: counter, max: 65535 }`
        : kind === 'random-walk'
          ? `{ signal: random-walk, min: 0, max: 1000, step: 7 }`
          : `{ signal: ${kind}, min: 0, max: 1000, period: ${10 + i}s }`;
    signals.push(`      v${i}: ${shape}`);
  }
  const press = (n) => `  press${n}:
    holding: 16
    points:
      - { name: count, table: holding, address: 0, type: uint32, order: CDAB }
      - { name: speed, table: holding, address: 2, type: float32, order: CDAB }
      - { name: state, table: holding, address: 4, type: uint16 }
      - { name: recipe, table: holding, address: 5, type: string, length: 8 }`;
  const pool = ports.pool.map((p, i) => `      ${p}: { units: { 1: { bank: press${i + 1} } } }`).join('\n');
  return `gateway: { name: bench-mixed }
log: { level: warn }
status: { listen: 127.0.0.1:${ports.status} }
banks:
  plant: { holding: 1000, input: 1000, coils: 2000, discrete: 2000 }
  sim:
    input: 16
    points:
${simPoints.join('\n')}
${[1, 2, 3, 4].map(press).join('\n')}
servers:
  - name: scada
    protocol: modbus
    listen: 127.0.0.1:${ports.modbus}
    maxClients: 100
    idleTimeout: 30s
    bank: plant
    units:
      2: { device: rs485, unit: 1 }
      3: { bank: sim }
  - name: presses
    protocol: modbus
    listen: 127.0.0.1
    ports:
${pool}
    onBusy: replace-same-client
    idleTimeout: 10s
  - name: console
    protocol: raw
    listen: 127.0.0.1:${ports.hub}
    framing: { type: line, delimiter: "\\n", max: 1024 }
    handler: hub
  - name: echo
    protocol: raw
    listen: 127.0.0.1:${ports.echo}
    framing: { type: line, delimiter: "\\n", max: 1024 }
    handler: echo
devices:
  - name: sim
    type: simulator
    bank: sim
    every: 200ms
    signals:
${signals.join('\n')}
  - { name: rs485, type: modbus-rtu, path: ${rtuPath}, baudRate: 115200, parity: none, timeout: 500ms, retries: 1 }
`;
}

/** The modbus section's fieldgate config (bench/modbus-tcp.mjs), which runs the 100-connection cases. */
export { fieldgateYaml as modbusOnlyYaml } from '../modbus-tcp.mjs';
