/**
 * The keys every server has, whatever its protocol: where it listens (one port or a pool), who may
 * connect, and the bounds of its sessions. Each protocol adds its own keys (server.ts, raw-server.ts).
 */
import { parseListen } from '../address.js';
import type { SchemaDef } from '../convict-bridge.js';
import { durationMs } from '../duration.js';
import { ALLOW, CHOICE, DURATION, INT, LISTEN, NAME } from '../formats.js';
import { must, problem, type Problem } from '../issues.js';
import type { OnBusy, ServerCommon } from '../types.js';
import { checkPool, expandPortRange, poolProblems } from './pool.js';
import { PROTOCOL } from './server-rules.js';

export const ON_BUSY: readonly OnBusy[] = ['reject', 'replace', 'replace-same-client'];

export const SERVER_COMMON: SchemaDef = {
  name: {
    doc: 'unique name of this server, used in logs, status and metrics (letters, digits, _ . -)',
    format: NAME, default: undefined, required: true,
  },
  protocol: { doc: 'what this server speaks: modbus | raw', format: PROTOCOL, default: undefined, required: true },
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
  maxClients: {
    doc: 'sessions at once (default 32, or the number of pool ports when larger); past this a new connection is closed at once',
    format: INT, min: 1, default: 32,
  },
  idleTimeout: { doc: 'close a session that sends nothing this long; 0 = never', format: DURATION, default: '60s' },
  allow: { doc: 'client addresses or CIDR blocks allowed to connect (omit: everyone)', format: ALLOW, default: undefined },
  sendTimeout: { doc: 'close a session whose output stays unsent this long', format: DURATION, min: 1, default: '10s' },
  keepAlive: { doc: 'TCP keepalive idle time before the first probe; 0 = off', format: DURATION, default: '30s' },
};

/** What convict returns for SERVER_COMMON. */
export interface CommonProps {
  name: string;
  listen: string;
  ports: Record<string, unknown> | null;
  onBusy: OnBusy;
  maxClients: number;
  idleTimeout: string | number;
  allow?: string[];
  sendTimeout: string | number;
  keepAlive: string | number;
}

/** The item as convict should see it: a port range becomes the mapping form. */
export function expandRange(raw: Record<string, unknown>): { input: Record<string, unknown>; problems: Problem[] } {
  const input = { ...raw };
  if (typeof raw.ports !== 'string') return { input, problems: [] };
  const range = expandPortRange(raw.ports);
  if (range.value !== undefined) input.ports = range.value;
  else delete input.ports;
  return { input, problems: range.error !== undefined ? [problem(['ports'], range.error)] : [] };
}

/** `raw`: the item as written (a pool's default maxClients depends on whether it was given). */
export function buildCommon(p: CommonProps, raw: Record<string, unknown>): ServerCommon {
  const listen = parseListen(p.listen);
  if (listen.error !== undefined) throw new Error(`internal: ${listen.error}`);
  const { host, port } = listen.value;
  const ports = p.ports !== null ? must(checkPool(p.ports)) : undefined;
  // a pool of more ports than the default limit can hold a session on each of them
  const maxClients = ports && raw.maxClients == null ? Math.max(p.maxClients, ports.length) : p.maxClients;
  return {
    name: p.name,
    host,
    ...(ports !== undefined ? { ports } : { port }),
    onBusy: p.onBusy,
    maxClients,
    idleTimeout: durationMs(p.idleTimeout),
    ...(p.allow !== undefined ? { allow: p.allow } : {}),
    sendTimeout: durationMs(p.sendTimeout),
    keepAlive: durationMs(p.keepAlive),
  };
}
