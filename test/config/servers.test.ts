import { describe, expect, it } from 'vitest';
import { at, configOf, issueAt, issuesOf, load } from './helpers.js';
import type { ModbusServerConfig } from '../../src/config/types.js';

const BANKS =
  'banks:\n  plant: { holding: 10 }\n  press1: { holding: 10 }\ndevices:\n  - { name: rtu, type: modbus-rtu, path: /dev/ttyS0 }\n';
const one = (server: string): string => `${BANKS}servers:\n  - ${server}\n`;

describe('servers', () => {
  it('an IPv6 listen address, with the port outside the brackets', () => {
    const server = configOf(load(one('{ name: a, protocol: modbus, listen: "[::1]:1502", bank: plant }'))).servers[0];
    expect(server).toMatchObject({ host: '::1', port: 1502 });
    expect(server?.ports).toBeUndefined();
  });

  it('a pool given as a range gets one pool port per port, and no single port', () => {
    const server = configOf(
      load(one('{ name: a, protocol: modbus, listen: 0.0.0.0, ports: "9601-9604", bank: plant }')),
    ).servers[0];
    expect(server?.ports).toEqual([{ port: 9601 }, { port: 9602 }, { port: 9603 }, { port: 9604 }]);
    expect(server?.port).toBeUndefined();
  });

  it.each([
    ['"9608-9601"', '"9608-9601" is not a port range: write FIRST-LAST with ports in 1..65535, e.g. "9601-9608"'],
    ['"0-3"', '"0-3" is not a port range: write FIRST-LAST with ports in 1..65535, e.g. "9601-9608"'],
    ['"9601"', '"9601" is not a port range: write FIRST-LAST with ports in 1..65535, e.g. "9601-9608"'],
    ['"1000-9000"', '"1000-9000" is 8001 ports: a pool holds at most 1024'],
  ])('a bad range %s', (range, message) => {
    const text = one(`{ name: a, protocol: modbus, listen: 0.0.0.0, ports: ${range}, bank: plant }`);
    expect(issuesOf(load(text))).toEqual([
      { key: 'servers[0].ports', message, file: 'test.yaml', ...at(text, `ports: ^${range}`) },
    ]);
  });

  it('a pool as a list is refused with the accepted forms', () => {
    const text = one('{ name: a, protocol: modbus, listen: 0.0.0.0, ports: [9601, 9602], bank: plant }');
    expect(issueAt(issuesOf(load(text)), 'servers[0].ports').message).toBe(
      'a list is not a port pool: write port: {} or port: { client: ADDRESS, units: {...} } per port, or a range "9601-9608"',
    );
  });

  it('a pool with ports must not have a port in listen', () => {
    const text = one('{ name: a, protocol: modbus, listen: "0.0.0.0:502", ports: "9601-9602", bank: plant }');
    expect(issuesOf(load(text))).toEqual([
      {
        key: 'servers[0].listen',
        file: 'test.yaml',
        ...at(text, 'listen: ^"0.0.0.0:502"'),
        message:
          '"0.0.0.0:502" carries a port, but this server\'s ports come from ports: write the host alone ("0.0.0.0")',
      },
    ]);
  });

  it('an ordinary server must have a port in listen', () => {
    const text = one('{ name: a, protocol: modbus, listen: "::1:1502", bank: plant }');
    expect(issuesOf(load(text))).toEqual([
      {
        key: 'servers[0].listen',
        file: 'test.yaml',
        ...at(text, 'listen: ^"::1:1502"'),
        message:
          '"::1:1502" has no port: write host:port (port 0 picks a free one; IPv6 as [::1]:1502), or list the ports under ports',
      },
    ]);
  });

  it('a server with nothing to serve is refused at the item', () => {
    const text = `${BANKS}servers:\n  - name: a\n    protocol: modbus\n    listen: 127.0.0.1:1502\n    units: {}\n`;
    expect(issuesOf(load(text))).toEqual([
      {
        key: 'servers[0]',
        file: 'test.yaml',
        ...at(text, '- ^name: a'),
        message:
          'has nothing to serve: set bank: NAME or device: NAME, or map unit ids under units (or under units of every pool port)',
      },
    ]);
  });

  it('a pool serves without bank or units when every port has units, and not when one port lacks them', () => {
    const good = `${BANKS}servers:\n  - name: a\n    protocol: modbus\n    listen: 0.0.0.0\n    ports:\n      9601: { units: { 1: { bank: plant } } }\n      9602: { client: 10.0.0.2, units: { 1: { bank: press1 } } }\n`;
    expect(configOf(load(good)).servers[0]?.ports?.[1]).toEqual({
      port: 9602,
      client: '10.0.0.2',
      units: new Map([[1, { kind: 'bank', bank: 'press1' }]]),
    });
    const bad = good.replace(
      '9602: { client: 10.0.0.2, units: { 1: { bank: press1 } } }',
      '9602: { client: 10.0.0.2 }',
    );
    expect(issuesOf(load(bad)).map((i) => i.key)).toEqual(['servers[0]']);
  });

  it.each([
    [
      '{ bank: plant, unit: 3 }',
      'servers[0].units.1.unit',
      'only applies to a device route: a bank serves the unit id as it is',
    ],
    ['{}', 'servers[0].units.1', 'needs a target: { bank: NAME } or { device: NAME, unit: ID }'],
    ['{ device: rtu, unit: 256 }', 'servers[0].units.1.unit', '256 is not a whole number in 0..255'],
    [
      '[plant]',
      'servers[0].units.1',
      'a list is not a unit target: write { bank: NAME } or { device: NAME, unit: ID }',
    ],
    ['plant', 'servers[0].units.1', '"plant" is not a unit target: write { bank: NAME } or { device: NAME, unit: ID }'],
  ])('a unit entry %s is refused', (entry, key, message) => {
    const text = one(`{ name: a, protocol: modbus, listen: "127.0.0.1:1", units: { 1: ${entry} } }`);
    expect(issuesOf(load(text)).map((i) => [i.key, i.message])).toEqual([[key, message]]);
  });

  it('unit ids 0 and 255 are valid, and a device route keeps its id unless unit is given', () => {
    const text = one(
      '{ name: a, protocol: modbus, listen: "127.0.0.1:1", units: { 0: { device: rtu }, 255: { device: rtu, unit: 0 } } }',
    );
    expect((configOf(load(text)).servers[0] as ModbusServerConfig | undefined)?.units).toEqual(
      new Map([
        [0, { kind: 'device', device: 'rtu', unit: 0 }],
        [255, { kind: 'device', device: 'rtu', unit: 0 }],
      ]),
    );
  });

  it('an empty allow list is refused (it would lock everyone out)', () => {
    const text = one('{ name: a, protocol: modbus, listen: "127.0.0.1:1", bank: plant, allow: [] }');
    expect(issueAt(issuesOf(load(text)), 'servers[0].allow').message).toBe(
      'is an empty list, which would refuse every client: omit allow to accept everyone',
    );
  });
});
