/**
 * One `devices` item. `type` picks the keys the item is checked with (device-schemas.ts), so a key
 * of another type (baudRate on a modbus-tcp device) is an unknown key.
 */
import { oneOf, record, type Infer } from '../declare/kit.js';
import { parseDuration } from '../duration.js';
import { failed, isMapping, problem, show, type Problem } from '../issues.js';
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

/** The first wait cannot be longer than the longest. */
function reconnectRule(raw: Record<string, unknown>): Problem[] {
  const r = raw.reconnect;
  if (!isMapping(r) || r.min == null || r.max == null) return [];
  const min = parseDuration(r.min);
  const max = parseDuration(r.max);
  if (min.error !== undefined || max.error !== undefined || min.value <= max.value) return [];
  return [problem(['reconnect', 'min'], `${show(r.min)} is longer than reconnect.max (${show(r.max)})`)];
}

const rules = (raw: Record<string, unknown>): Problem[] => [...laneRule(raw), ...reconnectRule(raw)];
const device = <T extends DeviceType>(type: T) => record({ doc: DOCS[type] }, DEVICE_KEYS[type], { rules });

export const DEVICE = oneOf(
  { doc: 'a device fieldgate connects out to', by: 'type' },
  {
    'modbus-rtu': device('modbus-rtu'),
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
      default:
        return d;
    }
  },
);

export type DeviceConfig = Infer<typeof DEVICE>;
