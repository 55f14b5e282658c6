import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../src/config/load.js';
import { at, FILE, issuesOf, load } from './helpers.js';

const BROKEN = `gateway:
  name: 42
log:
  level: verbose
status:
  listen: 127.0.0.1
banks:
  plant:
    holding: 0
    coils: 16
    values:
      input: { x: 1 }
      coils: { 3: [1, 2] }
servers:
  - name: scada
    protocol: modbus
    listen: 0.0.0.0:70000
    maxClients: 0
    idleTimeout: 5 s
    allow: [192.168.10.0/24, 10.0.0.0/33]
    readOnly: "yes"
    bank: plant
    units:
      256: { bank: plant }
      3: { bank: plant, device: rs485 }
    maxInFlight: 300
    sendTimeout: -1
    keepAlive: 1.5
  - protocol: modbus
    listen: 127.0.0.1:1502
    onBusy: kick
    bank: plant
devices:
  - name: rs485
    type: modbus-rtu
    parity: mark
    dataBits: 9
    stopBits: 1.5
    retries: 11
    queue: 0
  - name: plc
    type: modbus-tcp
    host: 192.168.250.1
    port: 502
    ports: [9601, 9601]
  - name: cam
    type: camera
`;

/** key, where (a marker for at()), and a piece of the message. */
const EXPECTED: [string, string, string][] = [
  ['gateway.name', 'name: ^42', '42 is not text'],
  ['log.level', 'level: ^verbose', '"verbose" is not one of fatal, error, warn, info, debug, trace'],
  ['status.listen', 'listen: ^127.0.0.1', '"127.0.0.1" is not host:port with a port in 0..65535 (the port is missing)'],
  ['banks.plant.holding', 'holding: ^0', '0 is not a whole number in 1..65536'],
  [
    'banks.plant.values.input',
    '^input: { x',
    'the bank has no input table: add input: SIZE to the bank, or remove these values',
  ],
  ['banks.plant.values.input.x', '{ ^x: 1 }', '"x" is not an address'],
  ['banks.plant.values.coils.3[1]', '[1, ^2]', '2 is not a bit value: use 0, 1, true or false'],
  ['servers[0].listen', 'listen: ^0.0.0.0:70000', '"0.0.0.0:70000" is not host:port with a port in 0..65535'],
  ['servers[0].maxClients', 'maxClients: ^0', '0 is not a whole number of at least 1'],
  [
    'servers[0].idleTimeout',
    'idleTimeout: ^5 s',
    '"5 s" is not a duration: write 250ms, 5s, 2m, 1h or a number of milliseconds',
  ],
  ['servers[0].allow[1]', '^10.0.0.0/33', '"10.0.0.0/33" is not an IP address or CIDR block'],
  ['servers[0].readOnly', 'readOnly: ^"yes"', '"yes" is not true or false'],
  ['servers[0].units.256', '^256: {', '"256" is not a unit id: use 0..255'],
  ['servers[0].units.3', '3: ^{ bank: plant, device', 'sets both bank and device'],
  ['servers[0].maxInFlight', 'maxInFlight: ^300', '300 is not a whole number in 1..256'],
  ['servers[0].sendTimeout', 'sendTimeout: ^-1', '-1 is not a duration'],
  ['servers[0].keepAlive', 'keepAlive: ^1.5', '1.5 is not a duration'],
  ['servers[1].name', '- ^protocol: modbus\n    listen: 127', 'is required: unique name of this server'],
  ['servers[1].onBusy', 'onBusy: ^kick', '"kick" is not one of reject, replace, replace-same-client'],
  ['devices[0]', '- ^name: rs485', 'needs path: /dev/ttyUSB0 (a serial port), or host and port'],
  ['devices[0].parity', 'parity: ^mark', '"mark" is not one of none, even, odd'],
  ['devices[0].dataBits', 'dataBits: ^9', '9 is not a whole number in 5..8'],
  ['devices[0].stopBits', 'stopBits: ^1.5', '1.5 is not one of 1, 2'],
  ['devices[0].retries', 'retries: ^11', '11 is not a whole number in 0..10'],
  ['devices[0].queue', 'queue: ^0', '0 is not a whole number in 1..1024'],
  ['devices[1].ports', 'ports: ^[9601, 9601]', 'give either port: N or ports: [N, ...], not both'],
  ['devices[1].ports[1]', '[9601, ^9601]', 'port 9601 is listed twice'],
  ['devices[2].type', 'type: ^camera', '"camera" is not a device type: use modbus-rtu, modbus-tcp, tcp, serial'],
];

