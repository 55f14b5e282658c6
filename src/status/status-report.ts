/**
 * What `fieldgate status` prints: the status document as tables a plant engineer reads at a glance:
 * servers, port pools (which client holds which port), sessions, devices, polls, commands,
 * decoding, points, the MQTT link, the config's certificates and the last warnings. Sections a
 * daemon's document lacks are left out.
 */
import type { DecodeCounters } from '../bank/frame-decoder.js';
import type { CommandStatus } from '../commands/command.js';
import type { DeviceStatus } from '../devices/device.js';
import type { PollStatus } from '../devices/modbus/modbus-status.js';
import type { MqttStatus } from '../mqtt/mqtt-status.js';
import { EXPIRY_WARNING_DAYS } from '../config/certificates.js';
import type { CertificateStatus, ServerEntry, SessionEntry, StatusDocument } from './document.js';
import type { BankEntry, PointEntry } from './points.js';
import { bytes, duration, interval, pointValue, portRanges, textTable } from './text-table.js';
import { warningsSection } from './warnings.js';

const host = (address: string) => (address.includes(':') ? `[${address}]` : address);

function listenOf(s: ServerEntry): string {
  if (s.serial) return `${s.serial.path} (${s.serial.state})`;
  const first = s.ports[0];
  if (!first) return '-';
  if (!s.pool && s.ports.length === 1) return `${host(first.address)}:${first.port}`;
  return `${host(first.address)}:${portRanges(s.ports.map((p) => p.port))}`;
}

function age(since: string, now: Date): string {
  const t = Date.parse(since);
  return Number.isNaN(t) ? '-' : duration((now.getTime() - t) / 1000);
}

function serversTable(servers: readonly ServerEntry[]): string {
  if (servers.length === 0) return 'SERVERS\n(none configured)';
  const rows = servers.map((s) => [
    s.name,
    s.protocol,
    s.state,
    listenOf(s),
    String(s.sessions.length),
    String(s.totals?.requests ?? 0),
    String(s.totals?.exceptions ?? 0),
    String(s.totals?.refused ?? 0),
    bytes(s.totals?.bytesIn ?? 0),
    bytes(s.totals?.bytesOut ?? 0),
  ]);
  const table = textTable(
    [
      { title: 'NAME' },
      { title: 'PROTOCOL' },
      { title: 'STATE' },
      { title: 'LISTEN' },
      { title: 'SESSIONS', right: true },
      { title: 'REQUESTS', right: true },
      { title: 'EXCEPTIONS', right: true },
      { title: 'REFUSED', right: true },
      { title: 'IN', right: true },
      { title: 'OUT', right: true },
    ],
    rows,
  );
  const errors = servers.filter((s) => s.error !== null).map((s) => `  ${s.name} is DOWN: ${s.error}`);
  return ['SERVERS', table, ...errors].join('\n');
}

function poolsTable(servers: readonly ServerEntry[], now: Date): string | undefined {
  const pools = servers.filter((s) => s.pool);
  if (pools.length === 0) return undefined;
  const rows = pools.flatMap((s) =>
    s.ports.map((p) => {
      const held = p.session;
      return [
        s.name,
        String(p.port),
        p.client ?? 'any',
        held ? `#${held.id}` : 'free',
        held?.remote ?? '-',
        held ? age(held.since, now) : '-',
        held ? String(held.requests) : '-',
      ];
    }),
  );
  return [
    'PORT POOLS',
    textTable(
      [
        { title: 'SERVER' },
        { title: 'PORT', right: true },
        { title: 'RESERVED FOR' },
        { title: 'SESSION' },
        { title: 'CLIENT' },
        { title: 'FOR', right: true },
        { title: 'REQUESTS', right: true },
      ],
      rows,
    ),
  ].join('\n');
}

function sessionsTable(servers: readonly ServerEntry[], now: Date): string {
  const rows = servers.flatMap((s) =>
    s.sessions.map((x: SessionEntry) => [
      s.name,
      `#${x.id}`,
      // TLS sessions: who the certificate says the client is
      x.tls ? `${x.remote} ${x.tls.subject ?? '-'} role=${x.tls.role ?? '(none)'}` : x.remote,
      age(x.since, now),
      String(x.requests),
      bytes(x.bytesIn),
      bytes(x.bytesOut),
    ]),
  );
  if (rows.length === 0) return 'SESSIONS\n(none open)';
  return [
    'SESSIONS',
    textTable(
      [
        { title: 'SERVER' },
        { title: 'SESSION' },
        { title: 'CLIENT' },
        { title: 'FOR', right: true },
        { title: 'REQUESTS', right: true },
        { title: 'IN', right: true },
        { title: 'OUT', right: true },
      ],
      rows,
    ),
  ].join('\n');
}

