import { describe, expect, it } from 'vitest';
import { at, configOf, issueAt, issuesOf, load } from './helpers.js';
import type { ModbusServerConfig } from '../../src/config/types.js';

const server = (name: string, listen: string, extra = 'bank: plant'): string =>
  `  - name: ${name}\n    protocol: modbus\n    listen: "${listen}"\n    ${extra}\n`;

const config = (servers: string, more = ''): string =>
  `banks:\n  plant: { holding: 10 }\n  other: { coils: 8 }\nservers:\n${servers}${more}`;

describe('cross-checks', () => {
  it('duplicate server names, pointing at the first one', () => {
    const text = config(
      server('scada', '127.0.0.1:1502') + server('other', '127.0.0.1:1503') + server('scada', '127.0.0.1:1504'),
    );
    const issue = issueAt(issuesOf(load(text)), 'servers[2].name');
    expect(issue).toMatchObject(at(text, 'name: ^scada', 2));
    expect(issue.message).toBe(
      `"scada" is already the name of servers[0] (line ${at(text, 'name: scada').line}): server names must be unique`,
    );
  });

  it('duplicate device names', () => {
    const text = config(
      server('a', '127.0.0.1:1502'),
      'devices:\n  - { name: bus, type: serial, path: /dev/ttyS0 }\n  - { name: bus, type: tcp, host: 10.0.0.1, port: 23 }\n',
    );
    const issue = issueAt(issuesOf(load(text)), 'devices[1].name');
    expect(issue).toMatchObject(at(text, 'name: ^bus', 2));
    expect(issue.message).toBe(
      `"bus" is already the name of devices[0] (line ${at(text, 'name: bus').line}): device names must be unique`,
    );
  });

  it.each([
    ['the same host and port', '127.0.0.1:1502', '127.0.0.1:1502'],
    ['0.0.0.0 against an IPv4 host', '0.0.0.0:502', '192.168.1.5:502'],
    ['an IPv4 host against 0.0.0.0', '10.0.0.1:502', '0.0.0.0:502'],
    [':: against IPv4', '[::]:502', '127.0.0.1:502'],
    [':: against IPv6', '[::1]:502', '[::]:502'],
    ['two spellings of one IPv6 address', '[::1]:502', '[0:0:0:0:0:0:0:1]:502'],
  ])('two servers on one port: %s', (_, first, second) => {
    const text = config(server('a', first) + server('b', second));
    const issue = issueAt(issuesOf(load(text)), 'servers[1].listen');
    expect(issue).toMatchObject(at(text, `listen: ^"${second}"`, first === second ? 2 : 1));
    expect(issue.message).toMatch(
      new RegExp(` is already used by servers\\[0\\]\\.listen \\(.+, line ${at(text, `listen: "${first}"`).line}\\)$`),
    );
  });

  it.each([
    ['port 0 (each picks a free port)', '127.0.0.1:0', '127.0.0.1:0'],
    ['different IPv4 hosts', '127.0.0.1:502', '127.0.0.2:502'],
    ['0.0.0.0 and an IPv6 host', '0.0.0.0:502', '[::1]:502'],
    ['different ports', '0.0.0.0:502', '0.0.0.0:503'],
  ])('no collision: %s', (_, first, second) => {
    expect(load(config(server('a', first) + server('b', second))).ok).toBe(true);
  });

  it('a pool port that collides with another server, and the status endpoint', () => {
    const text = `banks: { plant: { holding: 1 } }
status: { listen: "0.0.0.0:9602" }
servers:
  - { name: a, protocol: modbus, listen: "127.0.0.1:9601", bank: plant }
  - name: pool
    protocol: modbus
    listen: 0.0.0.0
    bank: plant
    ports:
      9601: {}
      9602: {}
  - { name: range, protocol: modbus, listen: "127.0.0.1", bank: plant, ports: "9600-9603" }
`;
    const issues = issuesOf(load(text));
    const line = (marked: string): number => at(text, marked).line;
    expect(issues.map((i) => ({ key: i.key, line: i.line, col: i.col, message: i.message }))).toEqual([
      {
        key: 'servers[1].ports.9601',
        ...at(text, '^9601: {}'),
        message: `0.0.0.0:9601 is already used by servers[0].listen (127.0.0.1:9601, line ${line('"127.0.0.1:9601"')})`,
      },
      {
        key: 'servers[1].ports.9602',
        ...at(text, '^9602: {}'),
        message: `0.0.0.0:9602 is already used by status.listen (0.0.0.0:9602, line ${line('status:')})`,
      },
      {
        key: 'servers[2].ports',
        ...at(text, '^"9600-9603"'),
        message: `127.0.0.1:9601 is already used by servers[0].listen (127.0.0.1:9601, line ${line('"127.0.0.1:9601"')})`,
      },
      {
        key: 'servers[2].ports',
        ...at(text, '^"9600-9603"'),
        message: `127.0.0.1:9602 is already used by status.listen (0.0.0.0:9602, line ${line('status:')})`,
      },
    ]);
  });

  it('a unit mapped to a bank or a device that does not exist, or to a device that is not Modbus', () => {
    const text = `banks: { plant: { holding: 1 } }
devices:
  - { name: cam, type: tcp, host: 10.0.0.9, port: 3000 }
  - { name: plc, type: modbus-tcp, host: 10.0.0.1, port: 502 }
servers:
  - name: a
    protocol: modbus
    listen: 127.0.0.1:1502
    units:
      1: { bank: plnat }
      2: { device: ghost }
      3: { device: cam }
      4: { device: plc, unit: 9 }
  - name: b
    protocol: modbus
    listen: 0.0.0.0
    ports:
      9601: { units: { 1: { bank: nowhere } } }
`;
    const issues = issuesOf(load(text));
    expect(issues.map((i) => ({ key: i.key, line: i.line, col: i.col, message: i.message }))).toEqual([
      {
        key: 'servers[0].units.1.bank',
        ...at(text, '{ bank: ^plnat'),
        message: 'bank "plnat" is not defined under banks (defined: plant)',
      },
      {
        key: 'servers[0].units.2.device',
        ...at(text, '{ device: ^ghost'),
        message: 'device "ghost" is not defined under devices (defined: cam, plc)',
      },
      {
        key: 'servers[0].units.3.device',
        ...at(text, '{ device: ^cam'),
        message: 'device "cam" is a tcp device: unit ids can only be routed to modbus-rtu or modbus-tcp devices',
      },
      {
        key: 'servers[1].ports.9601.units.1.bank',
        ...at(text, 'bank: ^nowhere'),
        message: 'bank "nowhere" is not defined under banks (defined: plant)',
      },
    ]);
  });

  it('a server bank that does not exist, also when there are no banks at all', () => {
    const text = config(server('a', '127.0.0.1:1502', 'bank: plnt'));
    expect(issueAt(issuesOf(load(text)), 'servers[0].bank')).toMatchObject({
      ...at(text, 'bank: ^plnt'),
      message: 'bank "plnt" is not defined under banks (defined: plant, other)',
    });
    const none = 'servers:\n  - { name: a, protocol: modbus, listen: "127.0.0.1:1", bank: plant }\n';
    expect(issuesOf(load(none)).map((i) => i.message)).toEqual([
      'bank "plant" is not defined under banks (none is defined)',
    ]);
  });

  it('initial values outside a table, and an address set twice', () => {
    const text =
      'banks:\n  plant:\n    holding: 10\n    coils: 8\n    values:\n      holding: { 8: [1, 2, 3], 20: 1 }\n      coils: { 0: [1, 1], 1: 0 }\n';
    const issues = issuesOf(load(text));
    expect(issues.map((i) => ({ key: i.key, line: i.line, col: i.col, message: i.message }))).toEqual([
      {
        key: 'banks.plant.values.holding.8',
        ...at(text, '{ ^8: ['),
        message: 'addresses 8..10 are outside the holding table (0..9)',
      },
      {
        key: 'banks.plant.values.holding.20',
        ...at(text, '^20: 1'),
        message: 'address 20 is outside the holding table (0..9)',
      },
      {
        key: 'banks.plant.values.coils.1',
        ...at(text, '^1: 0 }'),
        message: 'address 1 is already set by the entry at 0: set each address once',
      },
    ]);
  });

  it('bad allow entries, each named by its index', () => {
    const text = config(
      server(
        'a',
        '127.0.0.1:1',
        'bank: plant\n    allow: [127.0.0.1, 192.168.1.0/24, localhost, "::1/129", 10.0.0.0/8/8, 5]',
      ),
    );
    const issues = issuesOf(load(text));
    expect(issues.map((i) => [i.key, i.col])).toEqual([
      ['servers[0].allow[2]', at(text, ', ^localhost').col],
      ['servers[0].allow[3]', at(text, '^"::1/129"').col],
      ['servers[0].allow[4]', at(text, '^10.0.0.0/8/8').col],
      ['servers[0].allow[5]', at(text, '^5]').col],
    ]);
    expect(issues[0]?.message).toBe(
      '"localhost" is not an IP address or CIDR block (e.g. 192.168.10.0/24, 127.0.0.1, ::1, fe80::/10)',
    );
  });

  it('ports outside 0..65535, and a pool client that is not an IP address', () => {
    const text = `banks: { plant: { holding: 1 } }
servers:
  - { name: a, protocol: modbus, listen: "127.0.0.1:65536", bank: plant }
  - name: b
    protocol: modbus
    listen: 0.0.0.0
    bank: plant
    ports:
      0: {}
      65536: {}
      9601: { client: plc-7 }
devices:
  - { name: p, type: modbus-tcp, host: 10.0.0.1, port: 0 }
  - { name: q, type: modbus-tcp, host: 10.0.0.1, ports: [502, 70000] }
`;
    expect(issuesOf(load(text)).map((i) => ({ key: i.key, line: i.line, col: i.col, message: i.message }))).toEqual([
      {
        key: 'servers[0].listen',
        ...at(text, '^"127.0.0.1:65536"'),
        message: '"127.0.0.1:65536" is not host:port with a port in 0..65535',
      },
      { key: 'servers[1].ports.0', ...at(text, '^0: {}'), message: '"0" is not a port: pool ports are 1..65535' },
      {
        key: 'servers[1].ports.65536',
        ...at(text, '^65536: {}'),
        message: '"65536" is not a port: pool ports are 1..65535',
      },
      {
        key: 'servers[1].ports.9601.client',
        ...at(text, 'client: ^plc-7'),
        message: '"plc-7" is not an IP address (e.g. 192.168.250.11 or fe80::1)',
      },
      { key: 'devices[0].port', ...at(text, 'port: ^0 }'), message: '0 is not a whole number in 1..65535' },
      { key: 'devices[1].ports[1]', ...at(text, '^70000]'), message: '70000 is not a port: use 1..65535' },
    ]);
  });

  it('reports cross-check problems together with schema problems', () => {
    const text = config(
      server('a', '127.0.0.1:1502', 'bank: plant\n    maxClients: lots') + server('a', '127.0.0.1:1502'),
    );
    expect(issuesOf(load(text)).map((i) => i.key)).toEqual([
      'servers[0].maxClients',
      'servers[1].name',
      'servers[1].listen',
    ]);
  });

  it('accepts references that exist', () => {
    const text = config(server('a', '127.0.0.1:1502', 'units: { 1: { bank: other } }'));
    expect((configOf(load(text)).servers[0] as ModbusServerConfig | undefined)?.units.get(1)).toEqual({
      kind: 'bank',
      bank: 'other',
    });
  });
});
