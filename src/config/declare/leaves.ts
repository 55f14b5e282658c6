/**
 * The kinds of leaf (one value): each is a check with its limits, the runtime form of a valid value,
 * its type as the reference names it, and its editor schema. `o.min`/`o.max`/`o.values` are both the
 * check's limits and what the reference shows.
 */
import {
  checkAllowEntry,
  checkHost,
  checkIp,
  parseEndpoint,
  parseListen,
  parseWhole,
  type ListenAddress,
} from '../address.js';
import { durationMs, parseDuration } from '../duration.js';
import { problem, show, type Problem } from '../issues.js';
import { parseSize, showSize, sizeBytes } from '../size.js';
import type { Endpoint } from '../types.js';
import { isOptional, type Json, type Leaf, type Opt, type Opts, type Verdict } from './kit.js';

interface Limits {
  readonly min?: number;
  readonly max?: number;
}

/** A valid value as it is, typed. */
export const as =
  <T>() =>
  (v: unknown): T =>
    v as T;

/** A leaf of type `type` (for the reference) with a check; `parse` turns a valid value into its runtime form. */
export function leaf<T, const O extends Opts = Opts>(
  o: O,
  type: string,
  json: Json,
  check: (v: unknown) => Verdict,
  parse: (v: unknown) => T,
  limits?: string,
): Leaf<T, Opt<O>> {
  const def = o.default === undefined ? {} : { default: o.default };
  return {
    kind: 'leaf',
    type,
    json: { ...json, description: o.doc, ...def, ...(o.example !== undefined ? { examples: [o.example] } : {}) },
    check,
    parse,
    ...(limits ? { limits } : {}),
    ...o,
    optional: isOptional(o) as Opt<O>,
  };
}

function range({ min, max }: Limits): string {
  if (min !== undefined && max !== undefined) return `in ${min}..${max}`;
  if (min !== undefined) return `of at least ${min}`;
  return max !== undefined ? `of at most ${max}` : '';
}

const bounds = ({ min, max }: Limits): Json => ({
  ...(min !== undefined ? { minimum: min } : {}),
  ...(max !== undefined ? { maximum: max } : {}),
});
const limitsOf = ({ min, max }: Limits, show: (n: number) => string = String): string | undefined =>
  min !== undefined && max !== undefined
    ? `${show(min)}..${show(max)}`
    : min !== undefined
      ? `at least ${show(min)}`
      : max !== undefined
        ? `at most ${show(max)}`
        : undefined;

export const NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;

export function checkName(v: unknown): string | undefined {
  if (typeof v === 'string' && NAME_PATTERN.test(v)) return undefined;
  const quote = typeof v === 'number' ? ` (write it in quotes: "${v}")` : '';
  return `${show(v)} is not a valid name: use letters, digits, _ . - only${quote}`;
}

export const int = <const O extends Opts & Limits>(o: O) =>
  leaf(
    o,
    'integer',
    { type: 'integer', ...bounds(o) },
    (v) => {
      const inRange =
        typeof v === 'number' &&
        Number.isInteger(v) &&
        (o.min === undefined || v >= o.min) &&
        (o.max === undefined || v <= o.max);
      return inRange ? undefined : `${show(v)} is not a whole number ${range(o)}`.trimEnd();
    },
    as<number>(),
    limitsOf(o),
  );

export const choice = <const V extends string | number, const O extends Opts>(values: readonly V[], o: O) =>
  leaf(
    o,
    `${values.join(' | ')}`,
    { enum: values },
    (v) => (values.includes(v as V) ? undefined : `${show(v)} is not one of ${values.join(', ')}`),
    as<V>(),
  );

export const text = <const O extends Opts>(o: O) =>
  leaf(
    o,
    'text',
    { type: 'string', minLength: 1 },
    (v) => {
      if (typeof v === 'string' && v.trim() !== '') return undefined;
      return typeof v === 'string'
        ? 'is empty: write some text'
        : `${show(v)} is not text (write it in quotes: "${String(v)}")`;
    },
    as<string>(),
  );

export const name = <const O extends Opts>(o: O) =>
  leaf(o, 'name', { type: 'string', pattern: NAME_PATTERN.source }, checkName, as<string>());

export const number = <const O extends Opts>(o: O) =>
  leaf(
    o,
    'number',
    { type: 'number' },
    (v) => (typeof v === 'number' && Number.isFinite(v) ? undefined : `${show(v)} is not a number`),
    as<number>(),
  );

