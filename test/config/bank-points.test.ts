import { describe, expect, it } from 'vitest';
import { describeConfig } from '../../src/config/describe.js';
import { at, configOf, issuesOf, load } from './helpers.js';

const bank = (points: string, tables = 'holding: 20\n    input: 10\n    coils: 8') => `banks:
  b:
    ${tables}
    points:
${points}`;

describe('bank points', () => {
  it('are typed with their defaults applied, in config order', () => {
    const text =
      bank(`      - { name: temp, table: input, address: 0, type: float32, order: CDAB, scale: 0.1, offset: -40 }
      - { name: count, table: holding, address: 0 }
      - { name: recipe, table: holding, address: 2, type: string, length: 4 }
      - { name: run, table: coils, address: 3, type: bool }
`);
    expect(configOf(load(text)).banks.get('b')?.points).toEqual([
      { name: 'temp', table: 'input', address: 0, type: 'float32', order: 'CDAB', scale: 0.1, offset: -40 },
      { name: 'count', table: 'holding', address: 0, type: 'uint16', order: 'ABCD', scale: 1, offset: 0 },
      { name: 'recipe', table: 'holding', address: 2, type: 'string', order: 'ABCD', scale: 1, offset: 0, length: 4 },
      { name: 'run', table: 'coils', address: 3, type: 'bool', order: 'ABCD', scale: 1, offset: 0 },
    ]);
  });

  it('fieldgate check prints each point with its place, type, order and scaling', () => {
    const text =
      bank(`      - { name: temp, table: input, address: 0, type: float32, order: CDAB, scale: 0.1, offset: -40 }
      - { name: recipe, table: holding, address: 2, type: string, length: 4 }
      - { name: run, table: coils, address: 3, type: bool }
`);
    expect(
      describeConfig(configOf(load(text)))
        .split('\n')
        .slice(3, 8),
    ).toEqual([
      'banks (1):',
      '  b: holding 20, input 10, coils 8',
      '    temp: input 0, float32 CDAB x 0.1 + -40',
      '    recipe: holding 2, string of 4 registers ABCD',
      '    run: coils 3, bool',
    ]);
  });

  it('that overlap in one table are refused at the later one, naming the earlier', () => {
    const text = bank(`      - { name: a, table: holding, address: 0, type: float64 }
      - { name: b, table: holding, address: 3, type: int32 }
      - { name: c, table: input, address: 3, type: int32 }
`);
    expect(issuesOf(load(text))).toEqual([
      {
        key: 'banks.b.points[1].address',
        file: 'test.yaml',
        ...at(text, 'address: ^3, type: int32'),
        message: 'overlaps point "a" (holding 0..3): points of one table must not overlap',
      },
    ]);
  });

  it('every other mistake is named by key and position, all at once', () => {
    const text = bank(`      - { name: a, table: holding, address: 19, type: float32 }
      - { name: a, table: input, address: 0 }
      - { name: s, table: holding, address: 0, type: string }
      - { name: f, table: coils, address: 0, type: int16 }
      - { name: d, table: discrete, address: 0, type: bool }
      - { name: z, table: holding, address: 5, scale: 0 }
      - { name: x, table: holding, address: 6, type: double }
`);
    expect(issuesOf(load(text)).map((i) => [i.key, i.message])).toEqual([
      ['banks.b.points[0].address', 'holding 19..20 is outside the holding table (0..19)'],
      ['banks.b.points[1].name', '"a" is already the name of points[0]: point names must be unique in a bank'],
      ['banks.b.points[2]', 'is a string point: give length: REGISTERS (two characters each)'],
      ['banks.b.points[3].type', 'int16 cannot live in coils: a bit table holds only bool points'],
      ['banks.b.points[4].address', 'the bank has no discrete table: add discrete: SIZE to the bank'],
      ['banks.b.points[5].scale', 'is 0: a scale of 0 would lose every value'],
      ['banks.b.points[6].type', '"double" is not one of bool, int16, uint16, int32, uint32, float32, float64, string'],
    ]);
  });
});
