/** A YAML list whose items are each checked on their own (convict has no schema for list items). */
import { failed, ok, problem, show, under, type Checked, type Problem } from '../issues.js';

export function checkEach<T>(raw: unknown, what: string, checkItem: (item: unknown) => Checked<T>): Checked<T[]> {
  if (!Array.isArray(raw)) return failed([problem([], `${show(raw)} is not a list: ${what}`)]);
  const problems: Problem[] = [];
  const items: T[] = [];
  raw.forEach((item: unknown, i) => {
    const checked = checkItem(item);
    problems.push(...under([i], checked.problems));
    if (checked.value !== undefined) items.push(checked.value);
  });
  return problems.length > 0 ? failed(problems) : ok(items);
}
