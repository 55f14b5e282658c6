/** Banks for tests, built from a compact description. */
import { Bank } from '../../src/bank/bank.js';
import type { TableName } from '../../src/config/types.js';

export function makeBank(
  tables: Partial<Record<TableName, number>>,
  values: Partial<Record<TableName, [number, number][]>> = {},
  name = 'test',
): Bank {
  return new Bank({ name, tables, values, points: [] });
}
