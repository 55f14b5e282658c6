/**
 * One bank (a register image): table sizes (and starts), initial values and named points. An unknown
 * key or table name is an error; then the rules that need both sizes and values.
 */
import { mapOf, record, section } from '../declare/kit.js';
import { checkName } from '../declare/leaves.js';
import { failed, isMapping, problem, show, under, type Problem } from '../issues.js';
import { TABLE_NAMES, type TableName } from '../types.js';
import { POINTS, type PointConfig } from './bank-points.js';
import { runRules, tableValues } from './bank-values.js';
import { spanOf, tableSpan } from './table-span.js';

/** A bank as the rest of fieldgate sees it; `starts` only when a table does not start at address 0. */
interface BankShape {
  readonly tables: Partial<Record<TableName, number>>;
  readonly starts?: Partial<Record<TableName, number>>;
  readonly values: Partial<Record<TableName, [number, number][]>>;
  readonly points: readonly PointConfig[];
}

const TABLE_DOC: Readonly<Record<TableName, string>> = {
  holding: 'holding registers',
  input: 'input registers',
  coils: 'coils',
  discrete: 'discrete inputs',
};

const values = (table: TableName) =>
  tableValues(table, `initial ${TABLE_DOC[table]}: address -> value or list of consecutive values`);

const hasTables = (raw: Record<string, unknown>): boolean => TABLE_NAMES.some((t) => raw[t] != null);

/** At least one table; values only for tables that exist, inside them, and each address set once. */
function bankRules(raw: Record<string, unknown>): Problem[] {
  if (!hasTables(raw))
    return [problem([], `has no tables: give at least one of ${TABLE_NAMES.join(', ')} with its size`)];
  const given = isMapping(raw.values) ? raw.values : {};
  return TABLE_NAMES.flatMap((table) => {
    if (given[table] == null) return [];
    if (raw[table] == null) {
      return [
        problem(
          ['values', table],
          `the bank has no ${table} table: add ${table}: SIZE to the bank, or remove these values`,
          'key',
        ),
      ];
    }
    const span = spanOf(raw[table]);
    if (span === undefined) return [];
    return under(['values', table], runRules(given[table], table, span));
  });
}

export const BANK = record(
  { doc: 'a register image: table sizes, initial values, named points' },
  {
    holding: tableSpan('holding'),
    input: tableSpan('input'),
    coils: tableSpan('coils'),
    discrete: tableSpan('discrete'),
    values: section('initial values, per table', {
      holding: values('holding'),
      input: values('input'),
      coils: values('coils'),
      discrete: values('discrete'),
    }),
    points: POINTS,
  },
  {
    pre: (raw) => {
      const input = raw === null ? {} : raw;
      if (!isMapping(input)) {
        return failed([
          problem(
            [],
            `${show(raw)} is not a bank: write { holding: SIZE, input: SIZE, coils: SIZE, discrete: SIZE, values: {...} }`,
          ),
        ]);
      }
      if (hasTables(input)) return { input };
      // a bank without tables has nothing its points could be checked against
      const { points: _points, ...rest } = input;
      return { input: rest };
    },
    rules: bankRules,
    finish: (p): BankShape => {
      const tables: Partial<Record<TableName, number>> = {};
      const starts: Partial<Record<TableName, number>> = {};
      const initial: Partial<Record<TableName, [number, number][]>> = {};
      for (const table of TABLE_NAMES) {
        const span = p[table];
        if (span !== undefined) tables[table] = span.count;
        if (span !== undefined && span.start !== 0) starts[table] = span.start;
        const pairs = p.values[table] ?? [];
        if (pairs.length > 0) initial[table] = pairs;
      }
      // table sizes (an absent table does not exist), the first address of a table that does not start at 0;
      // initial values flattened: table -> [address, value] pairs
      const bank: BankShape = { tables, values: initial, points: p.points ?? [] };
      return Object.keys(starts).length > 0 ? { ...bank, starts } : bank;
    },
  },
);

export const BANKS = mapOf(
  {
    doc: 'register images: name -> { holding, input, coils, discrete: SIZE, values: {...} }',
    blankIsAbsent: true,
    keyDoc: 'bank name',
    keyPattern: '^[A-Za-z0-9_.-]+$',
    key: (k) => {
      const error = checkName(k);
      return error === undefined ? { value: k } : { value: k, error: `bank ${error}` };
    },
    notMap: (raw) => `${show(raw)} is not a mapping of bank name -> { holding: SIZE, ... }`,
    finish: (entries) => new Map(entries.map(([name, bank]) => [name, { name, ...bank }])),
  },
  BANK,
);
