/**
 * The status document (README, "The status document"), served as JSON at GET /status and printed by `fieldgate status`.
 * Built from a read-only view of the gateway, so it works for any GatewayServer (modbus or raw, one
 * port or a pool) and any DeviceLink. Additions to §2.3, all optional to readers: `startedAt`,
 * `config`, `reload`, `warnings`, `console`; per server `state`, `error`, `pool`, `totals`.
 */
import type { Bank } from '../bank/bank.js';
import type { DecodeCounters } from '../bank/frame-decoder.js';
import type { CommandStatus } from '../commands/command.js';
import type { MqttStatus } from '../mqtt/mqtt-status.js';
import { expiresInSeconds, isProblem, type CertificateEntry } from '../config/certificates.js';
import type { ServerConfig } from '../config/types.js';
import type { DeviceLink, DeviceStatus } from '../devices/device.js';
import type { GatewayServer, PortStatus, SerialLineStatus } from '../servers/server.js';
import type { SessionStats } from '../transport/session-stream.js';
import { bankEntries, type BankEntry } from './points.js';
import type { ServerTotals, Totals } from './totals.js';
import { warningEntries, type WarningEntry } from './warnings.js';

/** One configured server: running, or down with the reason (a port that could not be bound on reload). */
export interface ServerView {
  readonly config: ServerConfig;
  readonly server: GatewayServer | undefined;
  readonly error: string | null;
  /** A server down because its port was busy: its port is bound again, with backoff. */
  readonly retry?: BindRetryView;
}

/** A server's port being bound again after a reload found it busy. */
export interface BindRetryView {
  /** Failed attempts since the reload (the reload's own attempt not counted). */
  readonly attempts: number;
  readonly since: Date;
  readonly nextAttemptAt: Date;
}

export interface ReloadRecord {
  readonly at: Date;
  readonly result: 'applied' | 'refused';
  /** One line: what changed, or why it was refused. */
  readonly summary: string;
}

/** What the status module reads from the gateway. */
export interface GatewayView {
  readonly name: string;
  readonly startedAt: Date;
  readonly configFile: string | undefined;
  readonly reloads: { readonly applied: number; readonly refused: number; readonly last: ReloadRecord | null };
  serverViews(): ServerView[];
  deviceLinks(): DeviceLink[];
  /** The live banks (their points are listed with values and ages). */
  readonly banks?: ReadonlyMap<string, Bank>;
  /** The running commands and their counters. */
  commandStatus?(): CommandStatus[];
  /** The northbound MQTT link; undefined when the config has none. */
  mqttStatus?(): MqttStatus | undefined;
  /** The certificates the config names (read at start and on reload). */
  certificateEntries?(): readonly CertificateEntry[];
}

export interface SessionEntry {
  readonly id: number;
  readonly remote: string;
  readonly since: string;
  readonly bytesIn: number;
  readonly bytesOut: number;
  readonly requests: number;
  /** TLS sessions: the client certificate's subject and Modbus role (null: none). */
  readonly tls?: { readonly subject: string | null; readonly role: string | null };
}

export interface PortEntry {
  readonly port: number;
  readonly address: string;
  readonly client: string | null;
  readonly session: SessionEntry | null;
}

export interface ServerEntry {
  readonly name: string;
  readonly protocol: string;
  readonly state: 'listening' | 'down';
  readonly error: string | null;
  /** True for a port pool (one session per port). */
  readonly pool: boolean;
  readonly ports: PortEntry[];
  readonly sessions: SessionEntry[];
  /** Since start (closed and open sessions together). */
  readonly totals: ServerTotals;
  /** Decoding raw servers: frames stored into banks and refused (bad checksum, sync, length). */
  readonly decoded?: DecodeCounters;
  /** Servers that take RTU frames (frame: rtu, serial): requests dropped for a bad CRC since start. */
  readonly crcErrors?: number;
  /** A serial server (RTU slave): its line, units ignored, broadcasts executed, bytes dropped. */
  readonly serial?: SerialLineStatus;
  /** A server down whose port is being bound again (it was busy on reload). */
  readonly retry?: { readonly attempts: number; readonly since: string; readonly nextAttemptAt: string };
}

