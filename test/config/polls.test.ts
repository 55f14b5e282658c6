import { describe, expect, it } from 'vitest';
import { configOf, issuesOf, load } from './helpers.js';

const BASE = `banks:
  plant: { holding: 100, coils: 64, input: 10 }
devices:
  - { name: plc, type: modbus-tcp, host: 127.0.0.1, port: 1502 }
  - { name: cam, type: tcp, host: 127.0.0.1, port: 3000 }
`;

const messages = (text: string) => issuesOf(load(text)).map((i) => `${i.key}: ${i.message}`);

describe('polls', () => {
  it('loads with defaults: same table and address in the bank, served when stale, no write-through', () => {
    const config = configOf(
      load(`${BASE}polls:
  - device: plc
    every: 500ms
    read: { table: holding, address: 10, count: 5 }
    into: { bank: plant }
  - { device: plc, unit: 4, every: 1s, read: { table: coils, address: 0, count: 16 }, into: { bank: plant, address: 8 }, onStale: exception, writeThrough: true }
`),
    );
    expect(config.polls).toEqual([
      {
        device: 'plc',
        every: 500,
        read: { table: 'holding', address: 10, count: 5 },
        into: { bank: 'plant', table: 'holding', address: 10 },
        onStale: 'serve',
        writeThrough: false,
      },
      {
        device: 'plc',
        unit: 4,
        every: 1000,
        read: { table: 'coils', address: 0, count: 16 },
        into: { bank: 'plant', table: 'coils', address: 8 },
        onStale: 'exception',
        writeThrough: true,
      },
    ]);
  });

  it('reports every problem with its key', () => {
    const text = `${BASE}polls:
  - { device: nope, every: 1s, read: { table: holding, address: 0, count: 126 }, into: { bank: plant } }
  - { device: cam, every: 1s, read: { table: holding, address: 0, count: 1 }, into: { bank: other } }
  - { device: plc, every: 1s, read: { table: input, address: 0, count: 20 }, into: { bank: plant } }
  - { device: plc, every: 1s, read: { table: input, address: 0, count: 2 }, into: { bank: plant, table: coils }, writeThrough: true }
  - { device: plc, every: 1s, into: { bank: plant } }
  - { device: plc, every: 1s, read: { table: holding, address: 0, count: 4 }, into: { bank: plant, address: 2 } }
  - { device: plc, every: 1s, read: { table: holding, address: 0, count: 4 }, into: { bank: plant, address: 4 } }
`;
    const found = messages(text);
    expect(found).toEqual(
      expect.arrayContaining([
        'polls[0].read.count: 126 is more than one read of holding can carry (1..125)',
        'polls[0].device: device "nope" is not defined under devices',
        'polls[1].device: device "cam" is a tcp device: polls read modbus-rtu or modbus-tcp devices',
        'polls[1].into.bank: bank "other" is not defined under banks',
        'polls[2].into: addresses 0..19 are outside the input table of bank "plant" (0..9)',
        'polls[3].into.table: coils cannot take input: bits go into coils or discrete, registers into holding or input',
        'polls[3].writeThrough: needs a writable table on both sides: read holding into holding, or coils into coils',
        'polls[4].read: is required: { table: holding, address: 0, count: 10 }',
        'polls[6].into: address 4 of holding in bank "plant" is already written by polls[5]',
      ]),
    );
  });
});
