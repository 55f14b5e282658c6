/**
 * Initial values of one bank table: ADDRESS (0-based) -> value, or -> [values at ADDRESS, ADDRESS+1, ...].
 * Registers take -32768..65535 (a negative value is stored as its two's complement, 0..65535);
 * bits take 0, 1, true or false.
 */
import { parseWhole } from '../address.js';
import { failed, isMapping, ok, problem, show, type Checked, type Problem } from '../issues.js';
import type { TableName } from '../types.js';

/** Values written from `address` on, as given under one key. */
export interface Run {
  readonly key: string;
  readonly address: number;
  readonly values: readonly number[];
}

export const isBitTable = (table: TableName): boolean => table === 'coils' || table === 'discrete';

function toWord(v: unknown): number | undefined {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < -32768 || v > 65535) return undefined;
  return v < 0 ? v + 65536 : v;
}

function toBit(v: unknown): number | undefined {
  if (v === true || v === 1) return 1;
  return v === false || v === 0 ? 0 : undefined;
}

function valueProblem(v: unknown, bits: boolean): string {
  return bits
    ? `${show(v)} is not a bit value: use 0, 1, true or false`
    : `${show(v)} is not a register value: use a whole number in -32768..65535`;
}

/** The runs that parse, and the problems of those that do not. */
export function parseRuns(raw: unknown, table: TableName): { runs: Run[]; problems: Problem[] } {
  const bits = isBitTable(table);
  if (!isMapping(raw)) {
    const example = bits ? '{ 5: [1, 0, 1] }' : '{ 0: [1, 2, 3], 100: 42 }';
    return { runs: [], problems: [problem([], `${show(raw)} is not a mapping of address -> value or list of values, e.g. ${example}`)] };
  }
  const runs: Run[] = [];
  const problems: Problem[] = [];
  for (const [key, given] of Object.entries(raw)) {
    const address = parseWhole(key, 0, Number.MAX_SAFE_INTEGER);
    if (address === undefined) {
      problems.push(problem([key], `${show(key)} is not an address: addresses are whole numbers from 0 (0-based)`, 'key'));
      continue;
    }
    const list = Array.isArray(given) ? given : [given];
    const values = list.map((v: unknown) => (bits ? toBit(v) : toWord(v)));
    values.forEach((v, j) => {
      if (v === undefined) problems.push(problem(Array.isArray(given) ? [key, j] : [key], valueProblem(list[j], bits)));
    });
    if (values.every((v) => v !== undefined)) runs.push({ key, address, values: values as number[] });
  }
  return { runs, problems };
}

export function checkTableValues(raw: unknown, table: TableName): Checked<Run[]> {
  const { runs, problems } = parseRuns(raw, table);
  return problems.length > 0 ? failed(problems) : ok(runs);
}

/** Runs flattened to [address, value] pairs in address order. */
export function flattenRuns(runs: readonly Run[]): [number, number][] {
  return runs
    .flatMap((run) => run.values.map((v, j): [number, number] => [run.address + j, v]))
    .sort((a, b) => a[0] - b[0]);
}
