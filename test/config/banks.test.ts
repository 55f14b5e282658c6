import { describe, expect, it } from 'vitest';
import { at, configOf, issuesOf, load } from './helpers.js';
import type { ModbusServerConfig } from '../../src/config/types.js';

describe('banks', () => {
  it("stores negative registers as two's complement and bits as 0/1, flattened in address order", () => {
    const text = `banks:
  b:
    holding: 65536
    input: 4
    coils: 4
    discrete: 2
    values:
      holding: { 65535: -32768, 10: [-1, 0, 65535, 32767] }
      input: { 0: [-2, 7] }
      coils: { 0: [true, false, 1, 0] }
      discrete: { "1": true }
`;
    expect(configOf(load(text)).banks.get('b')).toEqual({
      name: 'b',
      tables: { holding: 65536, input: 4, coils: 4, discrete: 2 },
      points: [],
      values: {
        holding: [
          [10, 65535],
          [11, 0],
          [12, 65535],
          [13, 32767],
          [65535, 32768],
        ],
        input: [
          [0, 65534],
          [1, 7],
        ],
        coils: [
          [0, 1],
          [1, 0],
          [2, 1],
          [3, 0],
        ],
        discrete: [[1, 1]],
      },
    });
  });

  it.each([
    ['holding', '70000', '70000 is not a register value: use a whole number in -32768..65535'],
    ['holding', '-32769', '-32769 is not a register value: use a whole number in -32768..65535'],
    ['holding', '1.5', '1.5 is not a register value: use a whole number in -32768..65535'],
    ['holding', '"42"', '"42" is not a register value: use a whole number in -32768..65535'],
    ['holding', 'true', 'true is not a register value: use a whole number in -32768..65535'],
    ['coils', '2', '2 is not a bit value: use 0, 1, true or false'],
    ['coils', '"on"', '"on" is not a bit value: use 0, 1, true or false'],
  ])('a %s value %s is refused at its address', (table, value, message) => {
    const text = `banks:\n  b:\n    ${table}: 10\n    values:\n      ${table}: { 3: ${value} }\n`;
    expect(issuesOf(load(text))).toEqual([
      { key: `banks.b.values.${table}.3`, message, file: 'test.yaml', ...at(text, `{ 3: ^${value}`) },
    ]);
  });

  it('table sizes are 1..65536', () => {
    const text = 'banks:\n  b: { holding: 65537, coils: 0, input: 1.5, discrete: "8" }\n';
    expect(issuesOf(load(text)).map((i) => [i.key, i.message])).toEqual([
      ['banks.b.holding', '65537 is not a whole number in 1..65536'],
      ['banks.b.coils', '0 is not a whole number in 1..65536'],
      ['banks.b.input', '1.5 is not a whole number in 1..65536'],
      ['banks.b.discrete', '"8" is not a whole number in 1..65536'],
    ]);
  });

  it('a bank without tables, a blank bank and a badly named bank are refused', () => {
    const text = 'banks:\n  empty: {}\n  blank:\n  "line 3": { holding: 1 }\n  list: [1]\n';
    expect(issuesOf(load(text)).map((i) => [i.key, i.line, i.col, i.message])).toEqual([
      ['banks.empty', 2, 10, 'has no tables: give at least one of holding, input, coils, discrete with its size'],
      ['banks.blank', 3, 3, 'has no tables: give at least one of holding, input, coils, discrete with its size'],
      ['banks["line 3"]', 4, 3, 'bank "line 3" is not a valid name: use letters, digits, _ . - only'],
      [
        'banks.list',
        5,
        9,
        'a list is not a bank: write { holding: SIZE, input: SIZE, coils: SIZE, discrete: SIZE, values: {...} }',
      ],
    ]);
  });

  it('values that are not a mapping of addresses', () => {
    const text = 'banks:\n  b:\n    holding: 10\n    values:\n      holding: [1, 2, 3]\n';
    expect(issuesOf(load(text)).map((i) => [i.key, i.message])).toEqual([
      [
        'banks.b.values.holding',
        'a list is not a mapping of address -> value or list of values, e.g. { 0: [1, 2, 3], 100: 42 }',
      ],
    ]);
  });

  it('a bank name may contain dots, and units can refer to it', () => {
    const text =
      'banks:\n  line3.press: { holding: 2, values: { holding: { 1: 7 } } }\nservers:\n  - { name: a, protocol: modbus, listen: "127.0.0.1:1", bank: line3.press }\n';
    const config = configOf(load(text));
    expect(config.banks.get('line3.press')).toEqual({
      name: 'line3.press',
      tables: { holding: 2 },
      values: { holding: [[1, 7]] },
      points: [],
    });
    expect((config.servers[0] as ModbusServerConfig | undefined)?.bank).toBe('line3.press');
  });
});
