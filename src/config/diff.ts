/**
 * The reload plan (validate, then diff, then apply: docs/ARCHITECTURE.md, a reload): what differs
 * between the running configuration and a newly validated one. Configs are frozen plain objects,
 * arrays and Maps, so they are compared structurally. Servers, devices and banks are matched by
 * name: a renamed item is one removed and one added.
 *
 * A server also counts as changed when something it was built with changed although its own entry
 * did not: a bank it names was added, removed or reshaped (it holds the bank object), the gateway
 * name (Modbus device identification), or the device of a raw bridge (the bridge subscribes to the
 * device link when it starts). Other servers are not restarted for a changed device: Modbus routes
 * find devices by name in the gateway's live map on every request.
 */
import type { BankConfig, DeviceConfig, Endpoint, GatewayConfig, LogLevel, ServerConfig } from './types.js';

export interface ListChanges<T> {
  readonly added: readonly T[];
  readonly removed: readonly string[];
  /** Items whose config (or what they were built with) changed: stopped, then started again. */
  readonly changed: readonly T[];
  readonly unchanged: readonly string[];
}

export interface BankChanges {
  readonly added: readonly BankConfig[];
  readonly removed: readonly string[];
  /** Table sizes changed: the bank is built anew from its initial values. */
  readonly reshaped: readonly BankConfig[];
  /** Same shape: the running bank keeps its values. */
  readonly kept: readonly string[];
  /** Kept banks whose initial `values` differ in the new file (not applied: the live values stay). */
  readonly valuesNotApplied: readonly string[];
  /** Kept banks whose `points` changed: the points are redefined, the values stay. */
  readonly repointed: readonly BankConfig[];
}

export interface ReloadPlan {
  readonly servers: ListChanges<ServerConfig>;
  readonly devices: ListChanges<DeviceConfig>;
  readonly banks: BankChanges;
  /** The new log level, when it changed. */
  readonly logLevel?: LogLevel;
  /** The new gateway name, when it changed. */
  readonly gatewayName?: string;
  /** True when the `polls` list differs. */
  readonly polls: boolean;
  /** True when the `commands` list, or a profile one of them decodes replies with, differs. */
  readonly commands: boolean;
  /** Set when the status section changed (moved, appeared, went away, files, writes); `listen` undefined = off. */
  readonly status?: { readonly listen: Endpoint | undefined };
  /** True when the `mqtt` section differs (the MQTT session is opened again, with births). */
  readonly mqtt: boolean;
  /** True when nothing at all differs. */
  readonly empty: boolean;
}

/** Structural equality over what a config holds: primitives, arrays, Maps and plain objects. */
export function sameValue(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((v, i) => sameValue(v, b[i]));
  }
  if (a instanceof Map || b instanceof Map) {
    if (!(a instanceof Map && b instanceof Map) || a.size !== b.size) return false;
    for (const [k, v] of a) if (!b.has(k) || !sameValue(v, b.get(k))) return false;
    return true;
  }
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
  for (const k of keys) if (!sameValue(ra[k], rb[k])) return false;
  return true;
}

/** Every string under `name` keys at any depth of a config item (`bank` in units, pool ports, handlers, devices). */
function namedBy(name: string, config: unknown, out = new Set<string>()): Set<string> {
  if (typeof config !== 'object' || config === null) return out;
  const values = config instanceof Map ? [...config.values()] : Array.isArray(config) ? config : undefined;
  if (values) {
    for (const v of values) namedBy(name, v, out);
    return out;
  }
  for (const [key, value] of Object.entries(config)) {
    if (key === name && typeof value === 'string') out.add(value);
    else namedBy(name, value, out);
  }
  return out;
}

/** Every bank name a server or device config mentions (units, pool ports, handlers, simulators, decoders). */
export function banksNamedBy(config: unknown): Set<string> {
  return namedBy('bank', config);
}

