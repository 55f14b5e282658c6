/**
 * Validates one mapping (the whole file, or one list item, bank, unit entry or pool port) against
 * one convict schema, in strict mode, and returns every problem or the values with defaults applied.
 */
import convict from 'convict';
import { captureFailures, type FormatFailure, type SchemaDef } from './convict-bridge.js';
import { failed, ok, problem, under, type Checked, type Path, type Problem } from './issues.js';
import { prepare, type Carried } from './prepare.js';
import { undeclaredKeys, type Hints } from './unknown-keys.js';

export function runSchema<T>(def: SchemaDef, input: Record<string, unknown>, hints?: Hints): Checked<T> {
  const problems: Problem[] = [];
  const carried: Carried[] = [];
  const cleaned = prepare(def, input, [], { problems, carried });
  const config = convict<Record<string, unknown>>(def as convict.Schema<Record<string, unknown>>, {
    args: [],
    env: {},
  });
  config.load(cleaned);
  const { failures, message } = captureFailures(() => config.validate({ allowed: 'strict' }));
  for (const failure of failures) problems.push(...under(keyOf(failure), failure.problems));
  const unknown = undeclaredKeys(def, cleaned, message, hints);
  problems.push(...unknown, ...unexplained(message, failures, unknown.length));
  if (problems.length > 0) return failed(problems);
  const values = config.getProperties();
  for (const { path, value } of carried) putBack(values, path, value);
  return ok(values as T);
}

function putBack(values: Record<string, unknown>, path: Path, value: unknown): void {
  const parent = path.slice(0, -1).reduce<Record<string, unknown>>((o, seg) => o[seg] as Record<string, unknown>, values);
  parent[String(path.at(-1))] = value;
}

function keyOf(failure: FormatFailure): string[] {
  return failure.fullName === undefined ? [] : failure.fullName.split('.');
}

/**
 * Lines of convict's message that none of the above explains (none is expected: the shape pass
 * removes what convict would call "missing"). Reported as they are rather than lost.
 */
function unexplained(message: string, failures: readonly FormatFailure[], unknownCount: number): Problem[] {
  if (message === '') return [];
  const explained = failures.map((f) => `${f.fullName ?? ''}: `);
  const rest = message.split('\n').filter((line) => {
    if (explained.some((prefix) => line.startsWith(prefix))) return false;
    return !(unknownCount > 0 && / not declared in the schema$/.test(line));
  });
  return rest.filter((line) => line.trim() !== '').map((line) => problem([], line));
}
