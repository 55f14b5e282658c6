/**
 * The declaration kit. Every key of the configuration file is declared once, in src/config, with its
 * type, default, limits, description and example; from that one declaration come the TypeScript type
 * of its validated value (`Infer`), its validation (walk.ts, with convict) and the reference: the
 * editor schema, the man page and the README key tables (src/reference/). A declaration is data:
 * - `leaf`: one value, checked by `check` and turned into its runtime form by `parse` (leaves.ts);
 * - `section`: fixed keys under a key (`reconnect: { min, max, jitter }`);
 * - `record`: an item with fixed keys (a server, a unit entry, the whole file) and its own rules;
 * - `oneOf`: an item whose keys depend on its value (a device's `type`, a handler's form);
 * - `listOf`, `mapOf`: lists, and mappings of the user's own keys (bank names, unit ids, ports).
 */
import type { Checked, Problem } from '../issues.js';

/** A check's finding on a present value: nothing (valid), a message, or problems below it. */
export type Verdict = string | readonly Problem[] | undefined;

/** A fragment of the editor schema (JSON Schema, draft 7). */
export type Json = Readonly<Record<string, unknown>>;

/** Options every declaration takes. */
export interface Opts {
  readonly doc: string;
  readonly example?: unknown;
  /** Missing is an error (reported at the parent's position). */
  readonly required?: boolean;
  /** As written in YAML (`'60s'`): convict applies it. */
  readonly default?: unknown;
  /** A blank value (`key:` and nothing) means "absent" instead of being an error. */
  readonly blankIsAbsent?: boolean;
  /** Another form the editor schema accepts (a shorthand the record rewrites before checking its keys). */
  readonly also?: Json;
}

interface Base<T, O extends boolean> extends Opts {
  /** The key may be left out (no default, not required): its value is then undefined. */
  readonly optional: O;
  /** Type-level only: the validated value. */
  readonly __type?: T;
}

export interface Leaf<T = unknown, O extends boolean = boolean> extends Base<T, O> {
  readonly kind: 'leaf';
  /** For the reference: `integer`, `duration`, ... and the limits (`1..256`). */
  readonly type: string;
  readonly limits?: string;
  readonly json: Json;
  readonly check: (v: unknown) => Verdict;
  /** The runtime value of a valid one (a duration in ms). */
  readonly parse: (v: unknown) => T;
}

export type Keys = Readonly<Record<string, Decl>>;

export interface Section<K extends Keys = Keys, O extends boolean = boolean> extends Base<Props<K>, O> {
  readonly kind: 'section';
  readonly keys: K;
}

/**
 * A raw value as checked: the mapping to check its keys on (maybe rewritten) and problems found on the way, or the
 * final result.
 */
export type Pre =
  { readonly input: Record<string, unknown>; readonly problems?: readonly Problem[] } | Checked<unknown>;

export interface RecordDecl<T = unknown, O extends boolean = boolean> extends Base<T, O> {
  readonly kind: 'record';
  readonly keys: Keys;
  readonly pre?: (raw: unknown) => Pre;
  /** Rules over the raw mapping, reported with the record's own problems whether or not its keys are valid. */
  readonly rules?: (raw: Record<string, unknown>) => readonly Problem[];
  /** Once every key is valid: rules over the values. */
  readonly check?: (p: never, raw: Record<string, unknown>) => readonly Problem[];
  /** The runtime shape of the values. */
  readonly finish?: (p: never, raw: Record<string, unknown>) => T;
}

export interface OneOf<T = unknown, O extends boolean = boolean> extends Base<T, O> {
  readonly kind: 'oneOf';
  /** The key whose value names the variant, if there is one (for the reference). */
  readonly by?: string;
  readonly variants: Readonly<Record<string, Decl>>;
  /** Which variant checks `raw` (and with what input), or the final result. */
  readonly pick: (raw: unknown) => { readonly use: string; readonly input?: unknown } | Checked<unknown>;
  readonly finish?: (value: never) => T;
}

export interface ListOf<T = unknown, O extends boolean = boolean> extends Base<T, O> {
  readonly kind: 'list';
  readonly item: Decl;
  /**
   * An item's value depends on the item alone: one with the same content as a valid one before is not checked again.
   */
  readonly remember?: boolean;
  readonly notList: (raw: unknown) => string;
  /** Rules over the valid items (with their indices) and the raw mapping the list is in. */
  readonly rules?: (items: never, parent: Record<string, unknown>) => readonly Problem[];
  readonly finish?: (items: never) => T;
}

