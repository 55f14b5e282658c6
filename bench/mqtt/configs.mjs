// The fieldgate configurations of the mqtt section (YAML text).
import { fpgaBankYaml } from '../lib/fpga-bank.mjs';

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
  return `gateway: { name: ${name} }
log: { level: warn }
status: { listen: "127.0.0.1:${statusPort}" }
banks:
${fpgaBankYaml('b')}
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
