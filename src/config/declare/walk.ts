/**
 * Validates a document against a declaration and builds its runtime value, every problem at once.
 *
 * The walk does what convict cannot: lists, mappings of the user's own keys, variants, required and
 * blank keys, wrong shapes, unknown keys with a did-you-mean. Every value the document holds goes into
 * one convict schema for the whole document, built from the declarations (a key per value, with its
 * declared format, default and check); convict loads the document, validates it in strict mode and
 * returns the values, from which the runtime value is built, absent keys taking their declared
 * default. One convict instance per document: the cost is per value, not per item.
 *
 * Problems keep the order they always had: per item, its shape problems (and its children's, in key
 * order), then its failed values, then unknown keys, then its rules. What a person cannot mean is
 * never handed to convict: unknown keys, blank values, a mapping where a value belongs.
 */
import convict from 'convict';
import { failed, isMapping, ok, problem, show, under, type Checked, type Path, type Problem } from '../issues.js';
import { suggest } from '../suggest.js';
import type { Decl, Keys, Leaf, Verdict } from './kit.js';

/** An item's problems in the order they are reported; children's reports sit where they were met. */
interface Report {
  readonly early: (Problem | Report)[];
  readonly formats: Problem[];
  readonly unknown: Problem[];
  readonly rules: (Problem | Report)[];
  /** Set once the item is built (nothing is added to its report after that): whether it has no problem. */
  clean?: boolean;
}

/** Builds a node's value once convict has validated; undefined: invalid. */
type Build = () => unknown;

const report = (): Report => ({ early: [], formats: [], unknown: [], rules: [] });
const isProblem = (p: Problem | Report): p is Problem => 'message' in p;

function flatten(r: Report, out: Problem[] = []): Problem[] {
  for (const p of [...r.early, ...r.formats, ...r.unknown, ...r.rules])
    if (isProblem(p)) out.push(p);
    else flatten(p, out);
  return out;
}

function clean(r: Report): boolean {
  return (
    r.clean ??
    (r.formats.length === 0 &&
      r.unknown.length === 0 &&
      [r.early, r.rules].every((part) => part.every((p) => !isProblem(p) && clean(p))))
  );
}

/** Marks a built item's report final; true when it has no problem. */
function settled(r: Report): boolean {
  r.clean = undefined;
  r.clean = clean(r);
  return r.clean;
}

/** Per declaration, once: its keys as entries, a leaf's default in its runtime form. */
const entries = new WeakMap<Keys, [string, Decl][]>();
const defaults = new WeakMap<Leaf, unknown>();
const entriesOf = (keys: Keys): [string, Decl][] =>
  entries.get(keys) ?? entries.set(keys, Object.entries(keys)).get(keys) ?? [];
const defaultOf = (d: Leaf): unknown =>
  d.default === undefined ? undefined : defaults.has(d) ? defaults.get(d) : defaults.set(d, d.parse(d.default)).get(d);

function asProblems(found: Verdict): readonly Problem[] {
  if (found === undefined) return [];
  return typeof found === 'string' ? [problem([], found)] : found;
}

const SPECIAL = new Set(['__proto__', 'constructor', 'prototype']);
const FAILED = 'fieldgate check failed';

function unknownKeyMessage(keys: Keys, key: string): string {
  const allowed = Object.keys(keys);
  const guess = suggest(key, allowed);
  return `unknown key${guess === undefined ? '' : ` (did you mean ${guess}?)`}; allowed here: ${allowed.join(', ')}`;
}

/**
 * Valid items of `remember` lists, by content: an item's value depends on the item alone (references
 * between items are cross-checks), so a reload checks only what was edited. Values are frozen once
 * loaded and can be shared. Bounded.
 */
const MAX_REMEMBERED = 2048;
const remembered = new WeakMap<Decl, Map<string, unknown>>();

/** JSON, with the numbers JSON cannot tell apart (Infinity, NaN) kept distinct from null. */
function contentKey(item: unknown): string {
  return JSON.stringify(item, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? `#${String(v)}` : v));
}

/**
 * A value convict validates: its declaration, where it is (the mapping's path and its key), the report its failure goes
 * to.
 */
interface LeafAt {
  readonly d: Leaf;
  readonly id: number;
  readonly path: Path;
  readonly key: string | number | undefined;
  readonly rep: Report;
  bad: boolean;
}

/** One document: the convict schema and input built while walking it, then convict's values. */
class Walk {
  readonly schema: Record<string, unknown> = {};
  readonly input: Record<string, unknown> = {};
  values: Record<string, unknown> = {};
  private readonly leaves: LeafAt[] = [];

  /**
   * What convict runs for every leaf (the format's validate): the declaration's check; a failure is recorded at the
   * leaf.
   */
  private readonly checkLeaf = (v: unknown, id: number): void => {
    const leaf = this.leaves[id] as LeafAt;
    const found = asProblems(leaf.d.check(v));
    if (found.length === 0) return;
    leaf.bad = true;
    leaf.rep.formats.push(...under(leaf.key === undefined ? leaf.path : [...leaf.path, leaf.key], found));
    throw new Error(FAILED);
  };