/** A count only Modbus links have (and only daemons that count it): '-' elsewhere. */
function counter(d: DeviceStatus, field: 'coalesced' | 'cacheHits'): string {
  const v = (d as Partial<Record<typeof field, unknown>>)[field];
  return typeof v === 'number' ? String(v) : '-';
}

function devicesTable(devices: readonly DeviceStatus[]): string {
  if (devices.length === 0) return 'DEVICES\n(none running)';
  const rows = devices.map((d) => [
    d.name,
    d.type,
    d.state,
    String(d.queue),
    String(d.requests),
    String(d.timeouts),
    counter(d, 'coalesced'),
    counter(d, 'cacheHits'),
    d.lastError ?? '-',
  ]);
  return [
    'DEVICES',
    textTable(
      [
        { title: 'NAME' },
        { title: 'TYPE' },
        { title: 'STATE' },
        { title: 'QUEUE', right: true },
        { title: 'REQUESTS', right: true },
        { title: 'TIMEOUTS', right: true },
        { title: 'COALESCED', right: true },
        { title: 'CACHE HITS', right: true },
        { title: 'LAST ERROR' },
      ],
      rows,
    ),
  ].join('\n');
}

/** The polls of a device, as its status shows them (Modbus links that poll). */
function pollsOf(d: DeviceStatus): readonly PollStatus[] {
  const polls = (d as { polls?: unknown }).polls;
  return Array.isArray(polls) ? (polls as PollStatus[]) : [];
}

/** Each poll: what it reads from which unit, where to, how often, and whether its range is stale. */
function pollsTable(devices: readonly DeviceStatus[], now: Date): string | undefined {
  const rows = devices.flatMap((d) =>
    pollsOf(d).map((p) => [
      d.name,
      p.unit === undefined ? '-' : String(p.unit),
      `${p.table} ${p.address}${p.count > 1 ? `..${p.address + p.count - 1}` : ''}`,
      p.into,
      interval(p.every),
      p.lastSuccess === null ? 'never' : `${age(p.lastSuccess, now)} ago`,
      p.stale ? 'yes' : 'no',
      p.lastError ?? '-',
    ]),
  );
  if (rows.length === 0) return undefined;
  return [
    'POLLS',
    textTable(
      [
        { title: 'DEVICE' },
        { title: 'UNIT', right: true },
        { title: 'READ' },
        { title: 'INTO' },
        { title: 'EVERY', right: true },
        { title: 'LAST OK', right: true },
        { title: 'STALE' },
        { title: 'LAST ERROR' },
      ],
      rows,
    ),
  ].join('\n');
}

/** Each command (a bank write sending a frame to a device) and its counters. */
function commandsTable(commands: readonly CommandStatus[] | undefined): string | undefined {
  if (!commands || commands.length === 0) return undefined;
  const rows = commands.map((c) => [
    c.name,
    c.device,
    String(c.triggers),
    String(c.sent),
    String(c.replies),
    String(c.refused),
    String(c.timeouts),
    String(c.dropped),
    String(c.failed),
    String(c.queued),
    c.pending ? 'yes' : 'no',
  ]);
  const n = (title: string) => ({ title, right: true });
  return [
    'COMMANDS',
    textTable(
      [
        { title: 'NAME' },
        { title: 'DEVICE' },
        n('TRIGGERS'),
        n('SENT'),
        n('REPLIES'),
        n('REFUSED'),
        n('TIMEOUTS'),
        n('DROPPED'),
        n('FAILED'),
        n('QUEUED'),
        { title: 'WAITING' },
      ],
      rows,
    ),
  ].join('\n');
}

function decodedOf(d: DeviceStatus): DecodeCounters | undefined {
  const v = (d as { decoded?: unknown }).decoded;
  return typeof v === 'object' && v !== null ? (v as DecodeCounters) : undefined;
}

/** Frames decoded into banks: per raw server with a decode handler and per raw device with decode:. */
function decodingTable(doc: StatusDocument): string | undefined {
  const rows: string[][] = [];
  for (const s of doc.servers)
    if (s.decoded) rows.push(['server', s.name, String(s.decoded.stored), String(s.decoded.refused)]);
  for (const d of doc.devices) {
    const c = decodedOf(d);
    if (c) rows.push(['device', d.name, String(c.stored), String(c.refused)]);
  }
  if (rows.length === 0) return undefined;
  return [
    'DECODING',
    textTable(
      [{ title: 'FROM' }, { title: 'NAME' }, { title: 'STORED', right: true }, { title: 'REFUSED', right: true }],
      rows,
    ),
  ].join('\n');
}

function header(doc: StatusDocument): string[] {
  const lines = [
    `fieldgate ${doc.version} "${doc.gateway}": up ${duration(doc.uptimeSeconds)}${doc.config ? `, config ${doc.config}` : ''}`,
  ];
  const last = doc.reload?.last;
  if (last) lines.push(`last reload ${last.at}: ${last.result}: ${last.summary}`);
  const down =
    doc.servers.filter((s) => s.state !== 'listening').length + doc.devices.filter((d) => d.state === 'down').length;
  lines.push(down === 0 ? 'health: ok' : `health: ${down} problem(s): servers or devices down (below)`);
  return lines;
}

