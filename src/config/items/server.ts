/**
 * One `servers` item. `protocol` picks the keys it is checked with, so a key of the other protocol
 * (framing on a modbus server, bank on a raw one) is an unknown key; then the rules that tie its keys
 * together (server-rules.ts). Every server has where it listens (one port or a pool), who may
 * connect and the bounds of its sessions; each protocol adds its own keys.
 */
import { optionalSection, oneOf, record, type Infer, type Props } from '../declare/kit.js';
import { allow, as, bool, choice, duration, int, leaf, listen, name, size } from '../declare/leaves.js';
import { serialLine } from './device-schemas.js';
import { failed, isMapping, problem, show } from '../issues.js';
import { FRAMING, NO_FRAMING } from './framing.js';
import { POOL } from './pool.js';
import { HANDLER } from './raw-handler.js';
import { expandRange, fallbackRule, listenRule, rawPoolRule, serialRule, serveRule } from './server-rules.js';
import { UNIT_MAP } from './units.js';
import { ROLES, SERVER_TLS, tlsRules } from './server-tls.js';

export const ON_BUSY = ['reject', 'replace', 'replace-same-client'] as const;
export const PROTOCOLS = ['modbus', 'raw'] as const;
export const MODBUS_FRAMES = ['mbap', 'rtu'] as const;

const COMMON = {
  name: name({
    doc: 'unique name of this server, used in logs, status and metrics (letters, digits, _ . -)',
    required: true,
    example: 'scada',
  }),
  protocol: leaf(
    { doc: 'what this server speaks: modbus | raw', required: true },
    'modbus | raw',
    { enum: PROTOCOLS },
    (v) =>
      (PROTOCOLS as readonly unknown[]).includes(v)
        ? undefined
        : `${show(v)} is not a protocol: use ${PROTOCOLS.join(' or ')}`,
    as<(typeof PROTOCOLS)[number]>(),
  ),
  listen: listen({
    doc: 'address to listen on: host:port (port 0 picks a free port; IPv6 as [::1]:1502), or the host alone when ports is given',
    required: true,
    example: '0.0.0.0:502',
  }),
  ports: { ...POOL, also: { type: 'string', pattern: '^\\d+\\s*-\\s*\\d+$' } },
  onBusy: choice(ON_BUSY, {
    doc: 'a new connection to a pool port that is held: reject | replace | replace-same-client',
    default: 'replace-same-client',
  }),
  maxClients: int({
    doc: 'sessions at once (default 32, or the number of pool ports when larger); past this a new connection is closed at once',
    min: 1,
    default: 32,
  }),
  idleTimeout: duration({ doc: 'close a session that sends nothing this long; 0 = never', default: '60s' }),
  allow: allow({
    doc: 'client addresses or CIDR blocks allowed to connect (omit: everyone)',
    example: ['192.168.10.0/24', '127.0.0.1'],
  }),
  tls: SERVER_TLS,
};
const keepAlive = duration({ doc: 'TCP keepalive idle time before the first probe; 0 = off', default: '30s' });

/**
 * A server as the rest of fieldgate sees it: `listen` split into its host and, for a single-port
 * server, its port (0 = pick a free one); a port pool has its ports instead, each holding at most one
 * session (and a pool of more ports than the default limit can hold a session on each of them).
 */
function place<P extends Props<typeof COMMON>>(p: P, raw: Record<string, unknown>) {
  const {
    listen: { host, port },
    ports,
    protocol: _protocol,
    ...rest
  } = p;
  const maxClients = ports && raw.maxClients == null ? Math.max(p.maxClients, ports.length) : p.maxClients;
  const where: { readonly port?: number; readonly ports?: Infer<typeof POOL> } =
    ports !== undefined ? { ports } : { port };
  return { ...rest, host, ...where, maxClients };
}

/** A Modbus server that is an RTU slave on a serial port (an HMI on RS-485 reads its banks). */
const SERIAL = optionalSection(
  'instead of listen: be an RTU slave on this serial port, serving the banks and routes of units (t3.5 framing, broadcast writes executed without a reply, other units ignored)',
  serialLine(19200, 'even', 'serial port the server answers on as an RTU slave, e.g. /dev/ttyUSB1'),
);

