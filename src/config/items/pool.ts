/**
 * Port pools (DESIGN §1, Omron style): port -> {} or { client: ADDRESS, units: {...} }, or the
 * range shorthand "9601-9608". Each port entry is validated with its own convict schema (strict).
 */
import { parseWhole } from '../address.js';
import type { SchemaDef } from '../convict-bridge.js';
import { IP, NAME } from '../formats.js';
import { failed, isMapping, must, ok, problem, show, under, type Checked, type Parsed, type Problem } from '../issues.js';
import { runSchema } from '../run-schema.js';
import type { PoolPort } from '../types.js';
import { checkUnitMap, unitMapProblems } from './units.js';

/** A pool larger than this is almost certainly a typo in a range. */
export const MAX_POOL_PORTS = 1024;

export const POOL_PORT: SchemaDef = {
  client: {
    doc: 'only this client IP address may hold the port (omit: any allowed client)',
    format: IP,
    default: undefined,
  },
  units: {
    doc: "unit map for sessions on this port, taking precedence over the server's: unit id -> { bank } or { device, unit }",
    format: Object,
    default: null,
    nullable: true,
    check: unitMapProblems,
  },
  bank: {
    doc: 'raw servers that decode frames: the bank the frames of this port land in (several boards of one kind, a bank each)',
    format: NAME,
    default: undefined,
  },
};

interface PoolPortProps {
  client?: string;
  bank?: string;
  units: Record<string, unknown> | null;
}

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

export function checkPool(raw: unknown): Checked<PoolPort[]> {
  if (!isMapping(raw) || Object.keys(raw).length === 0) {
    return failed([problem([], `${show(raw)} is not a port pool: write port: {} or port: { client: ADDRESS, units: {...} } per port, or a range "9601-9608"`)]);
  }
  const problems: Problem[] = [];
  const ports: PoolPort[] = [];
  for (const [key, entry] of Object.entries(raw)) {
    const port = parseWhole(key, 1, 65535);
    if (port === undefined) {
      problems.push(problem([key], `${show(key)} is not a port: pool ports are 1..65535`, 'key'));
      continue;
    }
    const checked = checkPoolPort(port, entry);
    problems.push(...under([key], checked.problems));
    if (checked.value !== undefined) ports.push(checked.value);
  }
  return problems.length > 0 ? failed(problems) : ok(ports);
}

export function poolProblems(raw: unknown): readonly Problem[] {
  return checkPool(raw).problems;
}

function checkPoolPort(port: number, entry: unknown): Checked<PoolPort> {
  if (entry === null || (isMapping(entry) && Object.keys(entry).length === 0)) return ok({ port }); // `9603:` or `9603: {}`
  if (!isMapping(entry)) {
    return failed([problem([], `${show(entry)} is not a pool port: write {} or { client: ADDRESS, units: {...} }`)]);
  }
  const checked = runSchema<PoolPortProps>(POOL_PORT, entry);
  if (checked.value === undefined) return failed(checked.problems);
  const { client, units, bank } = checked.value;
  return ok({
    port,
    ...(client !== undefined ? { client } : {}),
    ...(bank !== undefined ? { bank } : {}),
    ...(units !== null ? { units: must(checkUnitMap(units)) } : {}),
  });
}