  private value = (leaf: LeafAt): unknown => (leaf.bad ? undefined : leaf.d.parse(this.values[leaf.id]));

  /**
   * A present leaf at `key` of the mapping at `path` (no key: at `path`): a key of convict's schema
   * with its declaration's format, default and check; or, when it is a mapping, reported at once (the
   * default is then used).
   */
  leaf(d: Leaf, raw: unknown, path: Path, key: string | number | undefined, rep: Report): LeafAt | undefined {
    if (isMapping(raw)) {
      const at = key === undefined ? path : [...path, key];
      const found = asProblems(d.check(raw));
      rep.early.push(...(found.length > 0 ? under(at, found) : [problem(at, `is a mapping; expected ${d.doc}`)]));
      return undefined;
    }
    const leaf: LeafAt = { d, id: this.leaves.length, path, key, rep, bad: false };
    this.leaves.push(leaf);
    this.schema[leaf.id] = { doc: d.doc, format: 'fieldgate', default: d.default, check: this.checkLeaf, id: leaf.id };
    this.input[leaf.id] = raw;
    return leaf;
  }

  /** The declared keys of one mapping (an item's, or a section's in it); an absent leaf takes its default. */
  keys(keys: Keys, input: Record<string, unknown>, path: Path, rep: Report): Build {
    for (const key of Object.keys(input)) {
      if (Object.hasOwn(keys, key) || !(SPECIAL.has(key) || key.includes('.'))) continue;
      const hint = key.includes('.') ? ' (write nested keys indented under their parent, not joined with dots)' : '';
      rep.early.push(problem([...path, key], unknownKeyMessage(keys, key) + hint, 'key'));
    }
    const given = new Map<string, Build | LeafAt>();
    for (const [key, d] of entriesOf(keys)) {
      const v = Object.hasOwn(input, key) ? input[key] : undefined;
      if (v === undefined && d.required) rep.early.push(problem([...path, key], `is required: ${d.doc}`));
      if (v === null && d.kind !== 'section' && !d.blankIsAbsent) {
        const hint = d.required ? `required: ${d.doc}` : 'write a value, or remove the key to use the default';
        rep.early.push(problem([...path, key], `has no value; ${hint}`));
      }
      if (d.kind === 'section') {
        if (v != null && !isMapping(v))
          rep.early.push(
            problem([...path, key], `${show(v)} is not a mapping: expected the keys ${Object.keys(d.keys).join(', ')}`),
          );
        if (!d.optional || isMapping(v)) given.set(key, this.keys(d.keys, isMapping(v) ? v : {}, [...path, key], rep));
      } else if (v != null) {
        const part = d.kind === 'leaf' ? this.leaf(d, v, path, key, rep) : this.node(d, v, [...path, key], rep, input);
        if (part) given.set(key, part);
      }
    }
    return () => {
      const out: Record<string, unknown> = {};
      for (const [key, d] of entriesOf(keys)) {
        const part = given.get(key);
        const value =
          part === undefined
            ? d.kind === 'leaf'
              ? defaultOf(d)
              : undefined
            : typeof part === 'function'
              ? part()
              : this.value(part);
        if (value !== undefined) out[key] = value;
      }
      return out;
    };
  }

