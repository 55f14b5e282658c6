/**
 * What `fieldgate check` prints: the plan a config describes, in words and tables a plant engineer
 * can compare with the site drawing. A port pool is printed as its allocation table: which port is
 * reserved for which client, and where the data of a session on that port lands.
 */
import { existsSync } from 'node:fs';
import { describeCommand } from '../commands/describe.js';
import { certificateWarnings, describeCertificates, type CertificateEntry } from './certificates.js';
import { isLoopback } from './items/status.js';
import { showSize } from './size.js';
import type {
  DeviceConfig,
  Framing,
  GatewayConfig,
  MqttConfig,
  ModbusServerConfig,
  PointConfig,
  RawHandlerConfig,
  RawServerConfig,
  ServerConfig,
  StatusConfig,
  UnitMap,
  UnitTarget,
} from './types.js';

function target(t: UnitTarget): string {
  return t.kind === 'bank' ? `bank ${t.bank}` : `device ${t.device} unit ${t.unit}`;
}

/** Consecutive ids with the same bank, or routed to the same device with their ids unchanged, as one run. */
function unitRuns(units: UnitMap): [string, string][] {
  const runs: { first: number; last: number; t: UnitTarget }[] = [];
  for (const [unit, t] of [...units].sort(([a], [b]) => a - b)) {
    const run = runs.at(-1);
    const joins =
      run !== undefined &&
      run.last === unit - 1 &&
      (t.kind === 'bank'
        ? run.t.kind === 'bank' && run.t.bank === t.bank
        : run.t.kind === 'device' && run.t.device === t.device && t.unit === unit && run.t.unit === run.first);
    if (joins) run.last = unit;
    else runs.push({ first: unit, last: unit, t });
  }
  return runs.map(({ first, last, t }) =>
    first === last
      ? [String(first), target(t)]
      : [`${first}-${last}`, t.kind === 'bank' ? target(t) : `device ${t.device}, ids unchanged`],
  );
}

function unitLines(units: UnitMap, indent: string): string[] {
  return unitRuns(units).map(([ids, t]) => `${indent}${ids.includes('-') ? 'units' : 'unit'} ${ids} -> ${t}`);
}

