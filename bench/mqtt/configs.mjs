// The fieldgate configurations of the mqtt section (YAML text).

/** The mqtt: section (Sparkplug B, QoS 0) publishing `bank`, its backlog in `dir`. */
function mqttYaml(mqtt, bank) {
  if (!mqtt) return '';
  return `mqtt:
  url: ${mqtt.url}
  group: bench
  banks: [${bank}]
  storeForward: { dir: ${JSON.stringify(mqtt.dir)} }
`;
}

/**
 * Bank `big`: `points` uint16 holding points p0.., served over Modbus (the loader writes it), the
 * status endpoint (MQTT counters), and with `mqtt` the bank published.
 */
export function bigYaml({ name, points, modbusPort, statusPort, mqtt }) {
  const lines = [];
  for (let i = 0; i < points; i++) lines.push(`      - { name: p${i}, table: holding, address: ${i}, type: uint16 }`);
  return `gateway: { name: ${name} }
log: { level: warn }
status: { listen: "127.0.0.1:${statusPort}" }
banks:
  big:
    holding: ${points}
    points:
${lines.join('\n')}
servers:
  - { name: scada, protocol: modbus, listen: "127.0.0.1:${modbusPort}", idleTimeout: 0, maxClients: 200, bank: big }
${mqttYaml(mqtt, 'big')}`;
}

/** Bank `b` fed by a raw server decoding fpga-telemetry frames (as bench/decode.mjs), published. */
export function streamYaml({ name, rawPort, statusPort, mqtt }) {
  const ch = [1, 2, 3, 4, 5, 6, 7, 8]
    .map((n) => `      - { name: ch${n}, table: holding, address: ${n + 1}, type: int16, scale: 0.01 }`)
    .join('\n');
  return `gateway: { name: ${name} }
log: { level: warn }
status: { listen: "127.0.0.1:${statusPort}" }
banks:
  b:
    holding: 16
    coils: 8
    points:
      - { name: seq, table: holding, address: 0, type: uint32 }
${ch}
      - { name: board_temp, table: holding, address: 10, type: int16, scale: 0.1 }
      - { name: running, table: coils, address: 0, type: bool }
      - { name: fault, table: coils, address: 1, type: bool }
      - { name: overtemp, table: coils, address: 2, type: bool }
servers:
  - { name: decode, protocol: raw, listen: "127.0.0.1:${rawPort}", idleTimeout: 0, handler: { decode: fpga-telemetry, bank: b } }
${mqttYaml(mqtt, 'b')}`;
}

/** One board of the fleet: 100 uint16 points a simulator counts up every `every`, published. */
export function fleetYaml({ name, points, modbusPort, every, mqtt }) {
  const pts = [];
  const sig = [];
  for (let i = 0; i < points; i++) {
    pts.push(`      - { name: p${i}, table: holding, address: ${i}, type: uint16 }`);
    sig.push(`      p${i}: { signal: counter, min: 0, max: 65535, step: ${i + 1} }`);
  }
  return `gateway: { name: ${name} }
log: { level: warn }
banks:
  plant:
    holding: ${points}
    points:
${pts.join('\n')}
devices:
  - name: sim
    type: simulator
    bank: plant
    every: ${every}
    signals:
${sig.join('\n')}
servers:
  - { name: scada, protocol: modbus, listen: "127.0.0.1:${modbusPort}", idleTimeout: 0, bank: plant }
${mqttYaml(mqtt, 'plant')}`;
}