export interface MapOf<T = unknown, O extends boolean = boolean> extends Base<T, O> {
  readonly kind: 'map';
  /** For the reference: what a key is (`unit id 0..255`), and its editor-schema pattern. */
  readonly keyDoc: string;
  readonly keyPattern?: string;
  /** A key's value, and what is wrong with it (a problem at the key; without a value the entry is skipped). */
  readonly key: (k: string) => { readonly value?: unknown; readonly error?: string };
  readonly value: Decl;
  readonly notMap: (raw: unknown) => string;
  readonly nonEmpty?: boolean;
  readonly finish: (entries: never) => T;
}

export type Decl = Leaf | Section | RecordDecl | OneOf | ListOf | MapOf;

/** The validated value of a declaration. */
export type Infer<D> = D extends { readonly __type?: infer T } ? T : never;

type IsOptional<D> = D extends { readonly optional: true } ? true : false;
type Simplify<T> = { [k in keyof T]: T[k] } & {};

/** The validated values of a set of keys: every key with a default is present. */
export type Props<K extends Keys> = Simplify<
  { readonly [k in keyof K as IsOptional<K[k]> extends true ? never : k]: Infer<K[k]> } & {
    readonly [k in keyof K as IsOptional<K[k]> extends true ? k : never]?: Infer<K[k]>;
  }
>;

/** T, once known; keeps a builder's result type from being inferred from where it is used. */
type Defer<T> = [T][T extends unknown ? 0 : never];

/** Whether a key with these options may be left out. */
export type Opt<O> = O extends { readonly required: true }
  ? false
  : O extends { readonly default: infer D }
    ? undefined extends D
      ? true
      : false
    : true;

export const isOptional = (o: Opts): boolean => o.required !== true && o.default === undefined;

export const section = <const K extends Keys>(doc: string, keys: K): Section<K, false> => ({
  kind: 'section',
  doc,
  keys,
  optional: false,
});

/** A section that may be left out: absent (or blank), its value is undefined and no defaults apply. */
export const optionalSection = <const K extends Keys>(doc: string, keys: K): Section<K, true> => ({
  kind: 'section',
  doc,
  keys,
  optional: true,
});

type Hooks<K extends Keys, T> = Pick<RecordDecl, 'pre' | 'rules'> & {
  readonly check?: (p: Props<K>, raw: Record<string, unknown>) => readonly Problem[];
  readonly finish?: (p: Props<K>, raw: Record<string, unknown>) => T;
};

export function record<const K extends Keys, T = Props<K>, const O extends Opts = Opts>(
  o: O,
  keys: K,
  hooks: Hooks<K, T> = {},
): RecordDecl<Defer<T>, Opt<O>> {
  return { kind: 'record', keys, ...(hooks as object), ...o, optional: isOptional(o) as Opt<O> };
}

type Without<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The union of the variants' values, each tagged with its name under `by`. */
export type Variants<V extends Readonly<Record<string, Decl>>, B extends string | undefined = undefined> = {
  [k in keyof V]: B extends string ? Without<Infer<V[k]>, B> & { readonly [_ in B]: k } : Infer<V[k]>;
}[keyof V];

export function oneOf<
  const V extends Readonly<Record<string, Decl>>,
  T,
  const B extends string | undefined = undefined,
  const O extends Opts = Opts,
>(
  o: O & { readonly by?: B },
  variants: V,
  pick: OneOf['pick'],
  finish: (value: Variants<V, B>) => T,
): OneOf<Defer<T>, Opt<O>> {
  return { kind: 'oneOf', variants, pick, finish, ...o, optional: isOptional(o) as Opt<O> };
}

export function listOf<const I extends Decl, T = readonly Infer<I>[], const O extends Opts = Opts>(
  o: O &
    Pick<ListOf, 'notList' | 'remember'> & {
      readonly rules?: (
        items: readonly (readonly [number, Infer<I>])[],
        parent: Record<string, unknown>,
      ) => readonly Problem[];
      readonly finish?: (items: Infer<I>[]) => T;
    },
  item: I,
): ListOf<Defer<T>, Opt<O>> {
  return { ...(o as unknown as ListOf<T>), kind: 'list', item, optional: isOptional(o) as Opt<O> };
}

export function mapOf<const V extends Decl, K, T, const O extends Opts = Opts>(
  o: O &
    Pick<MapOf, 'keyDoc' | 'keyPattern' | 'notMap' | 'nonEmpty'> & {
      readonly key: (k: string) => { readonly value?: K; readonly error?: string };
      readonly finish: (entries: [K, Infer<V>][]) => T;
    },
  value: V,
): MapOf<Defer<T>, Opt<O>> {
  return { ...(o as unknown as MapOf<T>), kind: 'map', value, optional: isOptional(o) as Opt<O> };
}

/** `d`, required where it is used. */
export const required = <const D extends Decl>(d: D) =>
  ({ ...d, required: true, optional: false }) as Omit<D, 'optional'> & { readonly optional: false };
