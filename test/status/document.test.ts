/**
 * The status document, health, STATUS= line and `fieldgate status` tables, built from stub servers
 * and devices: any GatewayServer (an ordinary one, a port pool partly taken) and any DeviceLink.
 */
import { describe, expect, it } from 'vitest';
import { Bank } from '../../src/bank/bank.js';
import type { ServerConfig } from '../../src/config/types.js';
import type { DeviceLink, DeviceStatus } from '../../src/devices/device.js';
import type { GatewayServer, PortStatus } from '../../src/servers/server.js';
import {
  buildDocument,
  healthProblems,
  statusLine,
  type GatewayView,
  type ServerView,
} from '../../src/status/document.js';
import { renderStatus } from '../../src/status/status-report.js';
import { bytes, duration, portRanges } from '../../src/status/text-table.js';
import { Totals } from '../../src/status/totals.js';
import type { SessionStats } from '../../src/transport/session-stream.js';

const since = new Date('2026-01-01T10:00:00Z');
const session = (id: number, remote: string, requests: number): SessionStats => ({
  id,
  remote,
  since,
  bytesIn: 12 * requests,
  bytesOut: 25 * requests,
  requests,
});

function serverConfig(name: string, over: Partial<ServerConfig> = {}): ServerConfig {
  return {
    name,
    protocol: 'modbus',
    host: '0.0.0.0',
    port: 502,
    onBusy: 'replace-same-client',
    maxClients: 32,
    idleTimeout: 60000,
    sendTimeout: 10000,
    keepAlive: 30000,
    readOnly: false,
    units: new Map(),
    maxInFlight: 16,
    ...over,
  } as ServerConfig;
}

function stubServer(config: ServerConfig, ports: PortStatus[], sessions: SessionStats[]): GatewayServer {
  return {
    name: config.name,
    config,
    sessionCount: sessions.length,
    start: async () => undefined,
    stop: async () => undefined,
    ports: () => ports,
    sessionStats: () => sessions,
  };
}

function stubDevice(status: DeviceStatus): DeviceLink {
  return {
    name: status.name,
    config: {} as DeviceLink['config'],
    start: async () => undefined,
    stop: async () => undefined,
    status: () => status,
  };
}

const scadaSessions = [session(1, '192.168.10.5:50100', 40), session(2, '192.168.10.6:50200', 2)];
const held = session(4, '192.168.250.11:50312', 100);
const scada = serverConfig('scada');
const presses = serverConfig('presses', {
  port: undefined,
  ports: [{ port: 9601, client: '192.168.250.11' }, { port: 9602, client: '192.168.250.12' }, { port: 9603 }],
});
const pressesPorts: PortStatus[] = [
  { port: 9601, address: '0.0.0.0', client: '192.168.250.11', session: held },
  { port: 9602, address: '0.0.0.0', client: '192.168.250.12', session: null },
  { port: 9603, address: '0.0.0.0', client: null, session: null },
];
const late = serverConfig('late', { port: 7000 });

function view(devices: DeviceStatus[]): GatewayView {
  const servers: ServerView[] = [
    {
      config: scada,
      server: stubServer(scada, [{ port: 502, address: '0.0.0.0', client: null, session: null }], scadaSessions),
      error: null,
    },
    { config: presses, server: stubServer(presses, pressesPorts, [held]), error: null },
    {
      config: late,
      server: undefined,
      error: 'server "late" cannot listen on 0.0.0.0:7000: the address is already in use',
    },
  ];
  return {
    name: 'line3-pi',
    startedAt: new Date(Date.now() - 3725_000),
    configFile: '/etc/fieldgate/fieldgate.yaml',
    reloads: {
      applied: 1,
      refused: 0,
      last: { at: since, result: 'applied', summary: 'servers +late (2 unchanged); DOWN: late (in use)' },
    },
    serverViews: () => servers,
    deviceLinks: () => devices.map(stubDevice),
  };
}

const rs485: DeviceStatus & { coalesced: number; cacheHits: number } = {
  name: 'rs485',
  type: 'modbus-rtu',
  state: 'up',
  queue: 0,
  requests: 1000,
  timeouts: 2,
  coalesced: 450,
  cacheHits: 3000,
  lastError: null,
};
const plc1: DeviceStatus = {
  name: 'plc1',
  type: 'modbus-tcp',
  state: 'down',
  queue: 3,
  requests: 10,
  timeouts: 4,
  lastError: 'connect ECONNREFUSED 192.168.250.1:502',
};

