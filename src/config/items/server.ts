/**
 * One `servers` item. Only `protocol: modbus` exists in this version. The item is validated with
 * its own convict schema (strict), then the rules that tie its keys together.
 */
import { parseListen } from '../address.js';
import type { SchemaDef } from '../convict-bridge.js';
import { durationMs } from '../duration.js';
import { ALLOW, BOOL, CHOICE, DURATION, INT, LISTEN, NAME } from '../formats.js';
import { failed, isMapping, must, ok, problem, show, type Checked, type Problem } from '../issues.js';
import { runSchema } from '../run-schema.js';
import type { ModbusServerConfig, OnBusy } from '../types.js';
import { checkPool, expandPortRange, poolProblems } from './pool.js';
import { checkUnitMap, unitMapProblems } from './units.js';
import { PROTOCOL, RAW_REFUSED, serverRules } from './server-rules.js';

export const ON_BUSY: readonly OnBusy[] = ['reject', 'replace', 'replace-same-client'];

export const SERVER: SchemaDef = {
  name: {
    doc: 'unique name of this server, used in logs, status and metrics (letters, digits, _ . -)',
    format: NAME, default: undefined, required: true,
  },
  protocol: { doc: 'what this server speaks: modbus', format: PROTOCOL, default: undefined, required: true },
  listen: {
    doc: 'address to listen on: host:port (port 0 picks a free port; IPv6 as [::1]:1502), or the host alone when ports is given',
    format: LISTEN, default: undefined, required: true,
  },
  ports: {
    doc: 'port pool, one session per port: port -> {} or { client: ADDRESS, units: {...} }, or a range "9601-9608"',
    format: Object, default: null, nullable: true, check: poolProblems,
  },
  onBusy: {
    doc: 'a new connection to a pool port that is held: reject | replace | replace-same-client',
    format: CHOICE, values: ON_BUSY, default: 'replace-same-client',
  },
  maxClients: { doc: 'sessions at once; past this a new connection is closed at once', format: INT, min: 1, default: 32 },
  idleTimeout: { doc: 'close a session that sends nothing this long; 0 = never', format: DURATION, default: '60s' },
  allow: { doc: 'client addresses or CIDR blocks allowed to connect (omit: everyone)', format: ALLOW, default: undefined },
  readOnly: { doc: 'true: every write function is answered with exception 01', format: BOOL, default: false },
  bank: { doc: 'serve every unit id not in units from this bank', format: NAME, default: undefined },
  units: {
    doc: 'unit id (0..255) -> { bank: NAME } or { device: NAME, unit: ID }; an unmapped unit gets exception 0A',
    format: Object, default: null, nullable: true, check: unitMapProblems,
  },
  maxInFlight: { doc: 'requests in flight per session before it stops reading, 1..256', format: INT, min: 1, max: 256, default: 16 },
  sendTimeout: { doc: 'close a session whose replies stay unsent this long', format: DURATION, min: 1, default: '10s' },
  keepAlive: { doc: 'TCP keepalive idle time before the first probe; 0 = off', format: DURATION, default: '30s' },
};

interface ServerProps {
  name: string;
  listen: string;
  ports: Record<string, unknown> | null;
  onBusy: OnBusy;
  maxClients: number;
  idleTimeout: string | number;
  allow?: string[];
  readOnly: boolean;
  bank?: string;
  units: Record<string, unknown> | null;
  maxInFlight: number;
  sendTimeout: string | number;
  keepAlive: string | number;
}

const SHAPE = 'a mapping with name:, protocol: modbus, listen: host:port and bank: or units:';

export function checkServer(raw: unknown): Checked<ModbusServerConfig> {
  if (!isMapping(raw)) return failed([problem([], `${show(raw)} is not a server: write ${SHAPE}`)]);
  if (raw.protocol === 'raw') return failed([problem(['protocol'], RAW_REFUSED)]);
  const problems: Problem[] = [];
  const input = { ...raw };
  if (typeof raw.ports === 'string') {
    const range = expandPortRange(raw.ports);
    if (range.error !== undefined) problems.push(problem(['ports'], range.error));
    if (range.value !== undefined) input.ports = range.value;
    else delete input.ports;
  }
  const checked = runSchema<ServerProps>(SERVER, input);
  problems.push(...checked.problems, ...serverRules(raw));
  if (problems.length > 0 || checked.value === undefined) return failed(problems);
  return ok(buildServer(checked.value));
}

function buildServer(p: ServerProps): ModbusServerConfig {
  const listen = parseListen(p.listen);
  if (listen.error !== undefined) throw new Error(`internal: ${listen.error}`);
  const { host, port } = listen.value;
  return {
    name: p.name,
    protocol: 'modbus',
    host,
    ...(p.ports !== null ? { ports: must(checkPool(p.ports)) } : { port }),
    onBusy: p.onBusy,
    maxClients: p.maxClients,
    idleTimeout: durationMs(p.idleTimeout),
    ...(p.allow !== undefined ? { allow: p.allow } : {}),
    sendTimeout: durationMs(p.sendTimeout),
    keepAlive: durationMs(p.keepAlive),
    readOnly: p.readOnly,
    ...(p.bank !== undefined ? { bank: p.bank } : {}),
    units: p.units !== null ? must(checkUnitMap(p.units)) : new Map(),
    maxInFlight: p.maxInFlight,
  };
}
