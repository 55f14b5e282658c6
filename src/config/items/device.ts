/**
 * One `devices` item. `type` picks the keys the item is checked with (device-schemas.ts), so a key
 * of another type (baudRate on a modbus-tcp device) is an unknown key.
 */
import { oneOf, record, type Infer } from '../declare/kit.js';
import { parseDuration } from '../duration.js';
import { failed, isMapping, problem, show, type Problem } from '../issues.js';
import { clientTlsRule } from './client-tls.js';
import { DEVICE_KEYS, DEVICE_TYPES, DOCS, type DeviceType } from './device-schemas.js';
import { NO_FRAMING } from './framing.js';

/** A Modbus TCP device has `port` (one lane) or `ports` (one lane each), not both. */
function laneRule(raw: Record<string, unknown>): Problem[] {
  if (raw.type !== 'modbus-tcp') return [];
  if (raw.port != null && raw.ports != null) {
    return [problem(['ports'], 'give either port: N or ports: [N, ...], not both')];
  }
  if (raw.port == null && raw.ports == null) {
    return [problem([], 'needs port: N, or ports: [N, ...] for one connection per port')];
  }
  return [];
}

/** A Modbus RTU bus is on a serial port (`path`) or behind a serial device server (`host` and `port`). */
function rtuLineRule(raw: Record<string, unknown>): Problem[] {
  if (raw.type !== 'modbus-rtu') return [];
  const path = raw.path != null;
  const host = raw.host != null;
  const port = raw.port != null;
  if (path && (host || port)) {
    return [
      problem(
        [host ? 'host' : 'port'],
        'give either path (a serial port) or host and port (a serial device server), not both',
      ),
    ];
  }
  if (path) return [];
  if (host && !port) return [problem(['host'], 'needs port: N, the TCP port of the serial device server')];
  if (port && !host) return [problem(['port'], 'needs host: the address of the serial device server')];
  if (!host)
    return [problem([], 'needs path: /dev/ttyUSB0 (a serial port), or host and port (a serial device server)')];
  return [];
}

/** The first wait cannot be longer than the longest. */
function reconnectRule(raw: Record<string, unknown>): Problem[] {
  const r = raw.reconnect;
  if (!isMapping(r) || r.min == null || r.max == null) return [];
  const min = parseDuration(r.min);
  const max = parseDuration(r.max);
  if (min.error !== undefined || max.error !== undefined || min.value <= max.value) return [];
  return [problem(['reconnect', 'min'], `${show(r.min)} is longer than reconnect.max (${show(r.max)})`)];
}

const rules = (raw: Record<string, unknown>): Problem[] => [
  ...laneRule(raw),
  ...rtuLineRule(raw),
  ...reconnectRule(raw),
  ...clientTlsRule(raw.tls, ['tls']),
];
const device = <T extends DeviceType>(type: T) => record({ doc: DOCS[type] }, DEVICE_KEYS[type], { rules });

/**
 * A Modbus RTU device's `frameGap` (ms): when left out, undefined means t3.5 of its line (a serial
 * port, or a serial device server whose baudRate is given); behind a serial device server without a
 * baudRate it is 0 (the device server keeps the bus timing).
 */
const rtuDevice = record({ doc: DOCS['modbus-rtu'] }, DEVICE_KEYS['modbus-rtu'], {
  rules,
  finish: (p, raw) => {
    const serverTimed = p.frameGap === undefined && p.host !== undefined && raw.baudRate == null;
    return serverTimed ? { ...p, frameGap: 0 } : p;
  },
});

export const DEVICE = oneOf(
  { doc: 'a device fieldgate connects out to', by: 'type' },
  {
    'modbus-rtu': rtuDevice,
    'modbus-tcp': device('modbus-tcp'),
    tcp: device('tcp'),
    serial: device('serial'),
    simulator: device('simulator'),
  },
  (raw) => {
    if (!isMapping(raw))
      return failed([problem([], `${show(raw)} is not a device: write a mapping with name:, type: and its settings`)]);
    const type = raw.type;
    if (DEVICE_TYPES.includes(type as DeviceType)) return { use: type as DeviceType };
    const message =
      type == null
        ? `is required: the kind of device, one of ${DEVICE_TYPES.join(', ')}`
        : `${show(type)} is not a device type: use ${DEVICE_TYPES.join(', ')}`;
    return failed([problem(['type'], message)]);
  },
  (d) => {
    switch (d.type) {
      case 'modbus-tcp': {
        const { port, ports, ...rest } = d;
        // one entry per lane: `port: 502` becomes `[502]`
        return { ...rest, ports: ports ?? (port !== undefined ? [port] : []) };
      }
      case 'tcp':
      case 'serial':
        return { ...d, framing: d.framing ?? NO_FRAMING };
      case 'modbus-rtu':
        return d;
      default:
        return d;
    }
  },
);

export type DeviceConfig = Infer<typeof DEVICE>;
