/**
 * The shape pass that runs before convict on one mapping. Convict assumes the input has the
 * schema's shape (it throws a TypeError, or reports a confusing "missing ... did you override its
 * parent?", when a section is a scalar or a scalar key holds a mapping), it cannot walk keys that
 * contain dots (its flatten() throws on `banks: { line3.plant: ... }`), and it has no notion of a
 * required key or of a blank value. So, before convict sees the input, this pass:
 * - reports missing required keys (at the parent's position) and blank values;
 * - reports a section or a scalar key that holds the wrong kind of value, and drops it;
 * - runs the checks of mapping-valued leaves (`format: Object`, the user's own keys: bank names,
 *   unit ids, ...) and hands convict `{}` in their place; the real mapping is `carried` past
 *   convict and put back into its result;
 * - hands convict an unknown key with a null value (convict's strict mode reports the key; its
 *   contents do not matter), and reports keys convict skips silently (`__proto__`) or would take
 *   for a path (`gateway.name: x` at the top level) itself.
 */
import { checkLeaf, isLeaf, isMapLeaf, type Leaf, type SchemaDef } from './convict-bridge.js';
import { isMapping, problem, show, under, type Path, type Problem } from './issues.js';
import { unknownKeyMessage } from './unknown-keys.js';

/** A mapping-valued leaf's real value, kept away from convict. */
export interface Carried {
  readonly path: Path;
  readonly value: unknown;
}

interface Pass {
  readonly problems: Problem[];
  readonly carried: Carried[];
}

const SKIPPED_BY_CONVICT = new Set(['__proto__', 'constructor', 'prototype']);

export function prepare(def: SchemaDef, input: Record<string, unknown>, path: Path, pass: Pass): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(input)) {
    if (Object.hasOwn(def, key)) out[key] = value;
    else if (!SKIPPED_BY_CONVICT.has(key) && !key.includes('.')) out[key] = null;
    else {
      const hint = key.includes('.') ? ' (write nested keys indented under their parent, not joined with dots)' : '';
      pass.problems.push(problem([...path, key], unknownKeyMessage(def, key) + hint, 'key'));
    }
  }
  for (const [key, node] of Object.entries(def)) {
    const at = [...path, key];
    if (!Object.hasOwn(out, key) || out[key] === undefined) {
      delete out[key];
      if (isLeaf(node) && node.required) pass.problems.push(problem(at, `is required: ${node.doc}`));
      continue;
    }
    const kept = isLeaf(node) ? prepareLeaf(node, out[key], at, pass) : prepareSection(node, out[key], at, pass);
    if (kept === undefined) delete out[key];
    else out[key] = kept;
  }
  return out;
}

function prepareSection(def: SchemaDef, value: unknown, at: Path, pass: Pass): unknown {
  if (value === null) return undefined;
  if (!isMapping(value)) {
    pass.problems.push(problem(at, `${show(value)} is not a mapping: expected the keys ${Object.keys(def).join(', ')}`));
    return undefined;
  }
  return prepare(def, value, at, pass);
}

function prepareLeaf(node: Leaf, value: unknown, at: Path, pass: Pass): unknown {
  if (value === null) {
    if (node.blankIsAbsent) return undefined;
    const hint = node.required ? `required: ${node.doc}` : 'write a value, or remove the key to use the default';
    pass.problems.push(problem(at, `has no value; ${hint}`));
    return undefined;
  }
  if (isMapLeaf(node)) {
    pass.problems.push(...under(at, checkLeaf(node, value)));
    if (!isMapping(value) && !node.scalarToo) return undefined;
    pass.carried.push({ path: at, value });
    return {};
  }
  if (isMapping(value)) {
    const found = checkLeaf(node, value);
    pass.problems.push(...(found.length > 0 ? under(at, found) : [problem(at, `is a mapping; expected ${node.doc}`)]));
    return undefined;
  }
  return value;
}
