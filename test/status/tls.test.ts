/**
 * HTTPS on the status endpoint with openssl-made certificates, on a real Gateway: the certificate
 * served, the token over TLS, a certificate replaced on disk + reload (what SIGHUP does) seen by new
 * connections, a broken certificate file on reload keeping the running one (logged), and the token
 * file read again on reload. Loopback only.
 */
import { X509Certificate } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import { makeCerts, type TestCerts } from '../helpers/certs.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';

interface Got {
  readonly status: number;
  readonly serial: string;
  readonly body: string;
}

/** One request on a new connection (no agent), trusting the CA in the file `caFile`. */
function get(port: number, path: string, caFile: string, headers: Record<string, string> = {}): Promise<Got> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      { host: '127.0.0.1', port, path, ca: readFileSync(caFile), headers, agent: false, servername: 'localhost' },
      (res) => {
        const serial = (res.socket as TLSSocket).getPeerCertificate().serialNumber;
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, serial, body }));
      },
    );
    req.on('error', reject);
  });
}

let first: TestCerts;
let second: TestCerts;
let gw: RunningGateway;
let port = 0;
const dir = mkdtempSync(join(tmpdir(), 'fieldgate-tls-'));
const cert = join(dir, 'status.pem');
const key = join(dir, 'status.key');
const tokenFile = join(dir, 'token');
const yaml = `
gateway: { name: tls-test }
status: { listen: 127.0.0.1:0, tokenFile: ${tokenFile}, tls: { cert: ${cert}, key: ${key} } }
banks: { plant: { holding: 4 } }
`;
const reload = () => gw.gateway.reload(loadConfigText(yaml, 'tls.yaml'));
const serialOf = (path: string) => new X509Certificate(readFileSync(path)).serialNumber.toUpperCase();

beforeAll(async () => {
  [first, second] = await Promise.all([makeCerts(), makeCerts()]);
  copyFileSync(first.server.cert, cert);
  copyFileSync(first.server.key, key);
  writeFileSync(tokenFile, 'one\n');
  gw = await startGateway(yaml);
  port = gw.gateway.statusPort;
}, 30_000);

afterAll(async () => {
  await gw.stop();
});

describe('status endpoint over HTTPS', () => {
  it('serves its certificate; /health open, /status with the token', async () => {
    const health = await get(port, '/health', first.ca);
    expect(health.status).toBe(200);
    expect(health.serial.toUpperCase()).toBe(serialOf(first.server.cert));
    expect((await get(port, '/status', first.ca)).status).toBe(401);
    expect((await get(port, '/status', first.ca, { Authorization: 'Bearer one' })).status).toBe(200);
    // a client that does not trust the CA does not get through
    await expect(get(port, '/health', second.ca)).rejects.toThrow();
    const listening = gw.captured.events('status endpoint listening');
    expect(listening.at(-1)).toMatchObject({ tls: true, token: true });
  });

  it('a replaced certificate + reload: new connections get the new one; the token file is read again', async () => {
    copyFileSync(second.server.cert, cert);
    copyFileSync(second.server.key, key);
    writeFileSync(tokenFile, 'two\n');
    const outcome = await reload();
    expect(outcome.result).toBe('applied');
    expect(gw.gateway.statusPort).toBe(port); // not re-opened
    const after = await get(port, '/status', second.ca, { Authorization: 'Bearer two' });
    expect(after.status).toBe(200);
    expect(after.serial.toUpperCase()).toBe(serialOf(second.server.cert));
    expect((await get(port, '/status', second.ca, { Authorization: 'Bearer one' })).status).toBe(401);
    expect(gw.captured.events('status endpoint: certificate read again').length).toBeGreaterThanOrEqual(1);
  });

  it('a broken certificate or an unreadable token on reload: logged, the running ones stay', async () => {
    writeFileSync(cert, '-----BEGIN CERTIFICATE-----\nnot a certificate\n-----END CERTIFICATE-----\n');
    writeFileSync(tokenFile, '');
    await reload();
    const still = await get(port, '/status', second.ca, { Authorization: 'Bearer two' });
    expect(still.status).toBe(200);
    expect(still.serial.toUpperCase()).toBe(serialOf(second.server.cert));
    expect(gw.captured.events('status endpoint: the certificate cannot be used; the running one stays')).toHaveLength(
      1,
    );
    expect(gw.captured.events('status endpoint: the token file cannot be read; the running token stays')).toHaveLength(
      1,
    );
    // a key that does not match the certificate is refused the same way
    copyFileSync(first.server.cert, cert);
    writeFileSync(tokenFile, 'two');
    await reload();
    expect((await get(port, '/health', second.ca)).serial.toUpperCase()).toBe(serialOf(second.server.cert));
    expect(gw.captured.events('status endpoint: the certificate cannot be used; the running one stays')).toHaveLength(
      2,
    );
  });
});
