/**
 * Modbus/TCP Security, server side, against clients fieldgate did not write: Python's `ssl` module
 * speaking MBAP (mbap_tls.py), pymodbus's TLS client (pymodbus_tls.py), and openssl-made
 * certificates (test/helpers/pki.ts): a CA, a server certificate, clients with the roles Operator,
 * Viewer, Line2 (units [2]), an unlisted role, none, one from another CA and one expired.
 */
import { X509Certificate } from 'node:crypto';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import { startGateway, until, type RunningGateway } from '../helpers/gateway.js';
import { makePki, type CertPair, type Pki } from '../helpers/pki.js';
import { freePorts } from '../helpers/raw-peers.js';
import { requireTool, run } from './tools.js';

const PYTHON = '/usr/bin/python3';
const MBAP_TLS = fileURLToPath(new URL('./mbap_tls.py', import.meta.url));
const PYMODBUS_TLS = fileURLToPath(new URL('./pymodbus_tls.py', import.meta.url));

interface MbapResult {
  readonly protocol: string | null;
  readonly peer: string | null;
  readonly replies: string[];
  readonly closed: boolean;
  readonly error: string | null;
}

let pki: Pki;
let other: Pki;
let gw: RunningGateway;
let yaml: string;
let poolPorts: number[];
/** The server's certificate and key, where the config points (rotated by the reload tests). */
let serverFiles: CertPair;
const c: Record<string, CertPair> = {};