describe('a file with many problems', () => {
  const issues = issuesOf(load(BROKEN));

  it('reports every one of them, each with its key, line:col and what is allowed', () => {
    const got = issues.map((i) => ({ key: i.key, line: i.line, col: i.col, message: i.message }));
    const want = EXPECTED.map(([key, where, message]) => ({
      key,
      ...at(BROKEN, where),
      message: expect.stringContaining(message),
    }));
    expect(got).toEqual(want);
    expect(issues.every((i) => i.file === FILE)).toBe(true);
  });

  it('lists them in file order and formats them as FILE:LINE:COL: KEY: MESSAGE', () => {
    const lines = issues.map(formatIssue);
    const { line, col } = at(BROKEN, 'listen: ^0.0.0.0:70000');
    expect(lines).toContain(
      `test.yaml:${line}:${col}: servers[0].listen: "0.0.0.0:70000" is not host:port with a port in 0..65535`,
    );
    const order = issues.map((i) => i.line * 1000 + i.col);
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });
});

describe('values of the wrong kind', () => {
  it('reports a section that is not a mapping, and a scalar key holding a mapping or a list', () => {
    const text =
      'gateway: line3\nlog:\n  level: { a: 1 }\nservers:\n  - name: [a]\n    protocol: modbus\n    listen: 127.0.0.1:1\n    bank: { x: 1 }\nbanks: [1]\n';
    const issues = issuesOf(load(text));
    expect(issues.map((i) => [i.key, i.line, i.col, i.message])).toEqual([
      ['gateway', 1, 10, '"line3" is not a mapping: expected the keys name'],
      ['log.level', 3, 10, 'a mapping is not one of fatal, error, warn, info, debug, trace'],
      ['servers[0].name', 5, 11, 'a list is not a valid name: use letters, digits, _ . - only'],
      ['servers[0].bank', 8, 11, 'a mapping is not a valid name: use letters, digits, _ . - only'],
      ['banks', 9, 8, 'a list is not a mapping of bank name -> { holding: SIZE, ... }'],
    ]);
  });

  it('reports a blank value instead of silently using the default', () => {
    const text =
      'banks: { plant: { holding: 1 } }\nservers:\n  - name: a\n    protocol: modbus\n    listen: 127.0.0.1:1\n    bank: plant\n    idleTimeout:\n';
    const issues = issuesOf(load(text));
    expect(issues).toEqual([
      {
        key: 'servers[0].idleTimeout',
        line: 7,
        col: 5,
        file: FILE,
        message: 'has no value; write a value, or remove the key to use the default',
      },
    ]);
  });

  it('reports a list item that is not a mapping', () => {
    const issues = issuesOf(load('servers:\n  - scada\ndevices:\n  - 5\n'));
    expect(issues.map((i) => [i.key, i.line, i.col])).toEqual([
      ['servers[0]', 2, 5],
      ['devices[0]', 4, 5],
    ]);
    expect(issues[0]?.message).toMatch(/^"scada" is not a server: write a mapping with name:/);
  });

  it('reports a number where a name is expected, with the fix', () => {
    const issues = issuesOf(
      load(
        'banks:\n  plant: { holding: 1 }\nservers:\n  - name: 502\n    protocol: modbus\n    listen: 127.0.0.1:502\n    bank: plant\n',
      ),
    );
    expect(issues.map((i) => i.message)).toEqual([
      '502 is not a valid name: use letters, digits, _ . - only (write it in quotes: "502")',
    ]);
  });
});