/** What the web console may do on this endpoint. */
export interface ConsoleEntry {
  /** POST /banks/<bank>/points/<point> is accepted (`status.writes: true` with a token). */
  readonly writes: boolean;
}

export interface StatusDocument {
  readonly gateway: string;
  readonly version: string;
  readonly uptimeSeconds: number;
  readonly startedAt: string;
  readonly config: string | null;
  readonly reload: {
    readonly applied: number;
    readonly refused: number;
    readonly last: (Omit<ReloadRecord, 'at'> & { at: string }) | null;
  };
  readonly servers: ServerEntry[];
  readonly devices: DeviceStatus[];
  /** Banks that declare points: each point's value and age. */
  readonly banks: BankEntry[];
  /** Commands (bank writes that send frames to devices) and their counters. */
  readonly commands: CommandStatus[];
  /** The northbound MQTT link (Sparkplug B or JSON); null when the config has no `mqtt:`. */
  readonly mqtt: MqttStatus | null;
  /** The last warn, error and fatal log lines (at most 50), newest last. */
  readonly warnings: WarningEntry[];
  /** Every certificate the config names, one entry per certificate of a file (optional to readers). */
  readonly certificates?: CertificateStatus[];
  /**
   * What the web console may do here (the page shows set buttons only when `writes` is true). Always
   * built; optional to readers (a document from an older daemon has none).
   */
  readonly console?: ConsoleEntry;
}

/** A certificate in /status: its expiry counted at request time; a file that cannot be read has `error`. */
export interface CertificateStatus {
  readonly owner: string;
  readonly file: string;
  readonly subject: string | null;
  readonly issuer: string | null;
  readonly notAfter: string | null;
  readonly expiresInSeconds: number | null;
  readonly error: string | null;
}

export function certificateStatus(entries: readonly CertificateEntry[], now: number): CertificateStatus[] {
  return entries.map((e) =>
    isProblem(e)
      ? {
          owner: e.owner,
          file: e.file,
          subject: null,
          issuer: null,
          notAfter: null,
          expiresInSeconds: null,
          error: e.error,
        }
      : {
          owner: e.owner,
          file: e.file,
          subject: e.subject,
          issuer: e.issuer,
          notAfter: e.notAfter,
          expiresInSeconds: expiresInSeconds(e, now),
          error: null,
        },
  );
}

export function sessionEntry(s: SessionStats): SessionEntry {
  return {
    id: s.id,
    remote: s.remote,
    since: s.since.toISOString(),
    bytesIn: s.bytesIn,
    bytesOut: s.bytesOut,
    requests: s.requests,
    ...(s.tls ? { tls: { subject: s.tls.subject, role: s.tls.role } } : {}),
  };
}

function portEntry(p: PortStatus): PortEntry {
  return { port: p.port, address: p.address, client: p.client, session: p.session ? sessionEntry(p.session) : null };
}

/** A server that is down still shows the ports it is configured for. */
function configuredPorts(config: ServerConfig): PortEntry[] {
  if (config.ports)
    return config.ports.map((p) => ({ port: p.port, address: config.host, client: p.client ?? null, session: null }));
  return [{ port: config.port ?? 0, address: config.host, client: null, session: null }];
}

