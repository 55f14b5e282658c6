/**
 * Addresses as written in the file: host:port, hosts, ports, IP addresses and CIDR blocks.
 * Pure parsing; the messages say what is wrong and what is allowed.
 */
import { isIP, isIPv6 } from 'node:net';
import { show, type Parsed } from './issues.js';
import type { Endpoint } from './types.js';

const LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;

/** An IPv4/IPv6 literal or a DNS host name (no brackets, no port). */
export function isHost(s: string): boolean {
  if (isIP(s) !== 0) return true;
  if (s.length === 0 || s.length > 253) return false;
  const labels = s.split('.');
  if (labels.every((l) => /^\d+$/.test(l))) return false; // looks like IPv4 but is not one
  return labels.every((l) => LABEL.test(l));
}

/** A whole number written as digits (a YAML key is a string), within min..max. */
export function parseWhole(v: unknown, min: number, max: number): number | undefined {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= min && n <= max ? n : undefined;
}

/** A listen address: `host:port`, `[v6]:port`, or a host alone (`0.0.0.0`, `[::]`, `::`). */
export interface ListenAddress {
  readonly host: string;
  readonly port?: number;
}

export function parseListen(v: unknown): Parsed<ListenAddress> {
  const bad = `${show(v)} is not host:port with a port in 0..65535`;
  if (typeof v !== 'string') return { error: `${bad} (e.g. 0.0.0.0:502)` };
  const split = splitHostPort(v);
  if (split === undefined) return { error: bad };
  if (!isHost(split.host)) return { error: `${bad}: ${show(split.host)} is not an IP address or host name` };
  if (split.port === undefined) return { value: { host: split.host } };
  const port = parseWhole(split.port, 0, 65535);
  return port === undefined ? { error: bad } : { value: { host: split.host, port } };
}

function splitHostPort(s: string): { host: string; port?: string } | undefined {
  if (s.startsWith('[')) {
    const m = /^\[([^\]]*)\](?::(.*))?$/.exec(s);
    if (m === null || !isIPv6(m[1] ?? '')) return undefined;
    return m[2] === undefined ? { host: m[1] ?? '' } : { host: m[1] ?? '', port: m[2] };
  }
  const colons = s.split(':').length - 1;
  if (colons === 0) return { host: s };
  if (colons > 1) return isIPv6(s) ? { host: s } : undefined; // a bare IPv6 address: no port
  const i = s.indexOf(':');
  return { host: s.slice(0, i), port: s.slice(i + 1) };
}

/** `host:port` where the port is required (the status endpoint). */
export function parseEndpoint(v: unknown): Parsed<Endpoint> {
  const r = parseListen(v);
  if (r.error !== undefined) return r;
  if (r.value.port === undefined)
    return { error: `${show(v)} is not host:port with a port in 0..65535 (the port is missing)` };
  return { value: { host: r.value.host, port: r.value.port } };
}

/** A host to connect to (a device): no port, no brackets. */
export function checkHost(v: unknown): string | undefined {
  if (typeof v === 'string' && isHost(v)) return undefined;
  if (typeof v === 'string' && parseEndpoint(v).error === undefined) {
    return `${show(v)} is host:port: write the host alone here and the port under port`;
  }
  return `${show(v)} is not an IP address or host name`;
}

/** An IP address, e.g. a pool port's client. */
export function checkIp(v: unknown): string | undefined {
  return typeof v === 'string' && isIP(v) !== 0
    ? undefined
    : `${show(v)} is not an IP address (e.g. 192.168.250.11 or fe80::1)`;
}

/** An `allow` entry: an IP address or a CIDR block. */
export function checkAllowEntry(v: unknown): string | undefined {
  const bad = `${show(v)} is not an IP address or CIDR block (e.g. 192.168.10.0/24, 127.0.0.1, ::1, fe80::/10)`;
  if (typeof v !== 'string') return bad;
  const [address = '', prefix, extra] = v.split('/');
  if (extra !== undefined) return bad;
  const family = isIP(address);
  if (family === 0) return bad;
  if (prefix === undefined) return undefined;
  const bits = family === 4 ? 32 : 128;
  return parseWhole(prefix, 0, bits) === undefined ? `${bad}: the prefix length is 0..${bits}` : undefined;
}

/** Hosts compare as literals (names are not resolved); IPv6 literals are compared canonically. */
function canonicalHost(host: string): string {
  if (!isIPv6(host)) return host.toLowerCase();
  try {
    return new URL(`http://[${host}]/`).hostname.slice(1, -1);
  } catch {
    return host.toLowerCase(); // a zone id (fe80::1%eth0), which URL does not take
  }
}

/** Whether two bound hosts collide on the same port: `::` overlaps everything, `0.0.0.0` every non-IPv6 host. */
export function hostsOverlap(a: string, b: string): boolean {
  const x = canonicalHost(a);
  const y = canonicalHost(b);
  if (x === y || x === '::' || y === '::') return true;
  if (x === '0.0.0.0') return !isIPv6(y);
  if (y === '0.0.0.0') return !isIPv6(x);
  return false;
}

export function showEndpoint(host: string, port: number): string {
  return isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
}
