/**
 * One bank: table sizes and initial values. Validated with its own convict schema (strict, so an
 * unknown key or table name is an error), then the rules that need both sizes and values.
 */
import type { Leaf, SchemaDef } from '../convict-bridge.js';
import { checkName, INT } from '../formats.js';
import { failed, isMapping, must, ok, problem, show, under, type Checked, type Problem } from '../issues.js';
import { runSchema } from '../run-schema.js';
import { TABLE_NAMES, type BankConfig, type TableName } from '../types.js';
import { checkPoints } from './bank-points.js';
import { checkTableValues, flattenRuns, parseRuns } from './bank-values.js';

const TABLE_DOC: Readonly<Record<TableName, string>> = {
  holding: 'holding registers', input: 'input registers', coils: 'coils', discrete: 'discrete inputs',
};

const size = (table: TableName): Leaf => ({
  doc: `number of ${TABLE_DOC[table]}, 1..65536: addresses 0..size-1 (omit: the bank has no ${table} table)`,
  format: INT, min: 1, max: 65536, default: undefined,
});

const values = (table: TableName): Leaf => ({
  doc: `initial ${TABLE_DOC[table]}: address -> value or list of consecutive values`,
  format: Object, default: null, nullable: true,
  check: (raw) => checkTableValues(raw, table).problems,
});

export const BANK: SchemaDef = {
  holding: size('holding'), input: size('input'), coils: size('coils'), discrete: size('discrete'),
  values: { holding: values('holding'), input: values('input'), coils: values('coils'), discrete: values('discrete') },
  points: {
    doc: 'named, typed values: a list of { name, table, address, type, order, scale, offset, length }',
    format: Object, default: null, nullable: true, scalarToo: true, blankIsAbsent: true,
  },
};

type BankProps = Partial<Record<TableName, number>> & { values: Record<TableName, unknown>; points: unknown };

export function checkBank(name: string, raw: unknown): Checked<BankConfig> {
  const nameError = checkName(name);
  const problems: Problem[] = nameError === undefined ? [] : [problem([], `bank ${nameError}`, 'key')];
  const input = raw === null ? {} : raw;
  if (!isMapping(input)) {
    return failed([...problems, problem([], `${show(raw)} is not a bank: write { holding: SIZE, input: SIZE, coils: SIZE, discrete: SIZE, values: {...} }`)]);
  }
  const checked = runSchema<BankProps>(BANK, input);
  problems.push(...checked.problems, ...bankRules(input));
  if (problems.length > 0 || checked.value === undefined) return failed(problems);
  return ok(buildBank(name, checked.value));
}

function buildBank(name: string, p: BankProps): BankConfig {
  const tables: Partial<Record<TableName, number>> = {};
  const initial: Partial<Record<TableName, [number, number][]>> = {};
  for (const table of TABLE_NAMES) {
    const tableSize = p[table];
    if (tableSize !== undefined) tables[table] = tableSize;
    const given = p.values[table];
    const pairs = given == null ? [] : flattenRuns(must(checkTableValues(given, table)));
    if (pairs.length > 0) initial[table] = pairs;
  }
  const points = p.points == null ? [] : must(checkPoints(p.points, tables));
  return { name, tables, values: initial, points };
}

/** At least one table; values only for tables that exist, inside them, and each address set once. */
function bankRules(raw: Record<string, unknown>): Problem[] {
  if (!TABLE_NAMES.some((t) => raw[t] != null)) {
    return [problem([], `has no tables: give at least one of ${TABLE_NAMES.join(', ')} with its size`)];
  }
  const given = isMapping(raw.values) ? raw.values : {};
  return [...valueRules(raw, given), ...pointRules(raw)];
}

function pointRules(raw: Record<string, unknown>): Problem[] {
  if (raw.points == null) return [];
  const tables: Partial<Record<TableName, number>> = {};
  for (const table of TABLE_NAMES) {
    const n = raw[table];
    if (typeof n === 'number' && Number.isInteger(n) && n >= 1) tables[table] = Math.min(n, 65536);
  }
  return under(['points'], checkPoints(raw.points, tables).problems);
}

function valueRules(raw: Record<string, unknown>, given: Record<string, unknown>): Problem[] {
  return TABLE_NAMES.flatMap((table) => {
    if (given[table] == null) return [];
    if (raw[table] == null) {
      return [problem(['values', table], `the bank has no ${table} table: add ${table}: SIZE to the bank, or remove these values`, 'key')];
    }
    const tableSize = raw[table];
    if (typeof tableSize !== 'number' || !Number.isInteger(tableSize) || tableSize < 1) return [];
    return under(['values', table], runRules(given[table], table, Math.min(tableSize, 65536)));
  });
}

function runRules(raw: unknown, table: TableName, tableSize: number): Problem[] {
  const problems: Problem[] = [];
  const setBy = new Map<number, string>();
  for (const run of parseRuns(raw, table).runs) {
    const last = run.address + run.values.length - 1;
    if (last >= tableSize) {
      const span = run.values.length > 1 ? `addresses ${run.address}..${last}` : `address ${run.address}`;
      problems.push(problem([run.key], `${span} ${run.values.length > 1 ? 'are' : 'is'} outside the ${table} table (0..${tableSize - 1})`, 'key'));
      continue;
    }
    const clash = run.values.findIndex((_, j) => setBy.has(run.address + j));
    if (clash >= 0) {
      const address = run.address + clash;
      problems.push(problem([run.key], `address ${address} is already set by the entry at ${setBy.get(address)}: set each address once`, 'key'));
    }
    run.values.forEach((_, j) => setBy.set(run.address + j, run.key));
  }
  return problems;
}

export function checkBanks(raw: unknown): Checked<Map<string, BankConfig>> {
  if (!isMapping(raw)) return failed([problem([], `${show(raw)} is not a mapping of bank name -> { holding: SIZE, ... }`)]);
  const problems: Problem[] = [];
  const banks = new Map<string, BankConfig>();
  for (const [name, bank] of Object.entries(raw)) {
    const checked = checkBank(name, bank);
    problems.push(...under([name], checked.problems));
    if (checked.value !== undefined) banks.set(name, checked.value);
  }
  return problems.length > 0 ? failed(problems) : ok(banks);
}
