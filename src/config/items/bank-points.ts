/**
 * `points:` of one bank: named, typed values at an address of one table. Each item is validated
 * with its own convict schema (strict); then the rules that need the whole bank: names unique,
 * inside the table, bit tables hold only bool points, and no two points of one table overlap.
 */
import { registerCount } from '../../codec/point-codec.js';
import type { SchemaDef } from '../convict-bridge.js';
import { CHOICE, INT, NAME, NUMBER } from '../formats.js';
import { failed, isMapping, ok, problem, show, under, type Checked, type Problem } from '../issues.js';
import { runSchema } from '../run-schema.js';
import { TABLE_NAMES, type PointConfig, type TableName } from '../types.js';
import { isBitTable } from './bank-values.js';

export const POINT_TYPES = ['bool', 'int16', 'uint16', 'int32', 'uint32', 'float32', 'float64', 'string'] as const;
export const ORDERS = ['ABCD', 'CDAB', 'BADC', 'DCBA'] as const;

const POINT: SchemaDef = {
  name: { doc: 'name of the point, unique in its bank (letters, digits, _ . -)', format: NAME, default: undefined, required: true },
  table: { doc: `table: ${TABLE_NAMES.join(' | ')}`, format: CHOICE, values: TABLE_NAMES, default: undefined, required: true },
  address: { doc: 'first address (0-based)', format: INT, min: 0, max: 65535, default: undefined, required: true },
  type: { doc: `value type: ${POINT_TYPES.join(' | ')}`, format: CHOICE, values: POINT_TYPES, default: 'uint16' },
  order: { doc: `word/byte order of multi-register values: ${ORDERS.join(' | ')} (ABCD: big-endian)`, format: CHOICE, values: ORDERS, default: 'ABCD' },
  scale: { doc: 'engineering value = raw * scale + offset', format: NUMBER, default: 1 },
  offset: { doc: 'engineering value = raw * scale + offset', format: NUMBER, default: 0 },
  length: { doc: 'string points: registers (two characters each), 1..125', format: INT, min: 1, max: 125, default: undefined },
};

type PointProps = Omit<PointConfig, 'length'> & { length?: number };

function checkPoint(raw: unknown): Checked<PointConfig> {
  if (!isMapping(raw)) return failed([problem([], `${show(raw)} is not a point: write { name: N, table: holding, address: 0, type: uint16 }`)]);
  const checked = runSchema<PointProps>(POINT, raw);
  if (checked.value === undefined) return failed(checked.problems);
  const p = checked.value;
  const problems: Problem[] = [];
  if (p.scale === 0) problems.push(problem(['scale'], 'is 0: a scale of 0 would lose every value'));
  if (p.type === 'string' && p.length === undefined) problems.push(problem([], 'is a string point: give length: REGISTERS (two characters each)'));
  if (p.type !== 'string' && p.length !== undefined) problems.push(problem(['length'], `only string points have a length (this one is ${p.type})`, 'key'));
  if (isBitTable(p.table) && p.type !== 'bool') problems.push(problem(['type'], `${p.type} cannot live in ${p.table}: a bit table holds only bool points`));
  if (problems.length > 0) return failed(problems);
  const { length, ...rest } = p;
  return ok(length === undefined ? rest : { ...rest, length });
}

/** `tables`: the bank's table sizes (a point in a missing table, or past its end, is an error). */
export function checkPoints(raw: unknown, tables: Partial<Record<TableName, number>>): Checked<PointConfig[]> {
  if (!Array.isArray(raw)) return failed([problem([], `${show(raw)} is not a list: write one item per point, each starting with "- name: ..."`)]);
  const problems: Problem[] = [];
  const points: PointConfig[] = [];
  const named = new Map<string, number>();
  raw.forEach((item: unknown, i) => {
    const checked = checkPoint(item);
    problems.push(...under([i], checked.problems));
    const point = checked.value;
    if (point === undefined) return;
    const first = named.get(point.name);
    if (first !== undefined) problems.push(problem([i, 'name'], `${show(point.name)} is already the name of points[${first}]: point names must be unique in a bank`));
    else named.set(point.name, i);
    const fit = fits(point, tables);
    if (fit !== undefined) problems.push(problem([i, 'address'], fit));
    else {
      const clash = points.findIndex((other) => overlaps(other, point));
      if (clash >= 0) problems.push(problem([i, 'address'], `overlaps point ${show(points[clash]?.name)} (${span(points[clash] as PointConfig)}): points of one table must not overlap`));
    }
    points.push(point);
  });
  return problems.length > 0 ? failed(problems) : ok(points);
}

function span(p: PointConfig): string {
  const n = registerCount(p);
  return n === 1 ? `${p.table} ${p.address}` : `${p.table} ${p.address}..${p.address + n - 1}`;
}

function fits(p: PointConfig, tables: Partial<Record<TableName, number>>): string | undefined {
  const size = tables[p.table];
  if (size === undefined) return `the bank has no ${p.table} table: add ${p.table}: SIZE to the bank`;
  const last = p.address + registerCount(p) - 1;
  return last < size ? undefined : `${span(p)} is outside the ${p.table} table (0..${size - 1})`;
}

function overlaps(a: PointConfig, b: PointConfig): boolean {
  return a.table === b.table && a.address < b.address + registerCount(b) && b.address < a.address + registerCount(a);
}
