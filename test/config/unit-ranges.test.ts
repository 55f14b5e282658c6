/**
 * Unit ranges ("1-247") in unit maps and a server-level device: what they map to, and the errors,
 * each at its key with file:line:col (overlaps name the other key and its line).
 */
import { describe, expect, it } from 'vitest';
import { describeConfig } from '../../src/config/describe.js';
import type { ModbusServerConfig, UnitTarget } from '../../src/config/types.js';
import { at, configOf, issuesOf, load } from './helpers.js';

const HEAD =
  'banks:\n  plant: { holding: 10 }\ndevices:\n  - { name: rs485, type: modbus-rtu, path: /dev/ttyS0 }\n  - { name: meter, type: tcp, host: 127.0.0.1, port: 9 }\nservers:\n';
/** A modbus server with these extra lines (indented under the item). */
const server = (lines: string): string =>
  `${HEAD}  - name: a\n    protocol: modbus\n    listen: 127.0.0.1:1502\n${lines
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n')}\n`;

const modbus = (text: string): ModbusServerConfig => configOf(load(text)).servers[0] as ModbusServerConfig;
const dev = (unit: number): UnitTarget => ({ kind: 'device', device: 'rs485', unit });

describe('unit ranges', () => {
  it('a range maps each id to the device unchanged, and single ids combine with it', () => {
    const text = server(
      'units:\n  "1-247": { device: rs485 }\n  0: { bank: plant }\n  250: { device: rs485, unit: 9 }',
    );
    const units = modbus(text).units;
    expect(units.size).toBe(249);
    expect(units.get(1)).toEqual(dev(1));
    expect(units.get(100)).toEqual(dev(100));
    expect(units.get(247)).toEqual(dev(247));
    expect(units.get(248)).toBeUndefined();
    expect(units.get(0)).toEqual({ kind: 'bank', bank: 'plant' });
    expect(units.get(250)).toEqual(dev(9));
  });

  it('an unquoted range key and spaces around the dash are accepted; one id as a range too', () => {
    const units = modbus(server('units:\n  10 - 12: { bank: plant }\n  20-20: { device: rs485 }')).units;
    expect([...units.keys()]).toEqual([10, 11, 12, 20]);
  });

  it('fieldgate check prints a range as one line', () => {
    const text = server(
      'units:\n  "1-247": { device: rs485 }\n  0: { bank: plant }\n  250: { device: rs485, unit: 9 }',
    );
    const lines = describeConfig(configOf(load(text)));
    expect(lines).toContain('    unit 0 -> bank plant');
    expect(lines).toContain('    units 1-247 -> device rs485, ids unchanged');
    expect(lines).toContain('    unit 250 -> device rs485 unit 9');
  });

  it.each([
    [
      '"0-256"',
      'units.0-256',
      '"0-256" is not a unit range: write FIRST-LAST with 0 <= FIRST <= LAST <= 255, e.g. "1-247"',
    ],
    [
      '"10-5"',
      'units.10-5',
      '"10-5" is not a unit range: write FIRST-LAST with 0 <= FIRST <= LAST <= 255, e.g. "1-247"',
    ],
    ['"1-"', 'units.1-', '"1-" is not a unit id: use 0..255, or a range FIRST-LAST such as "1-247"'],
    ['"1..5"', 'units["1..5"]', '"1..5" is not a unit id: use 0..255, or a range FIRST-LAST such as "1-247"'],
    ['256', 'units.256', '"256" is not a unit id: use 0..255, or a range FIRST-LAST such as "1-247"'],
  ])('the key %s is refused at the key', (key, path, message) => {
    const text = server(`units:\n  ${key}: { device: rs485 }`);
    expect(issuesOf(load(text))).toEqual([
      { key: `servers[0].${path}`, message, file: 'test.yaml', ...at(text, `  ^${key}: {`) },
    ]);
  });

  it('two overlapping ranges: the later key is refused, naming the other and its line', () => {
    const text = server('units:\n  "1-100": { device: rs485 }\n  "90-247": { device: rs485 }');
    const other = at(text, '^"1-100"').line;
    expect(issuesOf(load(text))).toEqual([
      {
        key: 'servers[0].units.90-247',
        file: 'test.yaml',
        ...at(text, '^"90-247"'),
        message: `overlaps "1-100" (line ${other}) at unit ids 90-100: a unit id goes to one target; narrow the range so the keys do not overlap`,
      },
    ]);
  });

  it('a single id inside a range, in either order, is an overlap', () => {
    const idFirst = server('units:\n  5: { bank: plant }\n  "1-247": { device: rs485 }');
    expect(issuesOf(load(idFirst))).toEqual([
      {
        key: 'servers[0].units.1-247',
        file: 'test.yaml',
        ...at(idFirst, '^"1-247"'),
        message: `overlaps "5" (line ${at(idFirst, '^5:').line}) at unit id 5: a unit id goes to one target; narrow the range so the keys do not overlap`,
      },
    ]);
    // a YAML mapping is read with its integer keys first, so the range is the one reported
    const rangeFirst = server('units:\n  "1-247": { device: rs485 }\n  247: { bank: plant }');
    const [issue] = issuesOf(load(rangeFirst));
    expect(issue).toMatchObject({ key: 'servers[0].units.1-247', ...at(rangeFirst, '^"1-247"') });
    expect(issue?.message).toBe(
      `overlaps "247" (line ${at(rangeFirst, '^247:').line}) at unit id 247: a unit id goes to one target; narrow the range so the keys do not overlap`,
    );
  });

  it('overlaps inside a pool port map are found too; a port overriding the server map is not an overlap', () => {
    const text = `${HEAD}  - name: a\n    protocol: modbus\n    listen: 127.0.0.1\n    units: { "1-247": { device: rs485 } }\n    ports:\n      9601: { units: { 1: { bank: plant } } }\n      9602: { units: { "1-10": { bank: plant }, 10: { device: rs485 } } }\n`;
    const issues = issuesOf(load(text));
    expect(issues.map((i) => [i.key, i.line, i.col])).toEqual([
      ['servers[0].ports.9602.units.1-10', at(text, '{ ^"1-10"').line, at(text, '{ ^"1-10"').col],
    ]);
  });

  it('a range takes no unit: (its ids go unchanged)', () => {
    const text = server('units:\n  "1-5": { device: rs485, unit: 1 }');
    expect(issuesOf(load(text))).toEqual([
      {
        key: 'servers[0].units.1-5.unit',
        file: 'test.yaml',
        ...at(text, '^unit: 1'),
        message: 'a range routes each of its unit ids unchanged: map a single id to send it as unit 1',
      },
    ]);
  });

  it('a range routed to a raw device is refused like a single id', () => {
    const text = server('units:\n  "1-5": { device: meter }');
    expect(issuesOf(load(text)).map((i) => [i.key, i.message])).toEqual([
      [
        'servers[0].units.1-5.device',
        'device "meter" is a tcp device: unit ids can only be routed to modbus-rtu or modbus-tcp devices',
      ],
    ]);
  });
});