describe('status document', () => {
  it('has the shape the README gives the status document, for any server: ordinary, pool partly taken, down', () => {
    const totals = new Totals();
    totals.sessionOpened('scada');
    totals.request('scada', 3, 0, 0.001);
    totals.request('scada', 3, 2, 0.001);
    totals.bytes('scada', 100, 200);
    const doc = buildDocument(view([rs485]), '0.1.0', totals);
    expect(doc).toMatchObject({ gateway: 'line3-pi', version: '0.1.0', config: '/etc/fieldgate/fieldgate.yaml' });
    expect(doc.uptimeSeconds).toBeGreaterThanOrEqual(3725);
    const [s, p, l] = doc.servers;
    expect(s).toMatchObject({ name: 'scada', protocol: 'modbus', state: 'listening', error: null, pool: false });
    expect(s?.ports).toEqual([{ port: 502, address: '0.0.0.0', client: null, session: null }]);
    expect(s?.sessions[0]).toEqual({
      id: 1,
      remote: '192.168.10.5:50100',
      since: '2026-01-01T10:00:00.000Z',
      bytesIn: 480,
      bytesOut: 1000,
      requests: 40,
    });
    // totals: closed sessions' bytes (from the observer) plus the open sessions' live counts
    expect(s?.totals).toEqual({
      sessionsOpened: 1,
      refused: 0,
      requests: 2,
      exceptions: 1,
      bytesIn: 100 + 480 + 24,
      bytesOut: 200 + 1000 + 50,
    });
    expect(p).toMatchObject({ name: 'presses', pool: true });
    expect(p?.ports.map((x) => [x.port, x.client, x.session?.id ?? null])).toEqual([
      [9601, '192.168.250.11', 4],
      [9602, '192.168.250.12', null],
      [9603, null, null],
    ]);
    expect(l).toMatchObject({
      name: 'late',
      state: 'down',
      sessions: [],
      ports: [{ port: 7000, address: '0.0.0.0', client: null, session: null }],
    });
    expect(l?.error).toContain('already in use');
    expect(doc.devices).toEqual([rs485]);
    // it is JSON: nothing is lost on the way
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });

  it('health lists every server down and every device down', () => {
    expect(healthProblems(view([rs485, plc1]))).toEqual([
      'server late is down: server "late" cannot listen on 0.0.0.0:7000: the address is already in use',
      'device plc1 is down: connect ECONNREFUSED 192.168.250.1:502',
    ]);
  });

  it("systemd's STATUS= line counts servers, sessions and devices up", () => {
    expect(statusLine(view([rs485, plc1]))).toBe('2 server(s) listening, 3 session(s), 1/2 device(s) up; DOWN: late');
  });
});

