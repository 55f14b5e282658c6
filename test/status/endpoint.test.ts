/**
 * The status endpoint of the built daemon (`fieldgate run`), with sessions open: GET /health,
 * /status (README, "The status document"), /metrics (checked by a strict reader of the Prometheus text format), and
 * `fieldgate status` reading it.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeClient, modbusClient, rawConnect } from '../helpers/clients.js';
import { runCommand, startDaemon, tempFile, type Daemon } from '../helpers/daemon.js';
import { parsePrometheusText, sampleValue } from '../helpers/prom-text.js';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

const config = (pool: [number, number]) => `
gateway: { name: status-test }
status: { listen: 127.0.0.1:0 }
banks:
  plant: { holding: 10, values: { holding: { 0: [11, 22] } } }
servers:
  - { name: scada, protocol: modbus, listen: 127.0.0.1:0, bank: plant }
  - name: presses
    protocol: modbus
    listen: 127.0.0.1
    ports: { ${pool[0]}: { client: 127.0.0.1 }, ${pool[1]}: {} }
    bank: plant
`;

let daemon: Daemon;
let base = '';
let scadaPort = 0;
let pool: [number, number];
const clients: Awaited<ReturnType<typeof modbusClient>>[] = [];

beforeAll(async () => {
  pool = [await freePort(), await freePort()];
  daemon = startDaemon(['run', '-c', tempFile('status.yaml', config(pool))]);
  const status = await daemon.waitFor((l) => l['msg'] === 'status endpoint listening');
  base = `http://127.0.0.1:${status['port'] as number}`;
  scadaPort = (await daemon.waitFor((l) => l['msg'] === 'listening' && l['server'] === 'scada'))['port'] as number;
  await daemon.waitFor((l) => l['msg'] === 'started');
  for (let i = 0; i < 2; i++) clients.push(await modbusClient(scadaPort));
  const [a, b] = clients;
  await a!.readHoldingRegisters(0, 2);
  await a!.readHoldingRegisters(0, 2);
  await b!.writeRegister(3, 33);
  await expect(b!.readHoldingRegisters(9, 5)).rejects.toMatchObject({ modbusCode: 2 });
});

afterAll(async () => {
  for (const c of clients) await closeClient(c);
  daemon.child.kill('SIGTERM');
  expect(await daemon.exited).toBe(0);
});

describe('GET /health', () => {
  it('is 200 while every server listens and no device is down', async () => {
    const r = await fetch(`${base}/health`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ ok: true, problems: [] });
  });
});

describe('GET /status', () => {
  it('is the status document, with the open sessions and their counters', async () => {
    const r = await fetch(`${base}/status`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('application/json');
    const doc = (await r.json()) as Record<string, any>;
    expect(doc).toMatchObject({
      gateway: 'status-test',
      version: expect.any(String),
      uptimeSeconds: expect.any(Number),
      devices: [],
    });
    const scada = doc['servers'][0];
    expect(scada).toMatchObject({ name: 'scada', protocol: 'modbus', state: 'listening', pool: false });
    expect(scada.ports).toEqual([{ port: scadaPort, address: '127.0.0.1', client: null, session: null }]);
    expect(scada.sessions).toHaveLength(2);
    const remotes = scada.sessions.map((s: { remote: string }) => s.remote);
    expect(new Set(remotes).size).toBe(2);
    for (const remote of remotes) expect(remote).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(scada.sessions.map((s: { requests: number }) => s.requests).sort()).toEqual([2, 2]);
    for (const s of scada.sessions) {
      expect(Date.parse(s.since)).not.toBeNaN();
      expect(s.bytesIn).toBeGreaterThan(0);
      expect(s.bytesOut).toBeGreaterThan(0);
    }
    expect(scada.totals).toMatchObject({ sessionsOpened: 2, requests: 4, exceptions: 1 });
    expect(doc['servers'][1]).toMatchObject({ name: 'presses', pool: true, state: 'listening' });
  });

  it('shows which client holds which pool port', async (ctx) => {
    const doc = (await (await fetch(`${base}/status`)).json()) as Record<string, any>;
    const ports = doc['servers'][1].ports.map((p: { port: number }) => p.port);
    if (!ports.includes(pool[0])) ctx.skip(); // port pools (issue 3) not in this build: the server listens on one port
    const conn = await rawConnect(pool[0]);
    try {
      let held: any;
      for (let i = 0; i < 100 && !held?.session; i++) {
        const d = (await (await fetch(`${base}/status`)).json()) as Record<string, any>;
        held = d['servers'][1].ports.find((p: { port: number }) => p.port === pool[0]);
      }
      expect(held).toMatchObject({ client: '127.0.0.1', session: { remote: `127.0.0.1:${conn.socket.localPort}` } });
      const free = ((await (await fetch(`${base}/status`)).json()) as Record<string, any>)['servers'][1].ports.find(
        (p: { port: number }) => p.port === pool[1],
      );
      expect(free).toMatchObject({ client: null, session: null });
    } finally {
      conn.socket.destroy();
    }
  });
});

describe('GET /metrics', () => {
  it('is valid Prometheus text with the per-server figures', async () => {
    const r = await fetch(`${base}/metrics`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('text/plain; version=0.0.4');
    const families = parsePrometheusText(await r.text());
    const scada = { server: 'scada' };
    expect(sampleValue(families, 'fieldgate_sessions_open', scada)).toBe(2);
    expect(sampleValue(families, 'fieldgate_sessions_opened_total', scada)).toBe(2);
    expect(sampleValue(families, 'fieldgate_server_up', { server: 'presses' })).toBe(1);
    expect(sampleValue(families, 'fieldgate_requests_total', { ...scada, function: '3', result: 'ok' })).toBe(2);
    expect(sampleValue(families, 'fieldgate_requests_total', { ...scada, function: '6', result: 'ok' })).toBe(1);
    expect(
      sampleValue(families, 'fieldgate_requests_total', { ...scada, function: '3', result: 'illegal-data-address' }),
    ).toBe(1);
    expect(sampleValue(families, 'fieldgate_request_duration_seconds_count', scada)).toBe(4);
    expect(sampleValue(families, 'fieldgate_received_bytes_total', scada)).toBe(4 * 12);
    expect(sampleValue(families, 'fieldgate_sent_bytes_total', scada)).toBeGreaterThan(0);
    expect(sampleValue(families, 'fieldgate_info', { gateway: 'status-test' })).toBe(1);
    expect(families.get('fieldgate_sessions_open')?.type).toBe('gauge');
    expect(families.get('fieldgate_requests_total')?.type).toBe('counter');
    expect(families.get('fieldgate_request_duration_seconds')?.type).toBe('histogram');
  });

  it('has bounded labels only: no client address, no register', async () => {
    const families = parsePrometheusText(await (await fetch(`${base}/metrics`)).text());
    const allowed = new Set([
      'server',
      'reason',
      'function',
      'result',
      'le',
      'device',
      'state',
      'poll',
      'version',
      'gateway',
    ]);
    for (const f of families.values()) {
      for (const s of f.samples) {
        for (const [k, v] of Object.entries(s.labels)) {
          expect(allowed.has(k), `${s.name} label ${k}`).toBe(true);
          expect(v).not.toMatch(/\d+\.\d+\.\d+\.\d+/);
        }
      }
    }
  });
});

describe('the endpoint itself', () => {
  it('answers 404 for other paths and 405 for other methods', async () => {
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    const post = await fetch(`${base}/status`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
  });
});

describe('fieldgate status', () => {
  it('prints the servers and sessions as tables', async () => {
    const r = await runCommand(['status', '--url', base]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('fieldgate ');
    expect(r.stdout).toContain('"status-test"');
    expect(r.stdout).toContain('health: ok');
    expect(r.stdout).toMatch(
      new RegExp(`^scada\\s+modbus\\s+listening\\s+127\\.0\\.0\\.1:${scadaPort}\\s+2\\s+4\\s+1\\s+0\\s`, 'm'),
    );
    expect(r.stdout.match(/^scada\s+#\d+\s+127\.0\.0\.1:\d+/gm)).toHaveLength(2);
    expect(r.stdout).toContain('DEVICES\n(none running)');
  });

  it('finds the endpoint from the config file when --url is not given', async () => {
    const port = Number(new URL(base).port);
    const file = tempFile('c.yaml', `status: { listen: "0.0.0.0:${port}" }\n`);
    const r = await runCommand(['status', '-c', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"status-test"');
  });

  it('exits 1 with a clear message when the daemon is not reachable', async () => {
    const port = await freePort();
    const r = await runCommand(['status', '--url', `http://127.0.0.1:${port}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      `cannot read the daemon's status from http://127.0.0.1:${port}/status: connection refused`,
    );
    expect(r.stderr).toContain('Is fieldgate running');
    expect(r.stdout).toBe('');
  });

  it('exits 1 when something else answers', async () => {
    const other = net.createServer((s) =>
      s.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'),
    );
    await new Promise<void>((r) => other.listen(0, '127.0.0.1', () => r()));
    try {
      const r = await runCommand(['status', '--url', `127.0.0.1:${(other.address() as net.AddressInfo).port}`]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('answered HTTP 404');
    } finally {
      other.close();
    }
  });
});
