/**
 * Checks across sections: unique names, references to banks and devices, listeners that collide.
 * They read the raw document and skip what does not parse (the schema reports that), so their
 * findings come out in the same pass as the schema's.
 */
import { NAME_PATTERN } from './declare/leaves.js';
import { collisions } from './endpoints.js';
import { formatPath, isMapping, problem, show, type Path, type Problem } from './issues.js';
import { commandChecks } from './command-checks.js';
import { pollChecks } from './poll-checks.js';
import { simulatorChecks } from './simulator-checks.js';
import { unitChecks } from './unit-checks.js';

/** "line 12" for a path, to point at the other half of a clash. */
export type Where = (path: Path) => string;

const ROUTABLE = ['modbus-rtu', 'modbus-tcp'];
const BRIDGEABLE = ['tcp', 'serial'];

function items(v: unknown): [number, Record<string, unknown>][] {
  return Array.isArray(v)
    ? v.flatMap((item: unknown, i) => (isMapping(item) ? [[i, item] as [number, Record<string, unknown>]] : []))
    : [];
}

export function crossCheck(top: Record<string, unknown>, where: Where): Problem[] {
  return [
    ...duplicateNames('servers', 'server', top.servers, where),
    ...duplicateNames('devices', 'device', top.devices, where),
    ...references(top),
    ...unitChecks(top.servers, where),
    ...collisions(top, where),
    ...pollChecks(top),
    ...commandChecks(top, where),
    ...simulatorChecks(top),
  ];
}

function duplicateNames(section: string, what: string, list: unknown, where: Where): Problem[] {
  const seen = new Map<string, Path>();
  const problems: Problem[] = [];
  for (const [i, item] of items(list)) {
    if (typeof item.name !== 'string') continue;
    const path = [section, i, 'name'];
    const first = seen.get(item.name);
    if (first === undefined) seen.set(item.name, path);
    else
      problems.push(
        problem(
          path,
          `${show(item.name)} is already the name of ${formatPath(first.slice(0, 2))} (${where(first)}): ${what} names must be unique`,
        ),
      );
  }
  return problems;
}

interface Names {
  readonly banks: ReadonlySet<string> | undefined;
  readonly devices: ReadonlyMap<string, unknown>;
}

function defined(names: Iterable<string>): string {
  const list = [...names];
  return list.length === 0 ? 'none is defined' : `defined: ${list.join(', ')}`;
}

function references(top: Record<string, unknown>): Problem[] {
  const banks =
    top.banks == null ? new Set<string>() : isMapping(top.banks) ? new Set(Object.keys(top.banks)) : undefined;
  const devices = new Map(
    items(top.devices).flatMap(([, d]) => (typeof d.name === 'string' ? [[d.name, d.type] as const] : [])),
  );
  const names: Names = { banks, devices };
  return [
    ...items(top.servers).flatMap(([i, server]) =>
      server.protocol === 'raw'
        ? bridgeRef(names, server.handler, ['servers', i, 'handler', 'bridge'])
        : modbusRefs(names, server, i),
    ),
    ...mqttRefs(names, top.mqtt),
    ...mqttDefaults(top),
  ];
}

/** Ids that `mqtt:` takes from gateway.name when it does not give its own must be valid there. */
function mqttDefaults(top: Record<string, unknown>): Problem[] {
  const mqtt = top.mqtt;
  const name = isMapping(top.gateway) ? top.gateway.name : undefined;
  if (!isMapping(mqtt) || typeof name !== 'string') return [];
  if (mqtt.format !== 'json' && mqtt.node == null && !NAME_PATTERN.test(name))
    return [
      problem(
        ['gateway', 'name'],
        `${show(name)} cannot be the Sparkplug edge node id, which mqtt.node defaults to: give mqtt.node (letters, digits, _ . -)`,
      ),
    ];
  if (mqtt.format === 'json' && mqtt.topic == null && /[+#]/.test(name))
    return [
      problem(
        ['gateway', 'name'],
        `${show(name)} holds + or #, which cannot be in the topic root fieldgate/<gateway.name> that mqtt.topic defaults to: give mqtt.topic`,
      ),
    ];
  return [];
}

/** `mqtt.banks` names defined banks. */
function mqttRefs(names: Names, mqtt: unknown): Problem[] {
  if (!isMapping(mqtt) || !Array.isArray(mqtt.banks)) return [];
  return mqtt.banks.flatMap((bank: unknown, j) => bankRef(names, bank, ['mqtt', 'banks', j]));
}

/** A Modbus server's banks and routes (its own bank or device, its units, its pool ports'). */
function modbusRefs(names: Names, server: Record<string, unknown>, i: number): Problem[] {
  const ports = isMapping(server.ports) ? Object.entries(server.ports) : [];
  return [
    ...bankRef(names, server.bank, ['servers', i, 'bank']),
    ...deviceRef(names, server.device, ['servers', i, 'device']),
    ...unitRefs(names, server.units, ['servers', i, 'units']),
    ...ports.flatMap(([port, entry]) =>
      isMapping(entry) ? unitRefs(names, entry.units, ['servers', i, 'ports', port, 'units']) : [],
    ),
  ];
}

function bankRef(names: Names, bank: unknown, path: Path): Problem[] {
  if (typeof bank !== 'string' || names.banks === undefined || names.banks.has(bank)) return [];
  return [problem(path, `bank "${bank}" is not defined under banks (${defined(names.banks)})`)];
}

function deviceRef(names: Names, device: unknown, path: Path): Problem[] {
  if (typeof device !== 'string') return [];
  if (!names.devices.has(device)) {
    return [problem(path, `device "${device}" is not defined under devices (${defined(names.devices.keys())})`)];
  }
  const type = names.devices.get(device);
  if (typeof type !== 'string' || ROUTABLE.includes(type)) return [];
  return [
    problem(
      path,
      `device "${device}" is a ${type} device: unit ids can only be routed to ${ROUTABLE.join(' or ')} devices`,
    ),
  ];
}

/** A raw server's `handler: { bridge: DEVICE }` names a raw device. */
function bridgeRef(names: Names, handler: unknown, path: Path): Problem[] {
  if (!isMapping(handler) || typeof handler.bridge !== 'string') return [];
  const device = handler.bridge;
  if (!names.devices.has(device)) {
    return [problem(path, `device "${device}" is not defined under devices (${defined(names.devices.keys())})`)];
  }
  const type = names.devices.get(device);
  if (typeof type !== 'string' || BRIDGEABLE.includes(type)) return [];
  return [
    problem(
      path,
      `device "${device}" is a ${type} device: a bridge talks to a raw device (type ${BRIDGEABLE.join(' or ')}); route Modbus unit ids to it from a modbus server instead`,
    ),
  ];
}

function unitRefs(names: Names, units: unknown, path: Path): Problem[] {
  if (!isMapping(units)) return [];
  return Object.entries(units).flatMap(([id, target]) =>
    isMapping(target)
      ? [
          ...bankRef(names, target.bank, [...path, id, 'bank']),
          ...deviceRef(names, target.device, [...path, id, 'device']),
        ]
      : [],
  );
}
