/** The mappings inside a profile field: `bits:` (bit -> bool point) and an enum's `values:` (word -> number). */
import { parseWhole } from '../address.js';
import { mapOf } from '../declare/kit.js';
import { name, number } from '../declare/leaves.js';
import { show } from '../issues.js';

export const BITS = mapOf(
  {
    doc: 'bit number (0 = least significant) -> bool point, e.g. { 0: running, 1: fault }',
    keyDoc: 'bit 0..31',
    keyPattern: '^\\d+$',
    nonEmpty: true,
    key: (k) =>
      parseWhole(k, 0, 31) === undefined
        ? { value: k, error: `${show(k)} is not a bit number: 0 (least significant) .. 31` }
        : { value: k },
    notMap: (raw) => `${show(raw)} is not a mapping of bit -> point, e.g. { 0: running, 1: fault }`,
    finish: (entries) => entries,
  },
  name({ doc: 'the bool point the bit lands in' }),
);

export const ENUM_VALUES = mapOf(
  {
    doc: 'enum fields: word -> number, e.g. { OK: 1, NG: 2 }',
    keyDoc: 'word',
    nonEmpty: true,
    key: (k) => ({ value: k }),
    notMap: (raw) => `${show(raw)} is not a mapping of word -> number, e.g. { OK: 1, NG: 2 }`,
    finish: (entries): ReadonlyMap<string, number> => new Map(entries),
  },
  number({ doc: 'the number the word stands for' }),
);