/** Profiles (by the name used) whose content differs between two configs. */
function changedProfiles(prev: GatewayConfig, next: GatewayConfig): Set<string> {
  const out = new Set<string>();
  for (const [name, profile] of next.profiles) if (!sameValue(prev.profiles.get(name), profile)) out.add(name);
  return out;
}

function diffList<T extends { readonly name: string }>(
  prev: readonly T[],
  next: readonly T[],
  forceChange: (item: T) => boolean,
): ListChanges<T> {
  const before = new Map(prev.map((item) => [item.name, item]));
  const names = new Set(next.map((item) => item.name));
  const added: T[] = [];
  const changed: T[] = [];
  const unchanged: string[] = [];
  for (const item of next) {
    const old = before.get(item.name);
    if (old === undefined) added.push(item);
    else if (!sameValue(old, item) || forceChange(item)) changed.push(item);
    else unchanged.push(item.name);
  }
  const removed = prev.filter((item) => !names.has(item.name)).map((item) => item.name);
  return { added, removed, changed, unchanged };
}

/** Same table sizes and starts: the bank's arrays can be kept. */
const sameShape = (a: BankConfig, b: BankConfig): boolean =>
  sameValue(a.tables, b.tables) && sameValue(a.starts ?? {}, b.starts ?? {});

function diffBanks(prev: ReadonlyMap<string, BankConfig>, next: ReadonlyMap<string, BankConfig>): BankChanges {
  const added: BankConfig[] = [];
  const reshaped: BankConfig[] = [];
  const kept: string[] = [];
  const valuesNotApplied: string[] = [];
  const repointed: BankConfig[] = [];
  for (const [name, bank] of next) {
    const old = prev.get(name);
    if (old === undefined) added.push(bank);
    else if (!sameShape(old, bank)) reshaped.push(bank);
    else {
      kept.push(name);
      if (!sameValue(old.values, bank.values)) valuesNotApplied.push(name);
      if (!sameValue(old.points, bank.points)) repointed.push(bank);
    }
  }
  const removed = [...prev.keys()].filter((name) => !next.has(name));
  return { added, removed, reshaped, kept, valuesNotApplied, repointed };
}

/** The commands differ, or a reply profile they use was edited. */
function commandsChanged(prev: GatewayConfig, next: GatewayConfig): boolean {
  if (!sameValue(prev.commands, next.commands)) return true;
  return next.commands.some(
    (c) => c.reply !== undefined && !sameValue(prev.profiles.get(c.reply.profile), next.profiles.get(c.reply.profile)),
  );
}

/** What to do to go from the running config `prev` to the validated `next`. */
export function diffConfig(prev: GatewayConfig, next: GatewayConfig): ReloadPlan {
  const banks = diffBanks(prev.banks, next.banks);
  const touchedBanks = new Set(
    [...banks.added, ...banks.reshaped, ...banks.repointed].map((b) => b.name).concat(banks.removed),
  );
  const renamed = prev.gateway.name !== next.gateway.name;
  // Items built with a bank's points or a profile (decoders, simulators) restart when either changed.
  const profiles = changedProfiles(prev, next);
  const holdsTouched = (item: unknown) =>
    [...banksNamedBy(item)].some((b) => touchedBanks.has(b)) ||
    [...namedBy('profile', item)].some((p) => profiles.has(p));
  const devices = diffList(prev.devices, next.devices, holdsTouched);
  // Servers look devices up by name on use (routes per request, raw bridges follow their device), so a
  // changed device reconnects without restarting the servers that use it.
  const servers = diffList(prev.servers, next.servers, (s) => renamed || holdsTouched(s));
  const logLevel = prev.log.level !== next.log.level ? next.log.level : undefined;
  const statusMoved = !sameValue(prev.status, next.status);
  const polls = !sameValue(prev.polls, next.polls);
  const commands = commandsChanged(prev, next);
  const mqtt = !sameValue(prev.mqtt, next.mqtt);
  const empty =
    servers.added.length + servers.removed.length + servers.changed.length === 0 &&
    devices.added.length + devices.removed.length + devices.changed.length === 0 &&
    banks.added.length +
      banks.removed.length +
      banks.reshaped.length +
      banks.valuesNotApplied.length +
      banks.repointed.length ===
      0 &&
    logLevel === undefined &&
    !renamed &&
    !statusMoved &&
    !polls &&
    !commands &&
    !mqtt;
  return {
    servers,
    devices,
    banks,
    polls,
    commands,
    mqtt,
    ...(logLevel !== undefined ? { logLevel } : {}),
    ...(renamed ? { gatewayName: next.gateway.name } : {}),
    ...(statusMoved ? { status: { listen: next.status?.listen } } : {}),
    empty,
  };
}

