/**
 * A `modbus-tcp` device with `tls:` (Modbus/TCP Security towards a PLC): the peer is a TLS Modbus
 * server written with Python's ssl (tls_modbus_server.py, not fieldgate's code), certificates are made
 * by openssl in the test (helpers/tls-certs.ts), and the SCADA client is mbpoll speaking plain Modbus
 * TCP to fieldgate's route.
 */
import { copyFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ModbusLink } from '../../src/devices/modbus/modbus-link.js';
import { startGateway, until, type RunningGateway } from '../helpers/gateway.js';
import { TestPki, type IssuedCert } from '../helpers/tls-certs.js';
import { startPython, type Proc } from './pty.js';
import { requireTool, run } from './tools.js';

const MBPOLL = '/usr/bin/mbpoll';
const SERVER = fileURLToPath(new URL('./tls_modbus_server.py', import.meta.url));

type PyServer = Proc & { lines(): string[]; port: number };

let pki: TestPki;
let ca: IssuedCert;
let otherCa: IssuedCert;
let server: IssuedCert;
let clientA: IssuedCert;
let clientB: IssuedCert;
const running: { stop(): Promise<void> }[] = [];

beforeAll(async () => {
  requireTool(MBPOLL, 'mbpoll');
  pki = new TestPki();
  [ca, otherCa] = await Promise.all([pki.ca('plant-ca'), pki.ca('other-ca')]);
  [server, clientA, clientB] = await Promise.all([
    pki.issue('plc', ca, { san: 'IP:127.0.0.1', usage: 'serverAuth' }),
    pki.issue('client-a', ca, { usage: 'clientAuth' }),
    pki.issue('client-b', ca, { usage: 'clientAuth' }),
  ]);
}, 30_000);

afterEach(async () => {
  for (const r of running.splice(0).reverse()) await r.stop();
});

async function pyServer(o: { clientCa?: string; port?: number; base?: number } = {}): Promise<PyServer> {
  const args = [`--cert=${server.cert}`, `--key=${server.key}`, `--port=${o.port ?? 0}`, `--base=${o.base ?? 1000}`];
  if (o.clientCa !== undefined) args.push(`--ca=${o.clientCa}`);
  const p = await startPython(SERVER, args, 'python TLS Modbus server');
  running.push(p);
  const found = /^port (\d+)$/m.exec(p.lines().join('\n'));
  if (!found) throw new Error(`the server did not say its port: ${p.lines().join('|')}`);
  return Object.assign(p, { port: Number(found[1]) });
}

async function gateway(ports: readonly number[], tls: string): Promise<{ gw: RunningGateway; device: ModbusLink }> {
  const gw = await startGateway(`
devices:
  - name: plc
    type: modbus-tcp
    host: 127.0.0.1
    ports: [${ports.join(', ')}]
    timeout: 1s
    reconnect: { min: 50ms, max: 200ms, jitter: 0 }
    tls: ${tls}
servers:
  - name: scada
    protocol: modbus
    listen: "127.0.0.1:0"
    units: { 5: { device: plc, unit: 1 } }
`);
  running.push(gw);
  return { gw, device: gw.gateway.devices.get('plc') as ModbusLink };
}

function mbpoll(gw: RunningGateway, args: string[]) {
  const port = String(gw.port('scada'));
  return run(MBPOLL, ['-m', 'tcp', '-p', port, '-a', '5', '-1', '-o', '2', '-t', '4', ...args, '127.0.0.1']);
}

const valuesOf = (stdout: string) =>
  Object.fromEntries([...stdout.matchAll(/^\[(\d+)\]:\s+(-?\d+)/gm)].map((m) => [m[1], Number(m[2])]));

const clientLines = (p: PyServer) => p.lines().filter((l) => l.startsWith('client '));