describe('fieldgate status tables', () => {
  const text = renderStatus(
    buildDocument(view([rs485, plc1]), '0.1.0', new Totals()),
    new Date('2026-01-01T10:05:00Z'),
  );
  const section = (title: string) => text.split('\n\n').find((s) => s.startsWith(title)) ?? '';

  it('a header with the gateway, health and the last reload', () => {
    expect(text).toMatch(/^fieldgate 0\.1\.0 "line3-pi": up 1h 2m 5s, config \/etc\/fieldgate\/fieldgate\.yaml$/m);
    expect(text).toContain('last reload 2026-01-01T10:00:00.000Z: applied: servers +late');
    expect(text).toContain('health: 2 problem(s)');
  });

  it('servers: one row each, with listen, sessions, and why a server is down', () => {
    const s = section('SERVERS').split('\n');
    expect(s[1]).toMatch(/^NAME\s+PROTOCOL\s+STATE\s+LISTEN\s+SESSIONS\s+REQUESTS/);
    expect(s.find((l) => l.startsWith('scada'))).toMatch(/^scada\s+modbus\s+listening\s+0\.0\.0\.0:502\s+2\s/);
    expect(s.find((l) => l.startsWith('presses'))).toMatch(
      /^presses\s+modbus\s+listening\s+0\.0\.0\.0:9601-9603\s+1\s/,
    );
    expect(s.find((l) => l.startsWith('late'))).toMatch(/^late\s+modbus\s+down\s+0\.0\.0\.0:7000\s+0\s/);
    expect(section('SERVERS')).toContain(
      '  late is DOWN: server "late" cannot listen on 0.0.0.0:7000: the address is already in use',
    );
  });

  it('port pools: which client holds which port, and which are free', () => {
    const rows = section('PORT POOLS').split('\n').slice(3);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toMatch(/^presses\s+9601\s+192\.168\.250\.11\s+#4\s+192\.168\.250\.11:50312\s+5m 0s\s+100$/);
    expect(rows[1]).toMatch(/^presses\s+9602\s+192\.168\.250\.12\s+free\s+-\s+-\s+-$/);
    expect(rows[2]).toMatch(/^presses\s+9603\s+any\s+free/);
  });

  it("a TLS session: the certificate's subject and role beside the address", () => {
    const doc = buildDocument(view([rs485, plc1]), '0.1.0', new Totals());
    const [first, ...rest] = doc.servers;
    if (!first?.sessions[0]) throw new Error('the fixture has a session on its first server');
    const tls = { subject: 'CN=op1', role: 'Operator' };
    const withTls = { ...first, sessions: [{ ...first.sessions[0], tls }] };
    const out = renderStatus({ ...doc, servers: [withTls, ...rest] }, new Date('2026-01-01T10:05:00Z'));
    expect(out).toMatch(/scada\s+#1\s+192\.168\.10\.5:50100 CN=op1 role=Operator\s+5m 0s/);
  });

  it('sessions and devices', () => {
    expect(section('SESSIONS').split('\n')).toHaveLength(3 + 3);
    expect(section('SESSIONS')).toMatch(/scada\s+#1\s+192\.168\.10\.5:50100\s+5m 0s\s+40\s+480 B\s+1000 B/);
    const devices = section('DEVICES').split('\n');
    expect(devices.find((l) => l.startsWith('plc1'))).toMatch(
      /^plc1\s+modbus-tcp\s+down\s+3\s+10\s+4\s+-\s+-\s+connect ECONNREFUSED/,
    );
    expect(devices.find((l) => l.startsWith('rs485'))).toMatch(
      /^rs485\s+modbus-rtu\s+up\s+0\s+1000\s+2\s+450\s+3000\s+-$/,
    );
  });

  it('points: value and how long ago each was updated, only when a bank declares points', () => {
    expect(section('POINTS')).toBe('');
    const bank = new Bank({
      name: 'fpga1',
      tables: { input: 8 },
      values: {},
      points: [
        { name: 'ch1', table: 'input', address: 0, type: 'float32', order: 'ABCD', scale: 1, offset: 0 },
        { name: 'seq', table: 'input', address: 2, type: 'uint32', order: 'ABCD', scale: 1, offset: 0 },
      ],
    });
    const now = new Date('2026-01-01T10:05:00Z');
    bank.point('ch1')!.set(1.5, now.getTime() - 65_000);
    const doc = buildDocument({ ...view([]), banks: new Map([['fpga1', bank]]) }, '0.1.0', new Totals(), now);
    const rows = renderStatus(doc, now)
      .split('\n\n')
      .find((t) => t.startsWith('POINTS'))!
      .split('\n');
    expect(rows[1]).toMatch(/^BANK\s+POINT\s+AT\s+TYPE\s+VALUE\s+UPDATED$/);
    expect(rows[3]).toMatch(/^fpga1\s+ch1\s+input 0\s+float32\s+1\.5\s+1m 5s ago$/);
    expect(rows[4]).toMatch(/^fpga1\s+seq\s+input 2\s+uint32\s+0\s+never$/);
  });

  it('formats sizes, durations and port ranges', () => {
    expect([bytes(0), bytes(1536), bytes(5 * 1024 * 1024)]).toEqual(['0 B', '1.5 KiB', '5.0 MiB']);
    expect([duration(0), duration(59.9), duration(61), duration(3725), duration(90000)]).toEqual([
      '0s',
      '59s',
      '1m 1s',
      '1h 2m 5s',
      '1d 1h 0m',
    ]);
    expect(portRanges([9603, 9601, 9602, 9610, 7000])).toBe('7000,9601-9603,9610');
  });
});