describe('a server-level device', () => {
  it('serves a server on its own (the mbusd one-liner), and units still win', () => {
    const s = modbus(server('device: rs485\nunits: { 1: { bank: plant } }'));
    expect(s.device).toBe('rs485');
    expect(s.units).toEqual(new Map([[1, { kind: 'bank', bank: 'plant' }]]));
    const lines = describeConfig(configOf(load(server('device: rs485'))));
    expect(lines).toContain('    every unit id not listed -> device rs485, ids unchanged');
  });

  it('must be a modbus-rtu or modbus-tcp device that exists', () => {
    const raw = server('device: meter');
    expect(issuesOf(load(raw))).toEqual([
      {
        key: 'servers[0].device',
        file: 'test.yaml',
        ...at(raw, 'device: ^meter'),
        message: 'device "meter" is a tcp device: unit ids can only be routed to modbus-rtu or modbus-tcp devices',
      },
    ]);
    const missing = server('device: nope');
    expect(issuesOf(load(missing)).map((i) => [i.key, i.message])).toEqual([
      ['servers[0].device', 'device "nope" is not defined under devices (defined: rs485, meter)'],
    ]);
  });

  it('is not taken together with bank:', () => {
    const text = server('bank: plant\ndevice: rs485');
    expect(issuesOf(load(text))).toEqual([
      {
        key: 'servers[0].device',
        file: 'test.yaml',
        ...at(text, '^device: rs485'),
        message:
          'and bank both serve every unit id not in units: keep one, and map the ids the other serves under units',
      },
    ]);
  });
});
