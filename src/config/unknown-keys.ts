/**
 * Unknown keys. Convict's strict mode finds them but only says so in its joined error message
 * ("configuration param 'gateway.nmae' not declared in the schema"). Rather than splitting that
 * text (keys may contain quotes, spaces or newlines), every key path actually present in the input
 * convict validated is looked up in it verbatim, so the key is known exactly, then mapped to the
 * first segment the schema does not declare.
 */
import { isLeaf, type SchemaDef } from './convict-bridge.js';
import { formatPath, isMapping, problem, type Path, type Problem } from './issues.js';
import { suggest } from './suggest.js';

/** Messages for keys that are known but not supported (yet). */
export type Hints = Readonly<Record<string, string>>;

export function unknownKeyMessage(parent: SchemaDef, key: string, hints: Hints = {}): string {
  const hint = Object.hasOwn(hints, key) ? hints[key] : undefined;
  if (hint !== undefined) return hint;
  const allowed = Object.keys(parent);
  const guess = suggest(key, allowed);
  const didYouMean = guess === undefined ? '' : ` (did you mean ${guess}?)`;
  return `unknown key${didYouMean}; allowed here: ${allowed.join(', ')}`;
}

/** The unknown keys convict's strict validation reported in `message`, as problems at the key. */
export function undeclaredKeys(
  def: SchemaDef,
  input: Record<string, unknown>,
  message: string,
  hints?: Hints,
): Problem[] {
  const found = new Map<string, Problem>();
  for (const [flat, segs] of flattenLikeConvict(input)) {
    if (!message.includes(`configuration param '${flat}' not declared in the schema`)) continue;
    const unknown = firstUndeclared(def, segs);
    if (unknown === undefined) continue;
    const id = formatPath(unknown.path);
    if (!found.has(id)) {
      found.set(id, problem(unknown.path, unknownKeyMessage(unknown.parent, unknown.key, hints), 'key'));
    }
  }
  return [...found.values()];
}

/** Convict's flatten(): descends into non-empty mappings; lists, scalars and `{}` are leaves. */
function flattenLikeConvict(input: Record<string, unknown>): [string, string[]][] {
  const out: [string, string[]][] = [];
  const walk = (value: unknown, segs: string[]): void => {
    if (isMapping(value) && Object.keys(value).length > 0) {
      for (const [k, v] of Object.entries(value)) walk(v, [...segs, k]);
    } else {
      out.push([segs.join('.'), segs]);
    }
  };
  for (const [k, v] of Object.entries(input)) walk(v, [k]);
  return out;
}

function firstUndeclared(
  def: SchemaDef,
  segs: readonly string[],
): { path: Path; parent: SchemaDef; key: string } | undefined {
  let node: SchemaDef = def;
  for (const [i, key] of segs.entries()) {
    const child = Object.hasOwn(node, key) ? node[key] : undefined;
    if (child === undefined) return { path: segs.slice(0, i + 1), parent: node, key };
    if (isLeaf(child)) return undefined;
    node = child;
  }
  return undefined;
}