async function mbap(port: number, who: CertPair | undefined, ...args: string[]): Promise<MbapResult> {
  const r = await run(PYTHON, [MBAP_TLS, String(port), pki.ca, who?.cert ?? '-', who?.key ?? '-', ...args]);
  if (r.code !== 0) throw new Error(`mbap_tls.py failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as MbapResult;
}

const READ_0_3 = '1:0300000003'; // unit 1, FC3, address 0, 3 registers
const WRITE_5 = '1:0600050007'; // unit 1, FC6, register 5 = 7

function refusals(why: string): Record<string, unknown>[] {
  return gw.captured.events('connection refused').filter((l) => l.why === why);
}

beforeAll(async () => {
  requireTool(PYTHON, 'python3-pymodbus');
  [pki, other] = await Promise.all([makePki(), makePki('some-other-ca')]);
  const server = await pki.issue('server', { cn: 'localhost', server: true });
  serverFiles = { cert: join(pki.dir, 'live.crt'), key: join(pki.dir, 'live.key') };
  copyFileSync(server.cert, serverFiles.cert);
  copyFileSync(server.key, serverFiles.key);
  c.operator = await pki.issue('op', { cn: 'op1', role: 'Operator' });
  c.viewer = await pki.issue('viewer', { cn: 'hmi1', role: 'Viewer' });
  c.line2 = await pki.issue('line2', { cn: 'line2', role: 'Line2' });
  c.admin = await pki.issue('admin', { cn: 'admin', role: 'Admin' });
  c.none = await pki.issue('none', { cn: 'norole' });
  c.expired = await pki.issue('expired', { cn: 'old', role: 'Operator', expired: true });
  c.stranger = await other.issue('stranger', { cn: 'stranger', role: 'Operator' });
  poolPorts = await freePorts(2);
  const tlsBlock = `tls: { cert: ${serverFiles.cert}, key: ${serverFiles.key}, ca: ${pki.ca} }`;
  yaml = `
gateway: { name: security }
status: { listen: "127.0.0.1:0" }
banks:
  plant:
    holding: 10
    values: { holding: { 0: [1, 2, 3] } }
servers:
  - name: secure
    protocol: modbus
    listen: "127.0.0.1:0"
    units: { 1: { bank: plant }, 2: { bank: plant } }
    ${tlsBlock}
    roles:
      Operator: { write: true }
      Viewer: { write: false }
      Line2: { write: true, units: [2] }
  - name: pool
    protocol: modbus
    listen: 127.0.0.1
    ports: { ${poolPorts[0]}: {}, ${poolPorts[1]}: {} }
    onBusy: reject
    bank: plant
    ${tlsBlock}
  - { name: single, protocol: modbus, listen: "127.0.0.1:0", bank: plant, maxClients: 1, keepAlive: 2s, ${tlsBlock} }
  - { name: fenced, protocol: modbus, listen: "127.0.0.1:0", bank: plant, allow: [10.9.9.9], ${tlsBlock} }
  - { name: echo-mtls, protocol: raw, listen: "127.0.0.1:0", handler: echo, ${tlsBlock} }
  - { name: echo, protocol: raw, listen: "127.0.0.1:0", handler: echo, tls: { cert: ${serverFiles.cert}, key: ${serverFiles.key} } }
`;
  gw = await startGateway(yaml);
}, 60_000);
afterAll(() => gw.stop());

describe('roles (Python ssl client speaking MBAP)', () => {
  it('Operator reads and writes, over TLS 1.2 or newer, and sees the server certificate', async () => {
    const r = await mbap(gw.port('secure'), c.operator, READ_0_3, WRITE_5, '1:030005 0001'.replace(' ', ''));
    expect(r.error).toBeNull();
    expect(r.protocol).toMatch(/^TLSv1\.[23]$/);
    expect(r.peer).toBe('CN=localhost');
    expect(r.replies).toEqual(['0306000100020003', '0600050007', '03020007']);
  });

  it('Viewer: reads served, every write 01 (FC 5, 6, 15, 16, 22, 23)', async () => {
    const writes = [
      '1:050001ff00',
      WRITE_5,
      '1:0f0000000101 01',
      '1:1000000001020009',
      '1:16000000ff0000',
      '1:17000000010000000102000a',
    ];
    const r = await mbap(gw.port('secure'), c.viewer, READ_0_3, ...writes.map((w) => w.replace(' ', '')));
    expect(r.replies).toEqual(['0306000100020003', '8501', '8601', '8f01', '9001', '9601', '9701']);
  });

  it('Line2 (units [2]): unit 2 served, unit 1 answered 01', async () => {
    const r = await mbap(gw.port('secure'), c.line2, '2:0300000001', READ_0_3);
    expect(r.replies).toEqual(['0302' + '0001', '8301']);
  });

  it('no role, or a role not listed: 01 for every request', async () => {
    for (const who of [c.none, c.admin]) {
      const r = await mbap(gw.port('secure'), who, READ_0_3, WRITE_5);
      expect(r.replies).toEqual(['8301', '8601']);
    }
  });

  it("the session's log line and /status carry the certificate's subject and role", async () => {
    const opened = gw.captured.events('session opened').filter((l) => l.server === 'secure');
    expect(opened).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ subject: 'CN=op1', role: 'Operator', tls: expect.stringMatching(/^TLSv1\.[23]$/) }),
        expect.objectContaining({ subject: 'CN=norole', role: null }),
      ]),
    );
    // a session held open while the document is built
    const socket = await tlsSession(gw.port('secure'), c.viewer!);
    try {
      await until(() => (gw.gateway.findServer('secure')?.sessionCount ?? 0) > 0, 3000, 'session open');
      const doc = gw.gateway.statusDocument();
      const sessions = doc?.servers.find((s) => s.name === 'secure')?.sessions ?? [];
      expect(sessions.map((s) => s.tls)).toContainEqual({ subject: 'CN=hmi1', role: 'Viewer' });
    } finally {
      socket.destroy();
    }
  });
});

/** A TLS session held open by Node's own client (a session that outlives a request). */
async function tlsSession(port: number, who: CertPair): Promise<tls.TLSSocket> {
  const socket = tls.connect({
    host: '127.0.0.1',
    port,
    ca: await readText(pki.ca),
    cert: await readText(who.cert),
    key: await readText(who.key),
    servername: 'localhost',
  });
  await new Promise((resolve) => socket.once('secureConnect', resolve));
  return socket;
}

async function readText(path: string): Promise<string> {
  const { readFile } = await import('node:fs/promises');
  return readFile(path, 'utf8');
}

describe('refused in the handshake: logged through the refusal log, counted by reason', () => {
  /** fieldgate_connections_refused_total of server `secure` for `reason`, from /metrics. */
  async function refused(server: string, reason: string): Promise<number> {
    const text = await (await fetch(`http://127.0.0.1:${gw.gateway.statusPort}/metrics`)).text();
    const re = new RegExp(`fieldgate_connections_refused_total\\{server="${server}",reason="${reason}"\\} (\\d+)`);
    return Number(re.exec(text)?.[1] ?? 0);
  }
  /** Runs `client`, then waits until the count of `reason` has grown by one. */
  async function refusedOnce(
    reason: string,
    client: () => Promise<MbapResult>,
    server = 'secure',
  ): Promise<MbapResult> {
    const before = await refused(server, reason);
    const r = await client();
    const end = Date.now() + 3000;
    while ((await refused(server, reason)) !== before + 1) {
      if (Date.now() > end) throw new Error(`${reason} not counted once (before: ${before})`);
    }
    return r;
  }

  it('no client certificate: the first refusal of the address is one line naming why', async () => {
    const r = await refusedOnce('tls-certificate', () => mbap(gw.port('secure'), undefined, READ_0_3));
    expect(r.replies).toEqual([]);
    expect(r.closed).toBe(true);
    const lines = gw.captured.events('connection refused').filter((l) => l.server === 'secure');
    expect(lines).toEqual([
      expect.objectContaining({ why: 'tls-certificate', peer: expect.stringMatching(/^127\.0\.0\.1:/) }),
    ]);
    expect(lines[0]?.error).toMatch(/certificate/i);
  });

  it.each([
    ['a certificate from another CA', 'stranger'],
    ['an expired certificate', 'expired'],
  ] as const)('%s', async (_what, who) => {
    const r = await refusedOnce('tls-certificate', () => mbap(gw.port('secure'), c[who], READ_0_3));
    expect(r.replies).toEqual([]);
    expect(r.closed).toBe(true);
  });

  it('TLS 1.1 is refused', async () => {
    const r = await refusedOnce('tls-handshake', () => mbap(gw.port('secure'), c.operator, '--tls1.1', READ_0_3));
    expect(r.replies).toEqual([]);
    expect(r.error).toMatch(/SSL|protocol|version/i);
  });

  it('plain Modbus TCP bytes are refused (never answered)', async () => {
    const r = await refusedOnce('tls-handshake', () => mbap(gw.port('secure'), undefined, '--plain', READ_0_3));
    expect(r.replies).toEqual([]);
    expect(r.closed).toBe(true);
  });

  it('an address outside allow is refused before any handshake', async () => {
    const r = await refusedOnce('not-allowed', () => mbap(gw.port('fenced'), c.operator, READ_0_3), 'fenced');
    expect(r.replies).toEqual([]);
    expect(await refused('fenced', 'tls-handshake')).toBe(0);
  });

  it('the status document counts them', () => {
    const doc = gw.gateway.statusDocument();
    expect(doc?.servers.find((s) => s.name === 'secure')?.totals.refused).toBeGreaterThanOrEqual(5);
  });
});

