/**
 * How fieldgate uses convict. Every format is one of ours (`defineFormat`), so that:
 * - no value is coerced (convict turns strings into numbers, booleans or JSON for its own formats;
 *   a YAML file must say what it means);
 * - a failing format reports structured problems: the error it throws is also pushed on the capture
 *   frame of the running validation, and convict stamps it with the key (`fullName`), so nothing is
 *   recovered by parsing convict's joined message.
 * A leaf whose value is a mapping of the user's own keys (banks, units, ports, ...) uses convict's
 * `Object` format with `default: null, nullable: true`, and names its check in `check`; convict only
 * ever sees `{}` there (see prepare.ts: convict cannot walk arbitrary keys).
 */
import convict from 'convict';
import type { Problem } from './issues.js';

/** Checks a present value: a message, or problems relative to the value, or nothing when valid. */
export type Check = (value: unknown, node: Leaf) => string | readonly Problem[] | undefined;

/** One configurable key: a convict schema property plus fieldgate's own limits. */
export interface Leaf {
  readonly doc: string;
  readonly format: string | ObjectConstructor;
  readonly default: unknown;
  /** Missing is an error (reported at the parent's position). */
  readonly required?: boolean;
  /** A blank value (`key:` with nothing after it) means "absent" instead of being an error. */
  readonly blankIsAbsent?: boolean;
  readonly min?: number;
  readonly max?: number;
  readonly values?: readonly (string | number)[];
  /** For `format: Object` leaves: checks the mapping (convict only knows it is an object). */
  readonly check?: Check;
  /** A `format: Object` leaf that also takes a scalar (`handler: echo`); `check` handles both. */
  readonly scalarToo?: boolean;
  /** convict: null passes the format (the absent value of a mapping leaf). */
  readonly nullable?: boolean;
}

export interface SchemaDef {
  readonly [key: string]: Leaf | SchemaDef;
}

export function isLeaf(node: Leaf | SchemaDef): node is Leaf {
  return Object.hasOwn(node, 'default');
}

export function isMapLeaf(node: Leaf): boolean {
  return node.format === Object;
}

/** A format failure, carrying its problems; convict adds `fullName` (the key) when it catches it. */
export class FormatFailure extends Error {
  fullName?: string;
  constructor(readonly problems: readonly Problem[]) {
    super(problems.map((p) => p.message).join('; '));
  }
}

const checks = new Map<string, Check>();
const frames: FormatFailure[][] = [];

export function asProblems(found: ReturnType<Check>): readonly Problem[] {
  if (found === undefined) return [];
  return typeof found === 'string' ? [{ path: [], message: found }] : found;
}

/** Registers a convict format named `name` (prefix them: convict's registry is global) and returns the name. */
export function defineFormat(name: string, check: Check): string {
  checks.set(name, check);
  convict.addFormat({
    name,
    validate(value: unknown, node: convict.SchemaObj) {
      if (value === undefined || value === null) return;
      const problems = asProblems(check(value, node as unknown as Leaf));
      if (problems.length === 0) return;
      const failure = new FormatFailure(problems);
      frames.at(-1)?.push(failure);
      throw failure;
    },
  });
  return name;
}

/** Runs a leaf's check outside convict (used for values convict must not see, such as a mapping). */
export function checkLeaf(node: Leaf, value: unknown): readonly Problem[] {
  const check = node.check ?? (typeof node.format === 'string' ? checks.get(node.format) : undefined);
  return check ? asProblems(check(value, node)) : [];
}

/** Runs `validate` with a fresh capture frame; returns the failures of our formats and convict's message. */
export function captureFailures(validate: () => void): { failures: FormatFailure[]; message: string } {
  const failures: FormatFailure[] = [];
  frames.push(failures);
  try {
    validate();
    return { failures, message: '' };
  } catch (err) {
    return { failures, message: err instanceof Error ? err.message : String(err) };
  } finally {
    frames.pop();
  }
}
