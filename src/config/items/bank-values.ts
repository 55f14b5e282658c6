/**
 * Initial values of one bank table: ADDRESS (0-based, inside the table's start..start+count-1) -> value,
 * or -> [values at ADDRESS, ADDRESS+1, ...].
 * Registers take -32768..65535 (a negative value is stored as its two's complement, 0..65535);
 * bits take 0, 1, true or false.
 */
import { parseWhole } from '../address.js';
import { mapOf } from '../declare/kit.js';
import { leaf } from '../declare/leaves.js';
import { isMapping, problem, show, type Problem } from '../issues.js';
import type { TableName } from '../types.js';
import { showSpan, type TableSpan } from './table-span.js';

export const isBitTable = (table: TableName): boolean => table === 'coils' || table === 'discrete';

function toWord(v: unknown): number | undefined {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < -32768 || v > 65535) return undefined;
  return v < 0 ? v + 65536 : v;
}

function toBit(v: unknown): number | undefined {
  if (v === true || v === 1) return 1;
  return v === false || v === 0 ? 0 : undefined;
}

/** The values written from one address on: one value, or a list of consecutive ones. */
const valuesOf = (v: unknown, bits: boolean): (number | undefined)[] =>
  (Array.isArray(v) ? v : [v]).map((x: unknown) => (bits ? toBit(x) : toWord(x)));

const jsonOf = (one: Record<string, unknown>) => ({ anyOf: [one, { type: 'array', items: one, minItems: 1 }] });

const parseAddress = (k: string): number | undefined => parseWhole(k, 0, Number.MAX_SAFE_INTEGER);

/** The initial values of `table`: address -> value or list of consecutive values. */
export function tableValues(table: TableName, doc: string) {
  const bits = isBitTable(table);
  const example = bits ? '{ 5: [1, 0, 1] }' : '{ 0: [1, 2, 3], 100: 42 }';
  const value = leaf(
    { doc: bits ? '0, 1, true or false, or a list of them' : 'a whole number in -32768..65535, or a list of them' },
    bits ? 'bits' : 'registers',
    jsonOf(bits ? { enum: [0, 1, true, false] } : { type: 'integer', minimum: -32768, maximum: 65535 }),
    (v) => {
      const list: unknown[] = Array.isArray(v) ? v : [v];
      return valuesOf(v, bits).flatMap((x, j): Problem[] => {
        if (x !== undefined) return [];
        const message = bits
          ? `${show(list[j])} is not a bit value: use 0, 1, true or false`
          : `${show(list[j])} is not a register value: use a whole number in -32768..65535`;
        return [problem(Array.isArray(v) ? [j] : [], message)];
      });
    },
    (v) => valuesOf(v, bits) as number[],
  );
  return mapOf(
    {
      doc,
      keyDoc: 'address (0-based)',
      keyPattern: '^\\d+$',
      key: (k) => {
        const address = parseAddress(k);
        return address === undefined
          ? { error: `${show(k)} is not an address: addresses are whole numbers from 0 (0-based)` }
          : { value: address };
      },
      notMap: (raw) => `${show(raw)} is not a mapping of address -> value or list of values, e.g. ${example}`,
      // flattened to [address, value] pairs in address order
      finish: (entries) =>
        entries
          .flatMap(([address, values]) => values.map((v, j): [number, number] => [address + j, v]))
          .sort((a, b) => a[0] - b[0]),
    },
    value,
  );
}

/** Rules over the raw values of one table at `span`: inside the table, each address set once. */
export function runRules(raw: unknown, table: TableName, span: TableSpan): Problem[] {
  if (!isMapping(raw)) return [];
  const problems: Problem[] = [];
  const setBy = new Map<number, string>();
  for (const [key, given] of Object.entries(raw)) {
    const address = parseAddress(key);
    const values = valuesOf(given, isBitTable(table));
    if (address === undefined || values.some((v) => v === undefined)) continue;
    const last = address + values.length - 1;
    if (address < span.start || last >= span.start + span.count) {
      const where = values.length > 1 ? `addresses ${address}..${last}` : `address ${address}`;
      problems.push(
        problem(
          [key],
          `${where} ${values.length > 1 ? 'are' : 'is'} outside the ${table} table (${showSpan(span)})`,
          'key',
        ),
      );
      continue;
    }
    const clash = values.findIndex((_, j) => setBy.has(address + j));
    if (clash >= 0) {
      const at = address + clash;
      problems.push(
        problem([key], `address ${at} is already set by the entry at ${setBy.get(at)}: set each address once`, 'key'),
      );
    }
    values.forEach((_, j) => setBy.set(address + j, key));
  }
  return problems;
}