/** A serial server in the shape every server has: no address, no port, one "session" (the line). */
function placeSerial<P extends Omit<Props<typeof COMMON>, 'listen'>>(p: P, serial: NonNullable<Infer<typeof SERIAL>>) {
  const { protocol: _protocol, ...rest } = p;
  return { ...rest, host: '', port: undefined as number | undefined, serial, maxClients: 1 };
}

export const MODBUS_SERVER = record(
  { doc: 'a Modbus TCP server (protocol: modbus), or an RTU slave on a serial port (serial:)' },
  {
    ...COMMON,
    listen: listen({
      doc: 'address to listen on: host:port (port 0 picks a free port; IPv6 as [::1]:1502), or the host alone when ports is given; or give serial: instead',
      example: '0.0.0.0:502',
    }),
    serial: SERIAL,
    readOnly: bool({
      doc: 'true: only reads pass (FC 1, 2, 3, 4, 20, 43/14); every other function is answered with exception 01',
      default: false,
    }),
    bank: name({ doc: 'serve every unit id not in units from this bank', example: 'plant' }),
    device: name({
      doc: 'forward every unit id not in units to this modbus-rtu or modbus-tcp device, the id unchanged (the mbusd one-liner); not together with bank',
      example: 'rs485',
    }),
    units: UNIT_MAP,
    roles: ROLES,
    frame: choice(MODBUS_FRAMES, {
      doc: 'how requests come over TCP: mbap (Modbus TCP) | rtu (RTU frames with CRC over TCP, as clients of a serial device server send them); omit: mbap',
    }),
    maxInFlight: int({
      doc: 'requests in flight per session before it stops reading, 1..256',
      min: 1,
      max: 256,
      default: 16,
    }),
    sendTimeout: duration({ doc: 'close a session whose replies stay unsent this long', min: 1, default: '10s' }),
    keepAlive,
  },
  {
    pre: expandRange,
    rules: (raw) => [
      ...serialRule(raw),
      ...(raw.serial != null ? [] : listenRule(raw)),
      ...serveRule(raw),
      ...fallbackRule(raw),
      ...tlsRules(raw, 'modbus'),
    ],
    finish: (p, raw) => {
      const units = p.units ?? (new Map() as NonNullable<typeof p.units>);
      const { serial, listen: where, ...rest } = p;
      if (serial !== undefined) return { ...placeSerial(rest, serial), protocol: 'modbus' as const, units };
      if (where === undefined)
        throw new Error('internal: a modbus server with neither listen nor serial passed its rules');
      const tcp = place({ ...rest, listen: where }, raw);
      return { ...tcp, ...({} as { readonly serial?: undefined }), protocol: 'modbus' as const, units };
    },
  },
);

export const RAW_SERVER = record(
  { doc: 'a raw TCP server (protocol: raw)' },
  {
    ...COMMON,
    sendTimeout: duration({ doc: 'close a session whose output stays unsent this long', min: 1, default: '10s' }),
    keepAlive,
    framing: FRAMING,
    handler: HANDLER,
    sendQueue: size({
      doc: 'bytes one session may have waiting to be sent (a peer that does not read); past it the session is closed',
      min: 1024,
      max: 1024 ** 3,
      default: '1MiB',
    }),
  },
  {
    pre: expandRange,
    rules: (raw) => [...listenRule(raw), ...rawPoolRule(raw), ...tlsRules(raw, 'raw')],
    finish: (p, raw) => ({ ...place(p, raw), protocol: 'raw' as const, framing: p.framing ?? NO_FRAMING }),
  },
);

const SHAPE = 'a mapping with name:, protocol: modbus or raw, listen: host:port, and what it serves';

export const SERVER = oneOf(
  { doc: 'a server: what it listens on and what it serves', by: 'protocol' },
  { modbus: MODBUS_SERVER, raw: RAW_SERVER },
  (raw) => {
    if (!isMapping(raw)) return failed([problem([], `${show(raw)} is not a server: write ${SHAPE}`)]);
    return { use: raw.protocol === 'raw' ? 'raw' : 'modbus' };
  },
  (s) => s,
);
