import { describe, expect, it } from 'vitest';
import { at, configOf, issuesOf, load } from './helpers.js';

describe('devices', () => {
  it('each type gets its own defaults', () => {
    const text = `devices:
  - { name: rtu, type: modbus-rtu, path: /dev/ttyS0 }
  - { name: tcp1, type: modbus-tcp, host: 10.0.0.1, port: 502 }
  - { name: cam, type: tcp, host: cam.local, port: 3000 }
  - { name: ser, type: serial, path: /dev/ttyS1 }
`;
    expect(configOf(load(text)).devices).toStrictEqual([
      { name: 'rtu', type: 'modbus-rtu', path: '/dev/ttyS0', baudRate: 19200, parity: 'even', dataBits: 8, stopBits: 1, timeout: 500, retries: 1, queue: 32 },
      { name: 'tcp1', type: 'modbus-tcp', host: '10.0.0.1', ports: [502], unit: 1, timeout: 1000, retries: 0, queue: 32 },
      { name: 'cam', type: 'tcp', host: 'cam.local', port: 3000 },
      { name: 'ser', type: 'serial', path: '/dev/ttyS1', baudRate: 115200, parity: 'none', dataBits: 8, stopBits: 1 },
    ]);
  });

  it('a modbus-tcp device needs exactly one of port and ports', () => {
    const text = 'devices:\n  - { name: a, type: modbus-tcp, host: 10.0.0.1 }\n  - { name: b, type: modbus-tcp, host: 10.0.0.1, port: 502, ports: [503] }\n';
    expect(issuesOf(load(text)).map((i) => ({ key: i.key, line: i.line, col: i.col, message: i.message }))).toEqual([
      { key: 'devices[0]', ...at(text, '^{ name: a'), message: 'needs port: N, or ports: [N, ...] for one connection per port' },
      { key: 'devices[1].ports', ...at(text, 'ports: ^[503]'), message: 'give either port: N or ports: [N, ...], not both' },
    ]);
  });

  it('missing type, name and host are reported at the item', () => {
    const text = 'devices:\n  - name: a\n    host: 10.0.0.1\n  - type: tcp\n    port: 1\n';
    expect(issuesOf(load(text)).map((i) => ({ key: i.key, line: i.line, col: i.col, message: i.message }))).toEqual([
      { key: 'devices[0].type', ...at(text, '- ^name: a'), message: 'is required: the kind of device, one of modbus-rtu, modbus-tcp, tcp, serial' },
      { key: 'devices[1].name', ...at(text, '- ^type: tcp'), message: 'is required: unique name of this device, used by units routes, logs and status (letters, digits, _ . -)' },
      { key: 'devices[1].host', ...at(text, '- ^type: tcp'), message: 'is required: IP address or host name to connect to' },
    ]);
  });

  it('framing is kept as written, and must be a mapping', () => {
    const good = 'devices:\n  - { name: s, type: serial, path: /dev/ttyS1, framing: { type: length, size: 2, endian: big, x.y: { "": 1 } } }\n';
    expect(configOf(load(good)).devices[0]).toMatchObject({ framing: { type: 'length', size: 2, endian: 'big', 'x.y': { '': 1 } } });
    const bad = 'devices:\n  - { name: s, type: tcp, host: 10.0.0.1, port: 1, framing: line }\n';
    expect(issuesOf(load(bad)).map((i) => [i.key, i.message])).toEqual([
      ['devices[0].framing', 'is not a mapping: write e.g. { type: line, delimiter: "\\n" }'],
    ]);
  });
});
