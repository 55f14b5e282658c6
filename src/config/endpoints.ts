/**
 * Listeners that cannot both be bound: two servers, pool ports or the status endpoint on the same
 * port of overlapping hosts (0.0.0.0 covers every IPv4 host, :: every host). Port 0 never collides.
 */
import { hostsOverlap, parseListen, parseWhole, showEndpoint } from './address.js';
import type { Where } from './cross-checks.js';
import { formatPath, isMapping, problem, type Path, type Problem } from './issues.js';
import { expandPortRange } from './items/pool.js';

interface Bound {
  readonly host: string;
  readonly port: number;
  readonly path: Path;
  readonly at?: 'key';
}

export function collisions(top: Record<string, unknown>, where: Where): Problem[] {
  const bound = [...statusEndpoint(top.status), ...serverEndpoints(top.servers)].filter((b) => b.port !== 0);
  const problems: Problem[] = [];
  const reported = new Set<string>();
  bound.forEach((b, j) => {
    const other = bound.slice(0, j).find((a) => a.port === b.port && hostsOverlap(a.host, b.host));
    const pair = other && `${formatPath(b.path)} ${formatPath(other.path)}`;
    if (other === undefined || pair === undefined || reported.has(pair)) return; // a range reports once
    reported.add(pair);
    const message = `${showEndpoint(b.host, b.port)} is already used by ${formatPath(other.path)} (${showEndpoint(other.host, other.port)}, ${where(other.path)})`;
    problems.push(problem(b.path, message, b.at));
  });
  return problems;
}

function statusEndpoint(status: unknown): Bound[] {
  if (!isMapping(status)) return [];
  const listen = parseListen(status.listen);
  if (listen.error !== undefined || listen.value.port === undefined) return [];
  return [{ host: listen.value.host, port: listen.value.port, path: ['status', 'listen'] }];
}

function serverEndpoints(servers: unknown): Bound[] {
  if (!Array.isArray(servers)) return [];
  return servers.flatMap((server: unknown, i): Bound[] => {
    if (!isMapping(server)) return [];
    const listen = parseListen(server.listen);
    if (listen.error !== undefined) return [];
    const { host, port } = listen.value;
    if (server.ports == null) return port === undefined ? [] : [{ host, port, path: ['servers', i, 'listen'] }];
    return poolEndpoints(host, server.ports, ['servers', i, 'ports']);
  });
}

function poolEndpoints(host: string, ports: unknown, path: Path): Bound[] {
  if (typeof ports === 'string') {
    const range = expandPortRange(ports);
    return range.error !== undefined ? [] : Object.keys(range.value).map((p) => ({ host, port: Number(p), path }));
  }
  if (!isMapping(ports)) return [];
  return Object.keys(ports).flatMap((key) => {
    const port = parseWhole(key, 1, 65535);
    return port === undefined ? [] : [{ host, port, path: [...path, key], at: 'key' as const }];
  });
}