function duration(ms: number): string {
  if (ms === 0) return 'never';
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

/** Columns padded to their widest cell. */
export function table(header: readonly string[], rows: readonly (readonly string[])[], indent: string): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    indent +
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

function unitSummary(units: UnitMap | undefined): string {
  if (!units || units.size === 0) return "the server's";
  return unitRuns(units)
    .map(([ids, t]) => `${ids} -> ${t}`)
    .join(', ');
}

/** The pool's allocation table as configured: port, reserved client, where a session's requests go. */
export function allocationLines(s: ServerConfig, indent: string): string[] {
  if (!s.ports) return [];
  const modbus = s.protocol === 'modbus';
  const banks = !modbus && s.ports.some((p) => p.bank !== undefined);
  const header = modbus ? ['port', 'client', 'units'] : banks ? ['port', 'client', 'bank'] : ['port', 'client'];
  const rows = s.ports.map((p) => {
    const row = [String(p.port), p.client ?? 'any allowed'];
    return modbus ? [...row, unitSummary(p.units)] : banks ? [...row, p.bank ?? '-'] : row;
  });
  return [`${indent}port pool (one session per port, onBusy ${s.onBusy}):`, ...table(header, rows, `${indent}  `)];
}

export function describeFraming(f: Framing): string {
  switch (f.type) {
    case 'none':
      return 'none (chunks as they arrive)';
    case 'line':
      return `line, delimiter ${JSON.stringify(f.delimiter)}, max ${f.max} bytes`;
    case 'length':
      return `length, ${f.size}-byte ${f.endian}-endian prefix counting the ${f.counts}, max ${f.max} bytes`;
    case 'fixed':
      return `fixed, ${f.size} bytes`;
  }
}

function describeHandler(h: RawHandlerConfig): string {
  switch (h.kind) {
    case 'echo':
    case 'hub':
      return h.kind;
    case 'bridge':
      return `bridge to device ${h.device}, device frames to ${h.reply === 'sender' ? 'the last sender' : 'every session'}`;
    case 'record':
      return `record to ${h.dir} (a file per session, rotated at ${showSize(h.maxFileSize)}, at most ${showSize(h.maxTotalSize)} in all)`;
    case 'decode':
      return `decode with profile ${h.profile} into ${h.bank !== undefined ? `bank ${h.bank}` : "each port's bank"}`;
  }
}

function limits(s: ServerConfig): string {
  return `maxClients ${s.maxClients}, idleTimeout ${duration(s.idleTimeout)}, allow ${s.allow ? s.allow.join(' ') : 'everyone'}`;
}

function modbusLines(s: ModbusServerConfig): string[] {
  const readOnly = s.readOnly ? ', read-only' : '';
  const lines = s.serial
    ? [`    RTU slave: other units ignored, broadcast writes on every bank${readOnly}`]
    : [`    ${limits(s)}${s.frame === 'rtu' ? ', RTU frames over TCP' : ''}${readOnly}`];
  if (s.bank) lines.push(`    every unit id not listed -> bank ${s.bank}`);
  if (s.device) lines.push(`    every unit id not listed -> device ${s.device}, ids unchanged`);
  lines.push(...unitLines(s.units, '    '));
  return lines;
}

function rawLines(s: RawServerConfig): string[] {
  return [
    `    ${limits(s)}, sendQueue ${showSize(s.sendQueue)}`,
    `    framing ${describeFraming(s.framing)}`,
    `    handler ${describeHandler(s.handler)}`,
  ];
}

function describeServer(s: ServerConfig): string[] {
  const serial = s.protocol === 'modbus' ? s.serial : undefined;
  const where = serial
    ? `serial ${serial.path} ${serial.baudRate} ${serial.dataBits}${serial.parity[0]?.toUpperCase()}${serial.stopBits} (RTU slave)`
    : s.ports
      ? `${s.host} ports ${s.ports.map((p) => p.port).join(', ')}`
      : `${s.host}:${s.port}`;
  return [
    `  ${s.name}: ${s.protocol} on ${where}`,
    ...(s.protocol === 'modbus' ? modbusLines(s) : rawLines(s)),
    ...allocationLines(s, '    '),
  ];
}

function decodeNote(d: { readonly profile: string; readonly bank: string } | undefined): string {
  return d ? `, decoded with profile ${d.profile} into bank ${d.bank}` : '';
}

/** "/dev/ttyUSB0 19200 8E1 (parity even)": path, speed, data bits, parity, stop bits. */
function line(d: {
  readonly path?: string | undefined;
  readonly baudRate: number;
  readonly dataBits: number;
  readonly parity: string;
  readonly stopBits: number;
}): string {
  return `${d.path} ${d.baudRate} ${d.dataBits}${d.parity[0]?.toUpperCase()}${d.stopBits} (${d.dataBits} data bits, parity ${d.parity}, ${d.stopBits} stop bit${d.stopBits > 1 ? 's' : ''})`;
}

const hostPort = (host: string, port: number | string) => `${host.includes(':') ? `[${host}]` : host}:${port}`;

/** What a Modbus master waits and retries: the same words for RTU and TCP devices. */
function queueing(d: { readonly timeout: number; readonly retries: number; readonly queue: number }): string {
  return `timeout ${duration(d.timeout)}, retries ${d.retries}, queue ${d.queue}`;
}

function rtuTiming(d: Extract<DeviceConfig, { readonly type: 'modbus-rtu' }>): string {
  const gap = d.frameGap !== undefined ? `frameGap ${duration(d.frameGap)}` : 'frameGap t3.5';
  const guard =
    d.lateReplyGuard !== undefined ? `lateReplyGuard ${duration(d.lateReplyGuard)}` : 'lateReplyGuard 3 x timeout';
  return `${queueing(d)}, ${gap}, ${guard}`;
}

/** `, over TLS (client certificate)`: how a device's `tls:` connects. */
function tlsNote(t: { readonly cert?: string | undefined; readonly verify: boolean } | undefined): string {
  if (!t) return '';
  const parts = [t.cert !== undefined ? 'client certificate' : '', t.verify ? '' : 'server NOT verified'];
  const what = parts.filter(Boolean).join(', ');
  return `, over TLS${what ? ` (${what})` : ''}`;
}

function describeDevice(d: DeviceConfig): string {
  switch (d.type) {
    case 'tcp':
      return `  ${d.name}: tcp to ${hostPort(d.host, d.port)}, connectTimeout ${duration(d.connectTimeout)}, keepAlive ${duration(d.keepAlive)}, framing ${describeFraming(d.framing)}${decodeNote(d.decode)}`;
    case 'serial':
      return `  ${d.name}: serial ${line(d)}, framing ${describeFraming(d.framing)}${decodeNote(d.decode)}`;
    case 'modbus-rtu':
      return d.host !== undefined
        ? `  ${d.name}: modbus-rtu over TCP to ${hostPort(d.host, d.port ?? '?')} (a serial device server), ${rtuTiming(d)}`
        : `  ${d.name}: modbus-rtu on ${line(d)}, ${rtuTiming(d)}`;
    case 'modbus-tcp':
      return `  ${d.name}: modbus-tcp to ${hostPort(d.host, d.ports.join(','))}, unit ${d.unit}, ${queueing(d)}, maxInFlight ${d.maxInFlight}${tlsNote(d.tls)}`;
    case 'simulator':
      return `  ${d.name}: simulator writing ${[...d.signals.keys()].join(', ')} of bank ${d.bank} every ${duration(d.every)}`;
  }
}

function describePoint(p: PointConfig): string {
  const parts: string[] = [p.type === 'string' ? `string of ${p.length ?? 1} registers` : p.type];
  if (p.type !== 'bool' && p.type !== 'int16' && p.type !== 'uint16') parts.push(p.order);
  if (p.scale !== 1 || p.offset !== 0) parts.push(`x ${p.scale} + ${p.offset}`);
  return parts.join(' ');
}

/** `certificates`: the inventory of the config's certificate files (certificates.ts), read by the caller. */
export function describeConfig(
  config: GatewayConfig,
  certificates: readonly CertificateEntry[] = [],
  now = Date.now(),
): string {
  const lines = [`gateway ${config.gateway.name}, log level ${config.log.level}`];
  lines.push(config.status ? describeStatus(config.status) : 'status endpoint disabled');
  lines.push('', `banks (${config.banks.size}):`);
  for (const bank of config.banks.values()) {
    const tables = Object.entries(bank.tables).map(([name, size]) => {
      const start = bank.starts?.[name as keyof typeof bank.tables];
      return start === undefined ? `${name} ${size}` : `${name} ${size} at ${start}..${start + size - 1}`;
    });
    lines.push(`  ${bank.name}: ${tables.join(', ')}`);
    for (const p of bank.points) lines.push(`    ${p.name}: ${p.table} ${p.address}, ${describePoint(p)}`);
  }
  lines.push('', `servers (${config.servers.length}):`);
  for (const server of config.servers) lines.push(...describeServer(server));
  lines.push('', `devices (${config.devices.length}):`);
  for (const d of config.devices) lines.push(describeDevice(d));
  if (config.commands.length > 0) {
    lines.push('', `commands (${config.commands.length}):`);
    for (const c of config.commands) lines.push(...describeCommand(c));
  }
  if (config.mqtt) lines.push('', ...describeMqtt(config.mqtt));
  if (certificates.length > 0) lines.push('', ...describeCertificates(certificates, now));
  return lines.join('\n');
}

/** Where the endpoint listens, and who may use it. */
function describeStatus(s: StatusConfig): string {
  const scheme = s.tls ? 'https' : 'http';
  const access = s.tokenFile !== undefined ? `token from ${s.tokenFile}` : 'open to anyone who reaches it';
  return `status endpoint ${scheme}://${showEndpoint(s.listen)} (${access}; ${s.writes ? 'points may be written' : 'read-only'})`;
}

const showEndpoint = (e: { readonly host: string; readonly port: number }) =>
  e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;

/** Beyond this machine: not loopback (a wildcard 0.0.0.0 / :: is every interface). */
const beyondLoopback = (host: string) => !isLoopback(host);

/** Serial paths that do not exist here (a USB adapter unplugged, a typo, another board's name). */
function serialWarnings(config: GatewayConfig, exists: (path: string) => boolean): string[] {
  const warnings: string[] = [];
  const missing = (key: string, owner: string, path: string) =>
    `${key}: ${owner} uses the serial port ${path}, which does not exist on this machine (unplugged, or another name? ls /dev/serial/by-id/); it will be opened again and again until it appears`;
  config.devices.forEach((d, i) => {
    const path = d.type === 'serial' || d.type === 'modbus-rtu' ? d.path : undefined;
    if (path !== undefined && !exists(path)) warnings.push(missing(`devices[${i}].path`, `device ${d.name}`, path));
  });
  config.servers.forEach((s, i) => {
    const serial = s.protocol === 'modbus' ? s.serial : undefined;
    if (serial && !exists(serial.path))
      warnings.push(missing(`servers[${i}].serial.path`, `server ${s.name}`, serial.path));
  });
  return warnings;
}

/**
 * Modbus servers anyone on the network may use: beyond loopback, no allow, a port not reserved for a
 * client, no client certificates (Modbus/TCP Security: `tls` with `ca`).
 */
function openServerWarnings(config: GatewayConfig): string[] {
  const warnings: string[] = [];
  config.servers.forEach((s, i) => {
    if (s.protocol !== 'modbus' || s.serial || s.allow || s.tls?.ca || !beyondLoopback(s.host)) return;
    if (s.ports && s.ports.every((p) => p.client !== undefined)) return;
    warnings.push(
      `servers[${i}].allow: the Modbus server ${s.name} listens on ${s.host}, beyond this machine, with no allow list: any host on the network can read and write its registers; add allow: [ADDRESS or CIDR, ...] (or listen on 127.0.0.1)`,
    );
  });
  return warnings;
}

/** A pool with two ports reserved for one client: the client holds one of them, the other waits for nothing. */
function poolClientWarnings(config: GatewayConfig): string[] {
  const warnings: string[] = [];
  config.servers.forEach((s, i) => {
    const byClient = new Map<string, number[]>();
    for (const p of s.ports ?? [])
      if (p.client !== undefined) byClient.set(p.client, [...(byClient.get(p.client) ?? []), p.port]);
    for (const [client, ports] of byClient)
      if (ports.length > 1)
        warnings.push(
          `servers[${i}].ports: the pool of ${s.name} reserves ports ${ports.join(', ')} for the same client ${client}: one client address per port is meant (a typo in an address?); with onBusy ${s.onBusy} its sessions on these ports are not told apart by address`,
        );
  });
  return warnings;
}

/**
 * What `fieldgate check` warns about: valid, but probably not meant. The one list of warnings
 * (printed on stderr; check still exits 0). `exists` is the file test (a fake in tests);
 * `certificates` the inventory (expired, expiring within 30 days, unreadable).
 */
export function configWarnings(
  config: GatewayConfig,
  exists: (path: string) => boolean = existsSync,
  certificates: readonly CertificateEntry[] = [],
  now = Date.now(),
): string[] {
  const warnings: string[] = [];
  const s = config.status;
  if (s && s.tokenFile === undefined && beyondLoopback(s.listen.host))
    warnings.push(
      `status.listen: the status endpoint listens on ${showEndpoint(s.listen)}, beyond this machine, without a token: anyone on the network can read it; add status.tokenFile (or listen on 127.0.0.1)`,
    );
  warnings.push(...openServerWarnings(config), ...poolClientWarnings(config), ...serialWarnings(config, exists));
  warnings.push(...certificateWarnings(certificates, now));
  return warnings;
}

/** The MQTT link: format and ids, brokers, banks, where the backlog waits. */
function describeMqtt(m: MqttConfig): string[] {
  const ids =
    m.format === 'json'
      ? `json under ${m.topic}/<bank>/<point>`
      : `sparkplug-b, group ${m.group}, node ${m.node}${m.primaryHost !== undefined ? `, primary host ${m.primaryHost}` : ''}`;
  return [
    `mqtt: ${ids}`,
    `  brokers: ${m.urls.join(', ')}${m.username !== undefined ? ` (user ${m.username})` : ''}`,
    `  banks: ${m.banks.join(', ')}`,
    `  store while away: ${m.storeForward.dir} (at most ${showSize(m.storeForward.maxSize)})`,
  ];
}
