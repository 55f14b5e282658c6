/**
 * One `devices` item. `type` picks the convict schema the item is validated with (strict), so a
 * key of another type (baudRate on a modbus-tcp device) is an unknown key.
 */
import type { SchemaDef } from '../convict-bridge.js';
import { durationMs } from '../duration.js';
import { failed, isMapping, ok, problem, show, type Checked, type Problem } from '../issues.js';
import { runSchema } from '../run-schema.js';
import type { DeviceConfig, Parity } from '../types.js';
import { DEVICE_SCHEMAS, DEVICE_TYPES, type DeviceType } from './device-schemas.js';

type Framing = Record<string, unknown> | null;
type SerialProps = { path: string; baudRate: number; parity: Parity; dataBits: 5 | 6 | 7 | 8; stopBits: 1 | 2 };
type QueueProps = { timeout: string | number; retries: number; queue: number };

/** What convict returns for each type: every key with a default is present. */
type DeviceProps =
  | ({ name: string; type: 'modbus-rtu' } & SerialProps & QueueProps)
  | ({ name: string; type: 'modbus-tcp'; host: string; port?: number; ports?: number[]; unit: number } & QueueProps)
  | { name: string; type: 'tcp'; host: string; port: number; framing: Framing }
  | ({ name: string; type: 'serial'; framing: Framing } & SerialProps);

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
  const problems: Problem[] = [...checked.problems, ...laneRule(raw)];
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

function serial(p: SerialProps): SerialProps {
  return { path: p.path, baudRate: p.baudRate, parity: p.parity, dataBits: p.dataBits, stopBits: p.stopBits };
}

function queueing(p: QueueProps): { timeout: number; retries: number; queue: number } {
  return { timeout: durationMs(p.timeout), retries: p.retries, queue: p.queue };
}

function framing(f: Framing): { framing?: Record<string, unknown> } {
  return f !== null ? { framing: f } : {};
}

function buildDevice(p: DeviceProps): DeviceConfig {
  switch (p.type) {
    case 'modbus-rtu':
      return { name: p.name, type: p.type, ...serial(p), ...queueing(p) };
    case 'modbus-tcp': {
      const ports = p.ports ?? (p.port !== undefined ? [p.port] : []);
      return { name: p.name, type: p.type, host: p.host, ports, unit: p.unit, ...queueing(p) };
    }
    case 'tcp':
      return { name: p.name, type: p.type, host: p.host, port: p.port, ...framing(p.framing) };
    case 'serial':
      return { name: p.name, type: p.type, ...serial(p), ...framing(p.framing) };
  }
}