export function serverEntry(view: ServerView, totals: Totals | undefined): ServerEntry {
  const { config, server } = view;
  const sessions = server ? server.sessionStats().map(sessionEntry) : [];
  const base = totals?.of(config.name);
  const live = sessions.reduce((t, s) => ({ bytesIn: t.bytesIn + s.bytesIn, bytesOut: t.bytesOut + s.bytesOut }), {
    bytesIn: 0,
    bytesOut: 0,
  });
  const decoded = server?.decoded?.();
  const crcErrors = server?.crcErrors?.();
  const serial = server?.serialLine?.();
  return {
    name: config.name,
    protocol: config.protocol,
    state: server ? 'listening' : 'down',
    error: view.error,
    pool: config.ports !== undefined,
    ports: server ? server.ports().map(portEntry) : configuredPorts(config),
    sessions,
    totals: {
      sessionsOpened: base?.sessionsOpened ?? 0,
      refused: base?.refused ?? 0,
      requests: base?.requests ?? 0,
      exceptions: base?.exceptions ?? 0,
      bytesIn: (base?.bytesIn ?? 0) + live.bytesIn,
      bytesOut: (base?.bytesOut ?? 0) + live.bytesOut,
    },
    ...(decoded ? { decoded: { ...decoded } } : {}),
    ...(crcErrors !== undefined ? { crcErrors } : {}),
    ...(serial ? { serial } : {}),
    ...(view.retry
      ? {
          retry: {
            attempts: view.retry.attempts,
            since: view.retry.since.toISOString(),
            nextAttemptAt: view.retry.nextAttemptAt.toISOString(),
          },
        }
      : {}),
  };
}

export function buildDocument(
  view: GatewayView,
  version: string,
  totals: Totals | undefined,
  now = new Date(),
  console: ConsoleEntry = { writes: false },
): StatusDocument {
  const last = view.reloads.last;
  return {
    gateway: view.name,
    version,
    uptimeSeconds: Math.round((now.getTime() - view.startedAt.getTime()) / 100) / 10,
    startedAt: view.startedAt.toISOString(),
    config: view.configFile ?? null,
    reload: {
      applied: view.reloads.applied,
      refused: view.reloads.refused,
      last: last ? { ...last, at: last.at.toISOString() } : null,
    },
    servers: view.serverViews().map((v) => serverEntry(v, totals)),
    devices: view.deviceLinks().map((d) => d.status()),
    banks: view.banks ? bankEntries(view.banks, now.getTime()) : [],
    commands: view.commandStatus?.() ?? [],
    mqtt: view.mqttStatus?.() ?? null,
    warnings: warningEntries(),
    certificates: certificateStatus(view.certificateEntries?.() ?? [], now.getTime()),
    console: { writes: console.writes },
  };
}

/** Why the gateway is not healthy: servers down (and when a busy port is tried next), devices down. Empty = healthy. */
export function healthProblems(view: GatewayView, now = Date.now()): string[] {
  const problems: string[] = [];
  for (const v of view.serverViews()) {
    if (v.server) continue;
    const retry = v.retry
      ? `; binding is retried (${v.retry.attempts} failed so far, next in ${(Math.max(0, v.retry.nextAttemptAt.getTime() - now) / 1000).toFixed(1)} s)`
      : '';
    problems.push(`server ${v.config.name} is down: ${v.error ?? 'not running'}${retry}`);
  }
  for (const d of view.deviceLinks()) {
    const s = d.status();
    if (s.state === 'down') problems.push(`device ${s.name} is down${s.lastError ? `: ${s.lastError}` : ''}`);
  }
  const mqtt = view.mqttStatus?.();
  if (mqtt?.state === 'down') problems.push(`mqtt is down${mqtt.lastError ? `: ${mqtt.lastError}` : ''}`);
  return problems;
}

/** The one-line state for systemd's STATUS= (shown by `systemctl status`). */
export function statusLine(view: GatewayView): string {
  const servers = view.serverViews();
  const running = servers.filter((v) => v.server);
  const sessions = running.reduce((n, v) => n + (v.server?.sessionCount ?? 0), 0);
  const devices = view.deviceLinks().map((d) => d.status());
  const up = devices.filter((d) => d.state === 'up').length;
  const down = servers.filter((v) => !v.server).map((v) => v.config.name);
  return (
    `${running.length} server(s) listening, ${sessions} session(s), ${up}/${devices.length} device(s) up` +
    (down.length > 0 ? `; DOWN: ${down.join(', ')}` : '')
  );
}