export const bool = <const O extends Opts>(o: O) =>
  leaf(
    o,
    'true | false',
    { type: 'boolean' },
    (v) => (typeof v === 'boolean' ? undefined : `${show(v)} is not true or false`),
    as<boolean>(),
  );

export const fraction = <const O extends Opts>(o: O) =>
  leaf(
    o,
    'fraction',
    { type: 'number', minimum: 0, maximum: 1 },
    (v) =>
      typeof v === 'number' && v >= 0 && v <= 1 ? undefined : `${show(v)} is not a fraction from 0 to 1 (e.g. 0.2)`,
    as<number>(),
    '0..1',
  );

/** Anything: the record's own rules check it. */
export const any = <T, const O extends Opts>(o: O, type: string, parse: (v: unknown) => T) =>
  leaf(o, type, {}, () => undefined, parse);

/** "250ms", "5s", "2m", "1h" or a number of milliseconds; the value is in ms. */
export const duration = <const O extends Opts & { readonly min?: number }>(o: O) =>
  leaf(
    o,
    'duration',
    {
      anyOf: [
        { type: 'string', pattern: '^\\d+(\\.\\d+)?(ms|s|m|h)$' },
        { type: 'integer', minimum: 0 },
      ],
    },
    (v) => {
      const r = parseDuration(v);
      if (r.error !== undefined) return r.error;
      return o.min !== undefined && r.value < o.min ? `${show(v)} is too short: at least ${o.min} ms` : undefined;
    },
    durationMs,
    limitsOf(o, (n) => `${n} ms`),
  );

/** A number of bytes, or "64KiB", "1MiB", "1GiB"; the value is in bytes. */
export const size = <const O extends Opts & Limits>(o: O) =>
  leaf(
    o,
    'size',
    {
      anyOf: [
        { type: 'string', pattern: '^\\d+(\\.\\d+)?\\s*(B|KiB|MiB|GiB)$' },
        { type: 'integer', minimum: 0 },
      ],
    },
    (v) => {
      const r = parseSize(v);
      if (r.error !== undefined) return r.error;
      if (o.min !== undefined && r.value < o.min) return `${show(v)} is too small: at least ${o.min} bytes`;
      return o.max !== undefined && r.value > o.max ? `${show(v)} is too large: at most ${o.max} bytes` : undefined;
    },
    sizeBytes,
    limitsOf(o, showSize),
  );

/** `host:port`, or the host alone (a port pool's listen). */
export const listen = <const O extends Opts>(o: O) =>
  leaf(
    o,
    'host:port',
    { type: 'string' },
    (v) => parseListen(v).error,
    (v) => parseListen(v).value as ListenAddress,
  );

export const endpoint = <const O extends Opts>(o: O) =>
  leaf(
    o,
    'host:port',
    { type: 'string' },
    (v) => parseEndpoint(v).error,
    (v) => parseEndpoint(v).value as Endpoint,
  );

export const host = <const O extends Opts>(o: O) => leaf(o, 'host', { type: 'string' }, checkHost, as<string>());

export const ip = <const O extends Opts>(o: O) => leaf(o, 'IP address', { type: 'string' }, checkIp, as<string>());

export const allow = <const O extends Opts>(o: O) =>
  leaf(
    o,
    'list of addresses',
    { type: 'array', items: { type: 'string' }, minItems: 1 },
    (v) => {
      if (!Array.isArray(v))
        return `${show(v)} is not a list: write addresses or CIDR blocks in brackets, e.g. [192.168.10.0/24, 127.0.0.1]`;
      if (v.length === 0) return 'is an empty list, which would refuse every client: omit allow to accept everyone';
      return v.flatMap((entry: unknown, j): Problem[] => {
        const error = checkAllowEntry(entry);
        return error === undefined ? [] : [problem([j], error)];
      });
    },
    as<readonly string[]>(),
  );

export const portList = <const O extends Opts>(o: O) =>
  leaf(
    o,
    'list of ports',
    { type: 'array', items: { type: 'integer', minimum: 1, maximum: 65535 }, minItems: 1, uniqueItems: true },
    (v) => {
      if (!Array.isArray(v) || v.length === 0) return `${show(v)} is not a list of ports, e.g. [9601, 9602]`;
      return v.flatMap((port: unknown, j): Problem[] => {
        if (parseWhole(port, 1, 65535) === undefined || typeof port !== 'number')
          return [problem([j], `${show(port)} is not a port: use 1..65535`)];
        return v.indexOf(port) !== j
          ? [problem([j], `port ${port} is listed twice: each port is one connection (lane)`)]
          : [];
      });
    },
    as<readonly number[]>(),
    '1..65535 each',
  );
