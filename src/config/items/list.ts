/** A YAML list whose items are each checked on their own (convict has no schema for list items). */
import { failed, ok, problem, show, under, type Checked, type Problem } from '../issues.js';

export function checkEach<T>(raw: unknown, what: string, checkItem: (item: unknown) => Checked<T>): Checked<T[]> {
  if (!Array.isArray(raw)) return failed([problem([], `${show(raw)} is not a list: ${what}`)]);
  const problems: Problem[] = [];
  const items: T[] = [];
  raw.forEach((item: unknown, i) => {
    const checked = checkedByContent(checkItem, item);
    problems.push(...under([i], checked.problems));
    if (checked.value !== undefined) items.push(checked.value);
  });
  return problems.length > 0 ? failed(problems) : ok(items);
}

/**
 * An item's check depends on the item alone (references between items are cross-checks), so a
 * result is reused for an item whose content is the same as one seen before: a reload re-validates
 * only what was edited. Results are immutable (the loaded config is frozen). Bounded.
 */
const MAX_REMEMBERED = 2048;
const remembered = new WeakMap<(item: unknown) => Checked<unknown>, Map<string, Checked<unknown>>>();

/** JSON, with the numbers JSON cannot tell apart (Infinity, NaN) kept distinct from null. */
function contentKey(item: unknown): string {
  return JSON.stringify(item, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? `#${String(v)}` : v));
}

function checkedByContent<T>(checkItem: (item: unknown) => Checked<T>, item: unknown): Checked<T> {
  let seen = remembered.get(checkItem as (item: unknown) => Checked<unknown>);
  if (!seen) remembered.set(checkItem as (item: unknown) => Checked<unknown>, (seen = new Map()));
  const key = contentKey(item);
  const known = seen.get(key);
  if (known) return known as Checked<T>;
  const checked = checkItem(item);
  if (seen.size >= MAX_REMEMBERED) seen.clear();
  seen.set(key, checked);
  return checked;
}
