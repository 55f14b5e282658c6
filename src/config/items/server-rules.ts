/**
 * Rules that tie a server's keys together. They read the raw item and skip whatever does not parse
 * (its own key already reports that), so they add their findings to the schema's in the same pass.
 */
import { parseListen } from '../address.js';
import type { Pre } from '../declare/kit.js';
import { isMapping, problem, show, type Problem } from '../issues.js';
import { expandPortRange } from './pool.js';

/** The item as its keys are checked: a port range becomes the mapping form. */
export function expandRange(raw: unknown): Pre {
  const input = { ...(raw as Record<string, unknown>) };
  if (typeof input.ports !== 'string') return { input };
  const range = expandPortRange(input.ports);
  if (range.value !== undefined) input.ports = range.value;
  else delete input.ports;
  return { input, problems: range.error !== undefined ? [problem(['ports'], range.error)] : [] };
}

/** A pool takes its ports from `ports`, an ordinary server from `listen`: exactly one of them. */
export function listenRule(raw: Record<string, unknown>): Problem[] {
  const listen = parseListen(raw.listen);
  if (listen.error !== undefined) return [];
  const pool = raw.ports != null;
  const { host, port } = listen.value;
  if (pool && port !== undefined) {
    return [
      problem(
        ['listen'],
        `${show(raw.listen)} carries a port, but this server's ports come from ports: write the host alone (${show(host)})`,
      ),
    ];
  }
  if (!pool && port === undefined) {
    return [
      problem(
        ['listen'],
        `${show(raw.listen)} has no port: write host:port (port 0 picks a free one; IPv6 as [::1]:1502), or list the ports under ports`,
      ),
    ];
  }
  return [];
}

/**
 * A Modbus server listens (listen, or a pool under ports) or is an RTU slave on a serial port
 * (serial): exactly one. What only a TCP server has does not go with serial.
 */
export function serialRule(raw: Record<string, unknown>): Problem[] {
  if (raw.serial == null) {
    return raw.listen == null
      ? [problem([], 'needs listen: host:port, or serial: { path: ... } (an RTU slave on a serial port)')]
      : [];
  }
  if (raw.listen != null) {
    return [
      problem(
        ['serial'],
        'give either listen (a TCP server) or serial (an RTU slave on a serial port), not both',
        'key',
      ),
    ];
  }
  const tcpOnly = ['ports', 'frame', 'allow', 'onBusy', 'keepAlive', 'tls'].filter((k) => raw[k] != null);
  return tcpOnly.map((k) =>
    problem(
      [k],
      `${k} is for servers that listen on TCP; a serial server has one line and no clients to tell apart`,
      'key',
    ),
  );
}

function hasUnits(v: unknown): boolean {
  return isMapping(v) && Object.keys(v).length > 0;
}

/** A Modbus server must know where each request goes. */
export function serveRule(raw: Record<string, unknown>): Problem[] {
  if (raw.bank != null || raw.device != null || hasUnits(raw.units)) return [];
  const ports = raw.ports;
  if (isMapping(ports) && Object.keys(ports).length > 0) {
    const every = Object.values(ports).every((p) => isMapping(p) && hasUnits(p.units));
    if (every) return [];
  }
  return [
    problem(
      [],
      'has nothing to serve: set bank: NAME or device: NAME, or map unit ids under units (or under units of every pool port)',
    ),
  ];
}

/** What serves the unit ids that units does not name: a bank or a device, not both. */
export function fallbackRule(raw: Record<string, unknown>): Problem[] {
  if (raw.bank == null || raw.device == null) return [];
  return [
    problem(
      ['device'],
      'and bank both serve every unit id not in units: keep one, and map the ids the other serves under units',
      'key',
    ),
  ];
}

/** Unit maps are Modbus: a raw server's pool ports take a client only. */
export function rawPoolRule(raw: Record<string, unknown>): Problem[] {
  if (!isMapping(raw.ports)) return [];
  return Object.entries(raw.ports).flatMap(([port, entry]) =>
    isMapping(entry) && entry.units != null
      ? [
          problem(
            ['ports', port, 'units'],
            "units only apply to modbus servers: a raw server's pool port takes client: only",
            'key',
          ),
        ]
      : [],
  );
}
