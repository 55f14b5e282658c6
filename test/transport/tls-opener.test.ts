/**
 * The TLS opener of `modbus-tcp` devices (transport/tls-opener.ts) against a Node TLS server on
 * loopback: the server name sent (host, never an IP address), the certificate's name checked, verify:
 * false, files read at each attempt with errors naming the key and the file, and the cleartext
 * delivered through the reused read buffer as 'data' events.
 */
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Duplex } from 'node:stream';
import { tlsOpener, type ClientTlsFiles, type TlsTarget } from '../../src/transport/tls-opener.js';
import { TestPki, type IssuedCert } from '../helpers/tls-certs.js';

let pki: TestPki;
let ca: IssuedCert;
let otherCa: IssuedCert;
let ipOnly: IssuedCert;
let named: IssuedCert;
let client: IssuedCert;
const servers: tls.Server[] = [];
const streams: Duplex[] = [];

beforeAll(async () => {
  pki = new TestPki();
  [ca, otherCa] = await Promise.all([pki.ca('ca'), pki.ca('other')]);
  [ipOnly, named, client] = await Promise.all([
    pki.issue('ip-only', ca, { san: 'IP:127.0.0.1', usage: 'serverAuth' }),
    pki.issue('named', ca, { san: 'DNS:localhost,IP:127.0.0.1', usage: 'serverAuth' }),
    pki.issue('client', ca, { usage: 'clientAuth' }),
  ]);
}, 30_000);

afterEach(async () => {
  for (const s of streams.splice(0)) s.destroy();
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

interface Seen {
  servername: string | false | null | undefined;
  peer: unknown;
}

/** A TLS server that greets each client with "hi" and records the server name and client certificate. */
async function server(cert: IssuedCert, clientCa?: string): Promise<{ port: number; seen: Seen[] }> {
  const seen: Seen[] = [];
  const s = tls.createServer(
    {
      cert: readFileSync(cert.cert),
      key: readFileSync(cert.key),
      ...(clientCa ? { ca: readFileSync(clientCa), requestCert: true, rejectUnauthorized: true } : {}),
    },
    (socket) => {
      seen.push({ servername: socket.servername, peer: socket.getPeerCertificate().subject?.CN });
      socket.on('error', () => undefined);
      socket.end('hi');
    },
  );
  s.on('tlsClientError', () => undefined);
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return { port: (s.address() as AddressInfo).port, seen };
}

const read = (path: string) => readFileSync(path, 'utf8');

function target(host: string, port: number, files: ClientTlsFiles): TlsTarget {
  return { host, port, connectTimeout: 2000, keepAlive: 0, tls: files, read, owner: 'devices.plc.tls' };
}

/** Opens; resolves with the error (or null) and what arrived as 'data'. */
function open(t: TlsTarget): Promise<{ err: Error | null; data: () => string }> {
  return new Promise((resolve) => {
    let data = '';
    const stream = tlsOpener(t).open((err) => resolve({ err, data: () => data }));
    stream.on('data', (c: Buffer) => (data += c.toString()));
    stream.on('error', () => undefined);
    streams.push(stream);
  });
}

describe('tls opener', () => {
  it('sends host as the server name, never an IP address; reads the cleartext as data', async () => {
    const srv = await server(named);
    const byName = await open(target('localhost', srv.port, { ca: ca.cert, verify: true }));
    expect(byName.err).toBeNull();
    await expect.poll(() => byName.data()).toBe('hi');
    const byIp = await open(target('127.0.0.1', srv.port, { ca: ca.cert, verify: true }));
    expect(byIp.err).toBeNull();
    await expect.poll(() => srv.seen.map((s) => s.servername)).toEqual(['localhost', false]);
  });

  it("checks the certificate's name against host, and its CA; verify: false skips both", async () => {
    const srv = await server(ipOnly);
    const wrongName = await open(target('localhost', srv.port, { ca: ca.cert, verify: true }));
    expect(wrongName.err?.message).toMatch(/does not match certificate's altnames/);
    const wrongCa = await open(target('127.0.0.1', srv.port, { ca: otherCa.cert, verify: true }));
    expect(wrongCa.err?.message).toMatch(/certificate/);
    const unchecked = await open(target('localhost', srv.port, { ca: otherCa.cert, verify: false }));
    expect(unchecked.err).toBeNull();
  });

  it('presents the client certificate; files that cannot be used fail the attempt naming them', async () => {
    const srv = await server(named, ca.cert);
    const ok = await open(
      target('127.0.0.1', srv.port, { ca: ca.cert, cert: client.cert, key: client.key, verify: true }),
    );
    expect(ok.err).toBeNull();
    await expect.poll(() => srv.seen.map((s) => s.peer)).toEqual(['client']);
    const missing = pki.path('missing.key');
    expect(() =>
      tlsOpener(target('127.0.0.1', srv.port, { cert: client.cert, key: missing, verify: true })).open(() => undefined),
    ).toThrow(`devices.plc.tls.key ${missing}: ENOENT`);
    // the key of another certificate
    expect(() =>
      tlsOpener(target('127.0.0.1', srv.port, { cert: client.cert, key: named.key, verify: true })).open(
        () => undefined,
      ),
    ).toThrow(new RegExp(`^devices\\.plc\\.tls: ${client.cert}, ${named.key} cannot be used: .*key values mismatch`));
  });
});