function valueText(p: PointEntry): string {
  return typeof p.value === 'number' ? pointValue(p.value, p.type) : JSON.stringify(p.value);
}

/** Points of the banks that declare them: value and how long ago it was updated. */
function pointsTable(banks: readonly BankEntry[] | undefined): string | undefined {
  const rows = (banks ?? []).flatMap((b) =>
    b.points.map((p) => [
      b.name,
      p.name,
      `${p.table} ${p.address}`,
      p.type,
      valueText(p),
      p.ageSeconds === null ? 'never' : `${duration(p.ageSeconds)} ago`,
    ]),
  );
  if (rows.length === 0) return undefined;
  return [
    'POINTS',
    textTable(
      [
        { title: 'BANK' },
        { title: 'POINT' },
        { title: 'AT' },
        { title: 'TYPE' },
        { title: 'VALUE', right: true },
        { title: 'UPDATED', right: true },
      ],
      rows,
    ),
  ].join('\n');
}

/** The MQTT link: broker, state, what went out, the backlog, commands. */
function mqttTable(mqtt: MqttStatus | null | undefined): string | undefined {
  if (!mqtt) return undefined;
  const host = mqtt.primaryHost
    ? `, primary host ${mqtt.primaryHost.id} ${mqtt.primaryHost.online ? 'online' : 'offline'}`
    : '';
  const lines = [
    `MQTT (${mqtt.format}${mqtt.bdSeq !== undefined ? `, bdSeq ${mqtt.bdSeq}` : ''}${host})`,
    textTable(
      [
        { title: 'BROKER' },
        { title: 'STATE' },
        { title: 'BIRTHS', right: true },
        { title: 'MESSAGES', right: true },
        { title: 'SENT', right: true },
        { title: 'BACKLOG', right: true },
        { title: 'DROPPED', right: true },
        { title: 'COMMANDS', right: true },
        { title: 'LAST ERROR' },
      ],
      [
        [
          mqtt.broker ?? mqtt.brokers.join(' '),
          mqtt.state,
          String(mqtt.births),
          String(mqtt.messagesOut),
          bytes(mqtt.bytesOut),
          `${mqtt.backlog.records} (${bytes(mqtt.backlog.bytes)})`,
          String(mqtt.backlog.dropped),
          `${mqtt.commandsAccepted} ok, ${mqtt.commandsRefused} refused`,
          mqtt.lastError ?? '-',
        ],
      ],
    ),
  ];
  const dead = mqtt.banks.filter((b) => !b.alive).map((b) => b.name);
  if (dead.length > 0) lines.push(`banks whose source is gone (DDEATH): ${dead.join(', ')}`);
  return lines.join('\n');
}

/** The config's certificates: owner, file, subject, issuer, expiry; left out when there are none. */
function certificatesTable(certificates: readonly CertificateStatus[] | undefined): string | undefined {
  if (!certificates || certificates.length === 0) return undefined;
  const expires = (c: CertificateStatus) => {
    if (c.expiresInSeconds === null) return `UNREADABLE: ${c.error ?? '?'}`;
    if (c.expiresInSeconds <= 0) return 'EXPIRED';
    const soon = c.expiresInSeconds < EXPIRY_WARNING_DAYS * 86_400 ? ' (SOON)' : '';
    return `in ${duration(c.expiresInSeconds)}${soon}`;
  };
  const rows = certificates.map((c) => [
    c.owner,
    c.file,
    c.subject ?? '-',
    c.issuer ?? '-',
    c.notAfter?.slice(0, 10) ?? '-',
    expires(c),
  ]);
  return [
    'CERTIFICATES',
    textTable(
      [
        { title: 'OWNER' },
        { title: 'FILE' },
        { title: 'SUBJECT' },
        { title: 'ISSUER' },
        { title: 'NOT AFTER' },
        { title: 'EXPIRES' },
      ],
      rows,
    ),
  ].join('\n');
}

export function renderStatus(doc: StatusDocument, now = new Date()): string {
  const parts = [
    header(doc).join('\n'),
    serversTable(doc.servers),
    poolsTable(doc.servers, now),
    sessionsTable(doc.servers, now),
    devicesTable(doc.devices),
    pollsTable(doc.devices, now),
    commandsTable(doc.commands),
    decodingTable(doc),
    pointsTable(doc.banks),
    mqttTable(doc.mqtt),
    certificatesTable(doc.certificates),
    warningsSection(doc.warnings),
  ];
  return `${parts.filter((p) => p !== undefined).join('\n\n')}\n`;
}