describe('a modbus-tcp device over TLS (Python ssl server)', () => {
  it('routes reads over TLS on every lane, presenting the client certificate the server demands', async () => {
    const [a, b] = [
      await pyServer({ clientCa: ca.cert, base: 1000 }),
      await pyServer({ clientCa: ca.cert, base: 2000 }),
    ];
    const { gw, device } = await gateway(
      [a.port, b.port],
      `{ ca: ${ca.cert}, cert: ${clientA.cert}, key: ${clientA.key} }`,
    );
    await until(() => clientLines(a).length > 0 && clientLines(b).length > 0, 5000, 'both lanes connected');
    await until(() => device.status().state === 'up', 5000, 'device up');
    // each lane made its own handshake with the client certificate, TLS 1.2 or newer
    for (const p of [a, b]) expect(clientLines(p)[0]).toMatch(/^client client-a TLSv1\.[23]$/);
    const r = await mbpoll(gw, ['-r', '3', '-c', '4']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    const values = Object.values(valuesOf(r.stdout));
    // the lane that answered is one of the two servers: register N (1-based 3 = address 2) holds base + 2
    expect([
      [1002, 1003, 1004, 1005],
      [2002, 2003, 2004, 2005],
    ]).toContainEqual(values);
    const bad = await mbpoll(gw, ['-r', '99', '-c', '5']);
    expect(bad.stdout + bad.stderr).toMatch(/Illegal data address/i);
  });

  it('a server certificate from another CA: the device stays down saying why, clients get 0A', async () => {
    const p = await pyServer();
    const { gw, device } = await gateway([p.port], `{ ca: ${otherCa.cert} }`);
    await until(() => gw.captured.events('device down').length > 0, 5000, 'device down logged');
    const down = gw.captured.events('device down')[0]!;
    expect(down['error']).toMatch(/certificate/i);
    expect(down['target']).toBe(`tls://127.0.0.1:${p.port}`);
    await until(() => /certificate/i.test(device.status().lastError ?? ''), 5000, 'reason in the status');
    expect(device.status().state).not.toBe('up');
    const r = await mbpoll(gw, ['-r', '1', '-c', '1']);
    expect(r.stdout + r.stderr).toMatch(/Gateway path unavailable/i);
    expect(clientLines(p)).toEqual([]);
  });

  it('without a client certificate the server refuses the handshake; reads fail', async () => {
    const p = await pyServer({ clientCa: ca.cert });
    const { gw, device } = await gateway([p.port], `{ ca: ${ca.cert} }`);
    await until(() => p.lines().some((l) => l.startsWith('handshake-failed')), 5000, 'handshake refused');
    expect(p.lines().find((l) => l.startsWith('handshake-failed'))).toMatch(/CERTIFICATE/i);
    const r = await mbpoll(gw, ['-r', '1', '-c', '1']);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/Gateway (path unavailable|target device failed)/i);
    expect(clientLines(p)).toEqual([]);
    await until(() => /certificate/i.test(device.status().lastError ?? ''), 5000, 'reason in the status');
    // TLS 1.3 ends the client's handshake before the server checks: the line must not count as up
    await until(() => p.lines().filter((l) => l.startsWith('handshake-failed')).length >= 3, 5000, 'three attempts');
    expect(gw.captured.events('device up')).toEqual([]);
    expect(gw.captured.events('device down')).toHaveLength(1);
  });

  it('a client certificate rotated on disk is presented at the next connect', async () => {
    const cert = pki.path('rotating.crt');
    const key = pki.path('rotating.key');
    copyFileSync(clientA.cert, cert);
    copyFileSync(clientA.key, key);
    let p = await pyServer({ clientCa: ca.cert });
    const port = p.port;
    const { gw, device } = await gateway([port], `{ ca: ${ca.cert}, cert: ${cert}, key: ${key} }`);
    await until(() => device.status().state === 'up' && clientLines(p).length > 0, 5000, 'device up');
    expect(clientLines(p)).toEqual([expect.stringMatching(/^client client-a /)]);
    copyFileSync(clientB.cert, cert);
    copyFileSync(clientB.key, key);
    await p.stop();
    await until(() => device.status().state !== 'up', 5000, 'device down');
    p = await pyServer({ clientCa: ca.cert, port });
    await until(() => device.status().state === 'up' && clientLines(p).length > 0, 5000, 'device back');
    expect(clientLines(p)).toEqual([expect.stringMatching(/^client client-b /)]);
    const r = await mbpoll(gw, ['-r', '1', '-c', '2']);
    expect(valuesOf(r.stdout)).toEqual({ 1: 1000, 2: 1001 });
  });

  it('an unreadable key file: the device stays down, the log names the key and the file', async () => {
    const p = await pyServer({ clientCa: ca.cert });
    const missing = pki.path('nowhere.key');
    const { gw, device } = await gateway([p.port], `{ ca: ${ca.cert}, cert: ${clientA.cert}, key: ${missing} }`);
    await until(() => gw.captured.events('device down').length > 0, 5000, 'device down logged');
    expect(gw.captured.events('device down')[0]!['error']).toBe(`devices.plc.tls.key ${missing}: no such file`);
    expect(device.status().state).not.toBe('up');
    expect(p.lines().filter((l) => l.startsWith('client') || l.startsWith('handshake'))).toEqual([]);
  });
});
