/**
 * `points:` of one bank: named, typed values at an address of one table. Then the rules that need
 * the whole bank: names unique, inside the table, bit tables hold only bool points, and no two
 * points of one table overlap.
 */
import { registerCount } from '../../codec/point-codec.js';
import { listOf, record, type Infer } from '../declare/kit.js';
import { choice, int, name, number } from '../declare/leaves.js';
import { failed, isMapping, problem, show, type Problem } from '../issues.js';
import { TABLE_NAMES, type TableName } from '../types.js';
import { isBitTable } from './bank-values.js';
import { showSpan, spanOf, type TableSpan } from './table-span.js';

export const POINT_TYPES = ['bool', 'int16', 'uint16', 'int32', 'uint32', 'float32', 'float64', 'string'] as const;
export const ORDERS = ['ABCD', 'CDAB', 'BADC', 'DCBA'] as const;

export const POINT = record(
  { doc: 'a named, typed value in the bank' },
  {
    name: name({
      doc: 'name of the point, unique in its bank (letters, digits, _ . -)',
      required: true,
      example: 'flow',
    }),
    table: choice(TABLE_NAMES, { doc: `table: ${TABLE_NAMES.join(' | ')}`, required: true }),
    address: int({
      doc: 'first address (0-based, inside its table: start..start+count-1)',
      min: 0,
      max: 65535,
      required: true,
      example: 0,
    }),
    type: choice(POINT_TYPES, { doc: `value type: ${POINT_TYPES.join(' | ')}`, default: 'uint16' }),
    order: choice(ORDERS, {
      doc: `word/byte order of multi-register values: ${ORDERS.join(' | ')} (ABCD: big-endian)`,
      default: 'ABCD',
    }),
    scale: number({ doc: 'engineering value = raw * scale + offset', default: 1 }),
    offset: number({ doc: 'engineering value = raw * scale + offset', default: 0 }),
    length: int({ doc: 'string points: registers (two characters each), 1..125', min: 1, max: 125 }),
    deadband: number({
      doc: 'MQTT: a change smaller than this (absolute, engineering units) from the last published value is not published',
      example: 0.5,
    }),
  },
  {
    pre: (raw) =>
      isMapping(raw)
        ? { input: raw }
        : failed([
            problem([], `${show(raw)} is not a point: write { name: N, table: holding, address: 0, type: uint16 }`),
          ]),
    check: (p) => {
      const problems: Problem[] = [];
      if (p.scale === 0) problems.push(problem(['scale'], 'is 0: a scale of 0 would lose every value'));
      if (p.type === 'string' && p.length === undefined)
        problems.push(problem([], 'is a string point: give length: REGISTERS (two characters each)'));
      if (p.type !== 'string' && p.length !== undefined)
        problems.push(problem(['length'], `only string points have a length (this one is ${p.type})`, 'key'));
      if (p.deadband !== undefined && (p.deadband < 0 || p.type === 'bool' || p.type === 'string'))
        problems.push(
          problem(['deadband'], p.deadband < 0 ? 'is negative' : `a ${p.type} point has no deadband (only numbers do)`),
        );
      if (isBitTable(p.table) && p.type !== 'bool')
        problems.push(problem(['type'], `${p.type} cannot live in ${p.table}: a bit table holds only bool points`));
      return problems;
    },
  },
);

export type PointConfig = Infer<typeof POINT>;

function span(p: PointConfig): string {
  const n = registerCount(p);
  return n === 1 ? `${p.table} ${p.address}` : `${p.table} ${p.address}..${p.address + n - 1}`;
}

function fits(p: PointConfig, tables: Partial<Record<TableName, TableSpan>>): string | undefined {
  const t = tables[p.table];
  if (t === undefined) return `the bank has no ${p.table} table: add ${p.table}: SIZE to the bank`;
  const last = p.address + registerCount(p) - 1;
  return p.address >= t.start && last < t.start + t.count
    ? undefined
    : `${span(p)} is outside the ${p.table} table (${showSpan(t)})`;
}

function overlaps(a: PointConfig, b: PointConfig): boolean {
  return a.table === b.table && a.address < b.address + registerCount(b) && b.address < a.address + registerCount(a);
}

/** The tables a bank gives, as far as they are valid (a point outside one is an error). */
function tablesOf(bank: Record<string, unknown>): Partial<Record<TableName, TableSpan>> {
  const tables: Partial<Record<TableName, TableSpan>> = {};
  for (const table of TABLE_NAMES) {
    const t = spanOf(bank[table]);
    if (t !== undefined) tables[table] = t;
  }
  return tables;
}

export const POINTS = listOf(
  {
    doc: 'named, typed values: a list of { name, table, address, type, order, scale, offset, length }',
    blankIsAbsent: true,
    notList: (raw) => `${show(raw)} is not a list: write one item per point, each starting with "- name: ..."`,
    rules: (items, bank) => {
      const tables = tablesOf(bank);
      const problems: Problem[] = [];
      const points: PointConfig[] = [];
      const named = new Map<string, number>();
      for (const [i, point] of items) {
        const first = named.get(point.name);
        if (first !== undefined)
          problems.push(
            problem(
              [i, 'name'],
              `${show(point.name)} is already the name of points[${first}]: point names must be unique in a bank`,
            ),
          );
        else named.set(point.name, i);
        const fit = fits(point, tables);
        if (fit !== undefined) problems.push(problem([i, 'address'], fit));
        else {
          const clash = points.find((other) => overlaps(other, point));
          if (clash)
            problems.push(
              problem(
                [i, 'address'],
                `overlaps point ${show(clash.name)} (${span(clash)}): points of one table must not overlap`,
              ),
            );
        }
        points.push(point);
      }
      return problems;
    },
  },
  POINT,
);
