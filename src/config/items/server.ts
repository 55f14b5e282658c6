/**
 * One `servers` item. `protocol` picks the schema it is validated with (strict), so a key of the
 * other protocol (framing on a modbus server, bank on a raw one) is an unknown key; then the rules
 * that tie its keys together.
 */
import type { SchemaDef } from '../convict-bridge.js';
import { BOOL, DURATION, INT, NAME } from '../formats.js';
import { failed, isMapping, must, ok, problem, show, type Checked, type Problem } from '../issues.js';
import { runSchema } from '../run-schema.js';
import type { ModbusServerConfig, ServerConfig } from '../types.js';
import { checkRawServer } from './raw-server.js';
import { buildCommon, expandRange, SERVER_COMMON, type CommonProps } from './server-common.js';
import { checkUnitMap, unitMapProblems } from './units.js';
import { serverRules } from './server-rules.js';

export { ON_BUSY } from './server-common.js';

const { sendTimeout: _sendTimeout, keepAlive, ...LISTEN_AND_LIMITS } = SERVER_COMMON;

export const SERVER: SchemaDef = {
  ...LISTEN_AND_LIMITS,
  readOnly: { doc: 'true: only reads pass (FC 1, 2, 3, 4, 20, 43/14); every other function is answered with exception 01', format: BOOL, default: false },
  bank: { doc: 'serve every unit id not in units from this bank', format: NAME, default: undefined },
  units: {
    doc: 'unit id (0..255) -> { bank: NAME } or { device: NAME, unit: ID }; an unmapped unit gets exception 0A',
    format: Object, default: null, nullable: true, check: unitMapProblems,
  },
  maxInFlight: { doc: 'requests in flight per session before it stops reading, 1..256', format: INT, min: 1, max: 256, default: 16 },
  sendTimeout: { doc: 'close a session whose replies stay unsent this long', format: DURATION, min: 1, default: '10s' },
  keepAlive: keepAlive as SchemaDef[string],
};

interface ServerProps extends CommonProps {
  readOnly: boolean;
  bank?: string;
  units: Record<string, unknown> | null;
  maxInFlight: number;
}

const SHAPE = 'a mapping with name:, protocol: modbus or raw, listen: host:port, and what it serves';

export function checkServer(raw: unknown): Checked<ServerConfig> {
  if (!isMapping(raw)) return failed([problem([], `${show(raw)} is not a server: write ${SHAPE}`)]);
  if (raw.protocol === 'raw') return checkRawServer(raw);
  const { input, problems } = expandRange(raw);
  const checked = runSchema<ServerProps>(SERVER, input);
  const all: Problem[] = [...problems, ...checked.problems, ...serverRules(raw)];
  if (all.length > 0 || checked.value === undefined) return failed(all);
  return ok(buildServer(checked.value, raw));
}

function buildServer(p: ServerProps, raw: Record<string, unknown>): ModbusServerConfig {
  return {
    ...buildCommon(p, raw),
    protocol: 'modbus',
    readOnly: p.readOnly,
    ...(p.bank !== undefined ? { bank: p.bank } : {}),
    units: p.units !== null ? must(checkUnitMap(p.units)) : new Map(),
    maxInFlight: p.maxInFlight,
  };
}