  /**
   * Walks one present value; its problems go into `rep` (a child item gets its own report there). `parent`: the mapping
   * it is in.
   */
  node(d: Decl, raw: unknown, path: Path, rep: Report, parent: Record<string, unknown> = {}): Build | undefined {
    switch (d.kind) {
      case 'leaf': {
        const leaf = this.leaf(d, raw, path, undefined, rep);
        return leaf && (() => this.value(leaf));
      }
      case 'section':
        throw new Error('internal: a section is walked with the keys of its mapping');
      case 'record': {
        const own = report();
        rep.early.push(own);
        const pre = d.pre
          ? d.pre(raw)
          : isMapping(raw)
            ? { input: raw }
            : failed([
                problem([], `${show(raw)} is not a mapping: expected the keys ${Object.keys(d.keys).join(', ')}`),
              ]);
        if (!('input' in pre)) return this.settle(pre, path, own);
        own.early.push(...under(path, pre.problems ?? []));
        const build = this.keys(d.keys, pre.input, path, own);
        this.unknownKeys(d.keys, pre.input, path, own);
        const mapping = isMapping(raw) ? raw : pre.input;
        if (d.rules) own.rules.push(...under(path, d.rules(mapping)));
        return () => {
          const p = build() as never;
          if (clean(own)) own.rules.push(...under(path, d.check?.(p, mapping) ?? []));
          if (!settled(own)) return undefined;
          return d.finish ? d.finish(p, mapping) : p;
        };
      }
      case 'oneOf': {
        const picked = d.pick(raw);
        if (!('use' in picked)) return this.settle(picked, path, rep);
        const variant = d.variants[picked.use];
        if (variant === undefined) throw new Error(`internal: no variant ${picked.use}`);
        const build = this.node(variant, picked.input ?? raw, path, rep, parent);
        const finish = d.finish;
        return build && finish
          ? () => {
              const v = build();
              return v === undefined ? undefined : finish(v as never);
            }
          : build;
      }
      case 'list': {
        const own = report();
        rep.early.push(own);
        if (!Array.isArray(raw)) {
          own.early.push(problem(path, d.notList(raw)));
          return undefined;
        }
        const builds = raw.map((item: unknown, i) => {
          const key = d.remember ? contentKey(item) : '';
          const known = d.remember ? remembered.get(d.item)?.get(key) : undefined;
          if (known !== undefined) return () => known;
          const build = this.node(d.item, item, [...path, i], own);
          return build && d.remember ? this.remember(d.item, key, build) : build;
        });
        return () => {
          const items = builds.flatMap((b, i) => {
            const v = b?.();
            return v === undefined ? [] : [[i, v] as const];
          });
          if (d.rules) own.rules.push(...under(path, d.rules(items as never, parent)));
          if (!settled(own)) return undefined;
          const list = items.map(([, v]) => v);
          return d.finish ? d.finish(list as never) : list;
        };
      }
      case 'map': {
        const own = report();
        rep.early.push(own);
        if (!isMapping(raw) || (d.nonEmpty && Object.keys(raw).length === 0)) {
          own.early.push(problem(path, d.notMap(raw)));
          return undefined;
        }
        const entries = Object.entries(raw).flatMap(([k, v]): [unknown, Build | undefined][] => {
          const key = d.key(k);
          if (key.error !== undefined) own.early.push(problem([...path, k], key.error, 'key'));
          return key.value === undefined ? [] : [[key.value, this.node(d.value, v, [...path, k], own)]];
        });
        return () => {
          const built = entries.map(([k, b]) => [k, b?.()] as const);
          return !settled(own) || built.some(([, v]) => v === undefined) ? undefined : d.finish(built as never);
        };
      }
    }
  }

  /** Unknown keys other than those reported early, in the order they are written, sections included. */
  private unknownKeys(keys: Keys, input: Record<string, unknown>, path: Path, rep: Report): void {
    for (const [key, v] of Object.entries(input)) {
      const d = Object.hasOwn(keys, key) ? keys[key] : undefined;
      if (d === undefined) {
        if (!SPECIAL.has(key) && !key.includes('.'))
          rep.unknown.push(problem([...path, key], unknownKeyMessage(keys, key), 'key'));
      } else if (d.kind === 'section' && isMapping(v)) this.unknownKeys(d.keys, v, [...path, key], rep);
    }
  }

  /** A result known without convict: its problems reported, or its value. */
  private settle(c: Checked<unknown>, path: Path, rep: Report): Build | undefined {
    rep.early.push(...under(path, c.problems));
    return c.problems.length === 0 ? () => c.value : undefined;
  }

  private remember =
    (d: Decl, key: string, build: Build): Build =>
    () => {
      const value = build();
      if (value === undefined) return undefined;
      let seen = remembered.get(d);
      if (!seen || seen.size >= MAX_REMEMBERED) remembered.set(d, (seen = new Map<string, unknown>()));
      seen.set(key, value);
      return value;
    };
}

let registered = false;

/** Validates `raw` against `d`: every problem, or the runtime value. */
export function check<T>(d: Decl & { readonly __type?: T }, raw: unknown): Checked<T> {
  if (!registered) {
    // One format for every leaf; the schema node carries the walk's check and the leaf's number.
    convict.addFormat({
      name: 'fieldgate',
      validate: (v: unknown, node: convict.SchemaObj) => {
        const leaf = node as unknown as { check: (v: unknown, id: number) => void; id: number };
        leaf.check(v, leaf.id);
      },
    });
    registered = true;
  }
  const walk = new Walk();
  const rep = report();
  const build = walk.node(d, raw, [], rep);
  const config = convict(walk.schema as convict.Schema<unknown>, { args: [], env: {} });
  config.load(walk.input);
  try {
    config.validate({ allowed: 'strict' });
  } catch (err) {
    // Lines that no check of ours explains (none is expected) are reported as they are rather than lost.
    const lines = (err instanceof Error ? err.message : String(err))
      .split('\n')
      .filter((l) => l.trim() !== '' && !l.includes(`: ${FAILED}`));
    rep.rules.push(...lines.map((l) => problem([], l)));
  }
  walk.values = config.getProperties() as Record<string, unknown>;
  const value = build?.();
  const problems = flatten(rep);
  return problems.length > 0 || value === undefined ? failed(problems) : ok(value as T);
}
