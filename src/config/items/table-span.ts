/**
 * One table of a bank: its size (`holding: 100`, addresses 0..99), or where it starts and how many
 * entries it has (`holding: { start: 304, count: 32 }`, addresses 304..335), so that a bank can
 * mirror a device's own map. Both forms become `{ start, count }`.
 */
import { oneOf, record } from '../declare/kit.js';
import { int } from '../declare/leaves.js';
import { isMapping, problem } from '../issues.js';
import type { TableName } from '../types.js';

/** Where a table's addresses are: start..start+count-1. */
export interface TableSpan {
  readonly start: number;
  readonly count: number;
}

const TABLE_DOC: Readonly<Record<TableName, string>> = {
  holding: 'holding registers',
  input: 'input registers',
  coils: 'coils',
  discrete: 'discrete inputs',
};

const count = (doc: string) => int({ doc, min: 1, max: 65536, required: true, example: 32 });

export const tableSpan = (table: TableName) =>
  oneOf(
    {
      doc: `number of ${TABLE_DOC[table]}, 1..65536 (addresses 0..size-1), or { start, count } for a table at start..start+count-1 (omit: the bank has no ${table} table)`,
      example: 100,
    },
    {
      size: int({ doc: `number of ${TABLE_DOC[table]}, 1..65536`, min: 1, max: 65536 }),
      span: record(
        { doc: `${TABLE_DOC[table]} at start..start+count-1` },
        {
          start: int({ doc: 'first address, 0..65535', min: 0, max: 65535, required: true, example: 304 }),
          count: count(`number of ${TABLE_DOC[table]}, 1..65536`),
        },
        {
          check: (p) =>
            p.start + p.count > 65536
              ? [problem(['count'], `${p.count} from ${p.start} goes past address 65535: at most ${65536 - p.start}`)]
              : [],
        },
      ),
    },
    (raw) => ({ use: isMapping(raw) ? 'span' : 'size' }),
    (v): TableSpan => (typeof v === 'number' ? { start: 0, count: v } : v),
  );

/** A raw table value as far as it is valid (rules over the raw bank skip what is not). */
export function spanOf(raw: unknown): TableSpan | undefined {
  const whole = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);
  if (whole(raw)) return raw >= 1 ? { start: 0, count: Math.min(raw, 65536) } : undefined;
  if (!isMapping(raw) || !whole(raw.start) || !whole(raw.count)) return undefined;
  if (raw.start < 0 || raw.count < 1 || raw.start + raw.count > 65536) return undefined;
  return { start: raw.start, count: raw.count };
}

/** "0..99", "304..335". */
export const showSpan = (s: TableSpan): string => `${s.start}..${s.start + s.count - 1}`;