describe('pymodbus TLS client', () => {
  it('Operator reads and writes; Viewer reads, its write answered 01', async () => {
    const go = async (who: CertPair) => {
      const r = await run(PYTHON, [PYMODBUS_TLS, String(gw.port('secure')), pki.ca, who.cert, who.key]);
      if (r.code !== 0) throw new Error(`pymodbus_tls.py failed: ${r.stderr}`);
      return JSON.parse(r.stdout) as Record<string, unknown>;
    };
    expect(await go(c.operator!)).toEqual({
      read: [1, 2, 3],
      readException: null,
      writeException: null,
      after: [4321],
    });
    expect(await go(c.viewer!)).toEqual({ read: [1, 2, 3], readException: null, writeException: 1, after: [4321] });
  });
});

describe('pools and raw servers over TLS', () => {
  it('a pool port holds one TLS client; a second one is refused (onBusy: reject)', async () => {
    const [first] = poolPorts as [number, number];
    const socket = await tlsSession(first, c.operator!);
    try {
      await until(() => gw.gateway.findServer('pool')?.sessionCount === 1, 3000, 'pool session');
      const r = await mbap(first, c.viewer, READ_0_3);
      expect(r.closed).toBe(true);
      expect(refusals('port-busy').length).toBeGreaterThan(0);
      const table = gw.gateway.findServer('pool')?.ports() ?? [];
      expect(table.find((p) => p.port === first)?.session?.tls).toEqual({ subject: 'CN=op1', role: 'Operator' });
    } finally {
      socket.destroy();
    }
  });

  it('maxClients holds over TLS (checked once the handshake is done), and the session has TCP keepalive', async () => {
    const port = gw.port('single');
    const socket = await tlsSession(port, c.operator!);
    try {
      await until(() => gw.gateway.findServer('single')?.sessionCount === 1, 3000, 'session');
      const r = await mbap(port, c.viewer, READ_0_3);
      expect(r.closed).toBe(true);
      expect(r.replies).toEqual([]);
      await until(() => refusals('max-clients').length > 0, 3000, 'max-clients refusal');
      const ss = await run('/usr/bin/ss', [
        '-tnoH',
        'state',
        'established',
        `( sport = :${port} and dport = :${socket.localPort} )`,
      ]);
      expect(ss.stdout).toMatch(/timer:\(keepalive,/);
    } finally {
      socket.destroy();
    }
  });

  it('a raw server without ca: echo over TLS, no client certificate asked', async () => {
    const r = await mbap(gw.port('echo'), undefined, '7:0102030405');
    expect(r.error).toBeNull();
    expect(r.replies).toEqual(['0102030405']);
    const opened = gw.captured.events('session opened').filter((l) => l.server === 'echo');
    expect(opened.at(-1)).toMatchObject({
      tls: expect.stringMatching(/^TLSv1\.[23]$/) as string,
      subject: null,
      role: null,
    });
  });

  it('a raw server with ca: a client certificate is required, its subject logged', async () => {
    const ok = await mbap(gw.port('echo-mtls'), c.viewer, '7:0a0b');
    expect(ok.replies).toEqual(['0a0b']);
    const opened = gw.captured.events('session opened').filter((l) => l.server === 'echo-mtls');
    expect(opened.at(-1)).toMatchObject({ subject: 'CN=hmi1', role: 'Viewer' });
    const refused = await mbap(gw.port('echo-mtls'), undefined, '7:0a0b');
    expect(refused.replies).toEqual([]);
    expect(refused.closed).toBe(true);
  });
});

describe('certificate rotation on reload', () => {
  it('a new certificate: new connections see it, a session open before keeps working', async () => {
    const held = await tlsSession(gw.port('secure'), c.operator!);
    const oldSerial = held.getPeerX509Certificate()?.serialNumber;
    expect(oldSerial).toMatch(/^[0-9A-F]+$/);
    const rotated = await pki.issue('rotated', { cn: 'fieldgate-rotated', server: true });
    copyFileSync(rotated.cert, serverFiles.cert);
    copyFileSync(rotated.key, serverFiles.key);
    const outcome = await gw.gateway.reload(loadConfigText(yaml, 'test.yaml'));
    expect(outcome.result).toBe('applied');
    expect(gw.captured.events('server certificate read again').map((l) => l.server)).toContain('secure');
    const r = await mbap(gw.port('secure'), c.operator, READ_0_3);
    expect(r.peer).toBe('CN=fieldgate-rotated');
    expect(new X509Certificate(await readText(serverFiles.cert)).serialNumber).not.toBe(oldSerial);
    // the session opened before the reload: same certificate, still served
    const reply = new Promise<Buffer>((resolve) => held.once('data', resolve));
    held.write(Buffer.from('000900000006010300000001', 'hex'));
    expect((await reply).toString('hex')).toBe('000900000005010302' + '0001');
    held.destroy();
  });

  it('a broken certificate file refuses the reload, naming it; the running one is still served', async () => {
    writeFileSync(serverFiles.cert, '-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n');
    const outcome = await gw.gateway.reload(loadConfigText(yaml, 'test.yaml'));
    expect(outcome.result).toBe('refused');
    expect(outcome.summary).toContain(serverFiles.cert);
    const r = await mbap(gw.port('secure'), c.operator, READ_0_3);
    expect(r.peer).toBe('CN=fieldgate-rotated');
    expect(r.replies).toEqual(['0306000100020003']);
  });

  it('a key that does not match the certificate refuses the reload too', async () => {
    const fresh = await pki.issue('fresh', { cn: 'fresh', server: true });
    copyFileSync(fresh.cert, serverFiles.cert); // the key stays the rotated one's
    const outcome = await gw.gateway.reload(loadConfigText(yaml, 'test.yaml'));
    expect(outcome.result).toBe('refused');
    expect(outcome.summary).toMatch(/cannot be used/);
    const r = await mbap(gw.port('secure'), c.operator, READ_0_3);
    expect(r.peer).toBe('CN=fieldgate-rotated');
  });
});

describe('start', () => {
  it('a certificate file that cannot be read stops the start, naming the file', async () => {
    const missing = join(pki.dir, 'missing.pem');
    const bad = yaml.replace(`cert: ${serverFiles.cert}, key`, `cert: ${missing}, key`).replace(/^status:.*$/m, '');
    await expect(startGateway(bad)).rejects.toThrow(missing);
  });
});
