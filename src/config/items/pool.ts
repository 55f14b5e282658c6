/**
 * Port pools (Omron style, one session per port): port -> {} or { client: ADDRESS, units: {...} },
 * or the range shorthand "9601-9608" (expanded by the server before its keys are checked).
 */
import { parseWhole } from '../address.js';
import { mapOf, record } from '../declare/kit.js';
import { ip, name } from '../declare/leaves.js';
import { failed, isMapping, ok, problem, show, type Parsed } from '../issues.js';
import { UNIT_MAP } from './units.js';

/** A pool larger than this is almost certainly a typo in a range. */
export const MAX_POOL_PORTS = 1024;

export const POOL_PORT = record(
  { doc: 'one port of the pool' },
  {
    client: ip({
      doc: 'only this client IP address may hold the port (omit: any allowed client)',
      example: '192.168.250.11',
    }),
    units: {
      ...UNIT_MAP,
      doc: "unit map for sessions on this port, taking precedence over the server's: unit id -> { bank } or { device, unit }",
    },
    bank: name({
      doc: 'raw servers that decode frames: the bank the frames of this port land in (several boards of one kind, a bank each)',
    }),
  },
  {
    pre: (raw) => {
      if (raw === null || (isMapping(raw) && Object.keys(raw).length === 0)) return ok({}); // `9603:` or `9603: {}`
      return isMapping(raw)
        ? { input: raw }
        : failed([problem([], `${show(raw)} is not a pool port: write {} or { client: ADDRESS, units: {...} }`)]);
    },
  },
);

export const POOL = mapOf(
  {
    doc: 'port pool, one session per port: port -> {} or { client: ADDRESS, units: {...} }, or a range "9601-9608"',
    keyDoc: 'port 1..65535',
    keyPattern: '^\\d+$',
    nonEmpty: true,
    key: (k) => {
      const port = parseWhole(k, 1, 65535);
      return port === undefined ? { error: `${show(k)} is not a port: pool ports are 1..65535` } : { value: port };
    },
    notMap: (raw) =>
      `${show(raw)} is not a port pool: write port: {} or port: { client: ADDRESS, units: {...} } per port, or a range "9601-9608"`,
    finish: (entries) => entries.map(([port, entry]) => ({ port, ...entry })),
  },
  POOL_PORT,
);

/** "9601-9608" -> the mapping form, { 9601: {}, ..., 9608: {} }. */
export function expandPortRange(v: string): Parsed<Record<string, Record<string, never>>> {
  const m = /^(\d+)\s*-\s*(\d+)$/.exec(v);
  const first = parseWhole(m?.[1], 1, 65535);
  const last = parseWhole(m?.[2], 1, 65535);
  if (first === undefined || last === undefined || last < first) {
    return { error: `${show(v)} is not a port range: write FIRST-LAST with ports in 1..65535, e.g. "9601-9608"` };
  }
  if (last - first + 1 > MAX_POOL_PORTS) {
    return { error: `${show(v)} is ${last - first + 1} ports: a pool holds at most ${MAX_POOL_PORTS}` };
  }
  const ports: Record<string, Record<string, never>> = {};
  for (let port = first; port <= last; port++) ports[String(port)] = {};
  return { value: ports };
}
