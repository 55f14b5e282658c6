/**
 * One `devices` item. `type` picks the convict schema the item is validated with (strict), so a
 * key of another type (baudRate on a modbus-tcp device) is an unknown key.
 */
import type { SchemaDef } from '../convict-bridge.js';
import { durationMs, parseDuration } from '../duration.js';
import { failed, isMapping, must, ok, problem, show, type Checked, type Problem } from '../issues.js';
import { runSchema } from '../run-schema.js';
import type { DeviceConfig, DeviceDecode, Framing, Parity, ReconnectConfig } from '../types.js';
import { DEVICE_SCHEMAS, DEVICE_TYPES, type DeviceType } from './device-schemas.js';
import { checkFraming, NO_FRAMING } from './framing.js';
import { checkSignalMap } from './signal.js';

type ReconnectProps = { reconnect: { min: string | number; max: string | number; jitter: number } };
type SerialProps = { path: string; baudRate: number; parity: Parity; dataBits: 5 | 6 | 7 | 8; stopBits: 1 | 2 };
type QueueProps = { timeout: string | number; retries: number; queue: number };
type DecodeProps = { decode?: { profile?: string; bank?: string } };

/** What convict returns for each type: every key with a default is present. */
type DeviceProps =
  | ({ name: string; type: 'modbus-rtu'; lateReplyGuard?: string | number } & SerialProps & QueueProps & ReconnectProps)
  | ({ name: string; type: 'modbus-tcp'; host: string; port?: number; ports?: number[]; unit: number; maxInFlight: number } & QueueProps & ReconnectProps)
  | ({ name: string; type: 'tcp'; host: string; port: number; framing: unknown; connectTimeout: string | number; keepAlive: string | number } & ReconnectProps & DecodeProps)
  | ({ name: string; type: 'serial'; framing: unknown } & SerialProps & ReconnectProps & DecodeProps)
  | { name: string; type: 'simulator'; bank: string; every: string | number; signals: unknown };

export function checkDevice(raw: unknown): Checked<DeviceConfig> {
  if (!isMapping(raw)) return failed([problem([], `${show(raw)} is not a device: write a mapping with name:, type: and its settings`)]);
  const type = raw.type;
  if (!DEVICE_TYPES.includes(type as DeviceType)) {
    const message = type == null
      ? `is required: the kind of device, one of ${DEVICE_TYPES.join(', ')}`
      : `${show(type)} is not a device type: use ${DEVICE_TYPES.join(', ')}`;
    return failed([problem(['type'], message)]);
  }
  const checked = runSchema<DeviceProps>(DEVICE_SCHEMAS[type as DeviceType], raw);
  const problems: Problem[] = [...checked.problems, ...laneRule(raw), ...reconnectRule(raw)];
  if (problems.length > 0 || checked.value === undefined) return failed(problems);
  return ok(buildDevice(checked.value));
}

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

function serial(p: SerialProps): SerialProps {
  return { path: p.path, baudRate: p.baudRate, parity: p.parity, dataBits: p.dataBits, stopBits: p.stopBits };
}

function queueing(p: QueueProps): { timeout: number; retries: number; queue: number } {
  return { timeout: durationMs(p.timeout), retries: p.retries, queue: p.queue };
}

/** `decode:` as validated (convict gives the section with undefined keys when it is omitted). */
function decode(p: DecodeProps): { decode?: DeviceDecode } {
  const d = p.decode;
  return d?.profile !== undefined && d.bank !== undefined ? { decode: { profile: d.profile, bank: d.bank } } : {};
}

/** A framing as written (null: omitted), validated already. */
function framing(f: unknown): Framing {
  return f === null ? NO_FRAMING : must(checkFraming(f));
}

function reconnect(p: ReconnectProps): { reconnect: ReconnectConfig } {
  const { min, max, jitter } = p.reconnect;
  return { reconnect: { min: durationMs(min), max: durationMs(max), jitter } };
}

function buildDevice(p: DeviceProps): DeviceConfig {
  switch (p.type) {
    case 'modbus-rtu': {
      const guard = p.lateReplyGuard != null ? { lateReplyGuard: durationMs(p.lateReplyGuard) } : {};
      return { name: p.name, type: p.type, ...serial(p), ...queueing(p), ...guard, ...reconnect(p) };
    }
    case 'modbus-tcp': {
      const ports = p.ports ?? (p.port !== undefined ? [p.port] : []);
      return { name: p.name, type: p.type, host: p.host, ports, unit: p.unit, ...queueing(p), maxInFlight: p.maxInFlight, ...reconnect(p) };
    }
    case 'tcp':
      return {
        name: p.name, type: p.type, host: p.host, port: p.port, framing: framing(p.framing), ...reconnect(p),
        connectTimeout: durationMs(p.connectTimeout), keepAlive: durationMs(p.keepAlive), ...decode(p),
      };
    case 'serial':
      return { name: p.name, type: p.type, ...serial(p), framing: framing(p.framing), ...reconnect(p), ...decode(p) };
    case 'simulator':
      return { name: p.name, type: p.type, bank: p.bank, every: durationMs(p.every), signals: must(checkSignalMap(p.signals)) };
  }
}
