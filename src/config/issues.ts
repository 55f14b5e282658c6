/**
 * Problems found while checking a config, before they get a file position, and how they are shown.
 * A check works on one value and reports paths relative to it; the caller prefixes its own path
 * (`under`), so the same item check serves `servers[0]` and `servers[7]`.
 */
import type { ConfigIssue } from './types.js';

/** Keys and list indices from the value being checked down to the problem. */
export type Path = readonly (string | number)[];

export interface Problem {
  readonly path: Path;
  readonly message: string;
  /** Point at the key itself (an unknown key, a bad unit id) rather than at its value. */
  readonly at?: 'key';
}

/** The result of checking a value: the normalized value, present only when there is no problem. */
export interface Checked<T> {
  readonly problems: readonly Problem[];
  readonly value?: T;
}

/** A parsed value, or what is wrong with the input. */
export type Parsed<T> =
  { readonly value: T; readonly error?: undefined } | { readonly value?: undefined; readonly error: string };

export function problem(path: Path, message: string, at?: 'key'): Problem {
  return at ? { path, message, at } : { path, message };
}

export function ok<T>(value: T): Checked<T> {
  return { problems: [], value };
}

export function failed<T>(problems: readonly Problem[]): Checked<T> {
  return { problems };
}

/** Prefix every problem's path with `prefix`. */
export function under(prefix: Path, problems: readonly Problem[]): Problem[] {
  return problems.map((p) => ({ ...p, path: [...prefix, ...p.path] }));
}

export function isMapping(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A value as a person would recognise it in a message. */
export function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return 'an empty value';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  return typeof v === 'number' || typeof v === 'boolean' ? String(v) : typeof v; // YAML holds nothing else
}

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/** `servers[1].listen`, `banks.plant.values.holding.100`, `banks["my bank"]`. */
export function formatPath(path: Path): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (PLAIN_KEY.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

/** `FILE:LINE:COL: KEY: MESSAGE`; the position is left out when unknown (0), the key when empty. */
export function formatIssue(i: ConfigIssue): string {
  const where = i.line > 0 ? `${i.file}:${i.line}:${i.col}` : i.file;
  return i.key === '' ? `${where}: ${i.message}` : `${where}: ${i.key}: ${i.message}`;
}
