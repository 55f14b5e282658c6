import { describe, expect, it } from 'vitest';
import { at, issuesOf, load } from './helpers.js';

const GOOD_SERVER = '  - name: a\n    protocol: modbus\n    listen: 127.0.0.1:1502\n    bank: plant\n';

describe('unknown keys are errors at every level, reported at the key', () => {
  it.each([
    [
      'top level',
      'banks:\n  plant: { holding: 1 }\nservers:\n' + GOOD_SERVER + 'sever: {}\n',
      'sever',
      '^sever:',
      'unknown key (did you mean servers?); allowed here: gateway, log, status, banks, servers, devices, polls, commands, mqtt',
    ],
    [
      'a section',
      'gateway:\n  nmae: x\n',
      'gateway.nmae',
      '^nmae:',
      'unknown key (did you mean name?); allowed here: name',
    ],
    [
      'a server item',
      'banks:\n  plant: { holding: 1 }\nservers:\n' + GOOD_SERVER + '    idleTimout: 5s\n',
      'servers[0].idleTimout',
      '^idleTimout',
      'unknown key (did you mean idleTimeout?); allowed here: name, protocol, listen, ports, onBusy, maxClients, idleTimeout, allow, tls, serial, readOnly, bank, device, units, roles, frame, maxInFlight, sendTimeout, keepAlive',
    ],
    [
      'a bank',
      'banks:\n  plant: { holding: 1, Coils: 8 }\n',
      'banks.plant.Coils',
      '^Coils',
      'unknown key (did you mean coils?); allowed here: holding, input, coils, discrete, values, points',
    ],
    [
      "a bank's values",
      'banks:\n  plant:\n    holding: 1\n    values: { holdings: { 0: 1 } }\n',
      'banks.plant.values.holdings',
      '^holdings',
      'unknown key (did you mean holding?); allowed here: holding, input, coils, discrete',
    ],
    [
      'a unit entry',
      'banks:\n  plant: { holding: 1 }\nservers:\n' + GOOD_SERVER + '    units: { 1: { bank: plant, mode: fast } }\n',
      'servers[0].units.1.mode',
      '^mode',
      'unknown key; allowed here: bank, device, unit, cache',
    ],
    [
      'a pool port',
      'banks:\n  plant: { holding: 1 }\nservers:\n  - { name: a, protocol: modbus, listen: 0.0.0.0, bank: plant, ports: { 9601: { clients: 10.0.0.1 } } }\n',
      'servers[0].ports.9601.clients',
      '^clients',
      'unknown key (did you mean client?); allowed here: client, units, bank',
    ],
    [
      'a device of another type',
      'devices:\n  - { name: plc, type: modbus-tcp, host: 10.0.0.1, port: 502, baudRate: 9600 }\n',
      'devices[0].baudRate',
      '^baudRate',
      'unknown key; allowed here: name, type, host, port, ports, unit, timeout, retries, queue, maxInFlight, reconnect, tls',
    ],
  ])('in %s', (_, text, key, where, message) => {
    expect(issuesOf(load(text))).toEqual([{ key, message, file: 'test.yaml', ...at(text, where) }]);
  });

  it('an unknown key holding a nested mapping is one problem, at that key', () => {
    const text = 'extras:\n  a: { b: 1 }\n  c: 2\n';
    expect(issuesOf(load(text)).map((i) => [i.key, i.line, i.col])).toEqual([['extras', 1, 1]]);
  });

  it('keys that would reach JavaScript internals are unknown keys too', () => {
    const text = '__proto__: { polluted: true }\ngateway:\n  constructor: { prototype: 1 }\n';
    expect(issuesOf(load(text)).map((i) => [i.key, i.line, i.col])).toEqual([
      ['__proto__', 1, 1],
      ['gateway.constructor', 3, 3],
    ]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a dotted key is not taken for the nested one', () => {
    const text = 'gateway.name: line3\n';
    expect(issuesOf(load(text))).toEqual([
      {
        key: '["gateway.name"]',
        file: 'test.yaml',
        line: 1,
        col: 1,
        message:
          'unknown key; allowed here: gateway, log, status, banks, servers, devices, polls, commands, mqtt (write nested keys indented under their parent, not joined with dots)',
      },
    ]);
  });

  it('an unknown key inside a poll is reported at the key', () => {
    const text =
      'polls:\n  - device: plc1\n    every: 500ms\n    read: { table: holding, address: 0, count: 2, size: 4 }\n';
    expect(issuesOf(load(text))).toContainEqual({
      key: 'polls[0].read.size',
      message: 'unknown key; allowed here: table, address, count',
      file: 'test.yaml',
      ...at(text, '^size'),
    });
  });

  it('a key of the other protocol is an unknown key: bank on a raw server, framing on a modbus one', () => {
    const text =
      'banks: { plant: { holding: 1 } }\nservers:\n  - { name: fpga, protocol: raw, listen: "127.0.0.1:7000", handler: echo, bank: plant }\n  - { name: m, protocol: modbus, listen: "127.0.0.1:502", bank: plant, framing: line }\n';
    expect(issuesOf(load(text)).map((i) => [i.key, i.message])).toEqual([
      [
        'servers[0].bank',
        expect.stringMatching(
          /^unknown key; allowed here: name, protocol, listen, ports, onBusy, maxClients, idleTimeout, allow, tls, sendTimeout, keepAlive, framing, handler, sendQueue$/,
        ),
      ],
      ['servers[1].framing', expect.stringMatching(/^unknown key; allowed here: name, protocol,/)],
    ]);
  });

  it('another protocol is refused with what is allowed, and the rest of the item is still checked', () => {
    const text =
      'servers:\n  - name: x\n    protocol: bacnet\n    listen: 0.0.0.0:47808\n    bank: plant\n    extra: 1\n';
    expect(issuesOf(load(text)).map((i) => [i.key, i.message])).toEqual([
      ['servers[0].protocol', '"bacnet" is not a protocol: use modbus or raw'],
      ['servers[0].bank', 'bank "plant" is not defined under banks (none is defined)'],
      ['servers[0].extra', expect.stringMatching(/^unknown key; allowed here: name, protocol,/)],
    ]);
  });
});