function names(items: readonly { readonly name: string }[]): string[] {
  return items.map((i) => i.name);
}

/** The plan as structured log fields (names, not configs). */
export function planFields(plan: ReloadPlan): Record<string, unknown> {
  const list = (c: ListChanges<{ readonly name: string }>) => ({
    added: names(c.added),
    removed: c.removed,
    restarted: names(c.changed),
    unchanged: c.unchanged.length,
  });
  const { banks } = plan;
  return {
    servers: list(plan.servers),
    devices: list(plan.devices),
    banks: {
      added: names(banks.added),
      removed: banks.removed,
      reshaped: names(banks.reshaped),
      repointed: names(banks.repointed),
      kept: banks.kept.length,
      valuesNotApplied: banks.valuesNotApplied,
    },
    ...(plan.polls ? { polls: 'changed' } : {}),
    ...(plan.commands ? { commands: 'changed' } : {}),
    ...(plan.mqtt ? { mqtt: 'changed' } : {}),
    ...(plan.logLevel !== undefined ? { logLevel: plan.logLevel } : {}),
    ...(plan.gatewayName !== undefined ? { gatewayName: plan.gatewayName } : {}),
    ...(plan.status
      ? { status: plan.status.listen ? `${plan.status.listen.host}:${plan.status.listen.port}` : 'disabled' }
      : {}),
  };
}

/** One line for a person: "servers +a -b ~c (2 unchanged); banks reshaped plant; log level debug". */
export function describePlan(plan: ReloadPlan): string {
  if (plan.empty) return 'nothing changed';
  const part = (what: string, c: ListChanges<{ readonly name: string }>) => {
    const marks = [
      ...c.added.map((i) => `+${i.name}`),
      ...c.removed.map((n) => `-${n}`),
      ...c.changed.map((i) => `~${i.name}`),
    ];
    return marks.length > 0 ? `${what} ${marks.join(' ')} (${c.unchanged.length} unchanged)` : undefined;
  };
  const b = plan.banks;
  const banks = [
    ...b.added.map((x) => `+${x.name}`),
    ...b.removed.map((n) => `-${n}`),
    ...b.reshaped.map((x) => `reshaped ${x.name}`),
    ...b.repointed.map((x) => `points of ${x.name} redefined`),
    ...b.valuesNotApplied.map((n) => `${n} keeps its live values (new initial values not applied)`),
  ];
  const parts = [
    part('servers', plan.servers),
    part('devices', plan.devices),
    banks.length > 0 ? `banks ${banks.join(' ')}` : undefined,
    plan.polls ? 'polls changed' : undefined,
    plan.commands ? 'commands changed' : undefined,
    plan.mqtt ? 'mqtt changed (reconnects, births again)' : undefined,
    plan.logLevel !== undefined ? `log level ${plan.logLevel}` : undefined,
    plan.gatewayName !== undefined ? `gateway name ${plan.gatewayName}` : undefined,
    plan.status
      ? `status endpoint ${plan.status.listen ? `${plan.status.listen.host}:${plan.status.listen.port}` : 'disabled'}`
      : undefined,
  ];
  return parts.filter((p) => p !== undefined).join('; ');
}
