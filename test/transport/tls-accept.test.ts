/**
 * The TLS acceptor alone (transport/tls-accept.ts): how each failed handshake is reported, the
 * handshake timeout, the bound on handshakes in progress, and the peer it hands on.
 */
import { readFileSync } from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PENDING_MAX, TlsAcceptor, type TlsMaterial, type TlsPeer } from '../../src/transport/tls-accept.js';
import { makePki, type CertPair, type Pki } from '../helpers/pki.js';

type Outcome = { secure: TlsPeer } | { refused: string; error: string };

let pki: Pki;
let material: TlsMaterial;
const c: Record<string, CertPair> = {};
const read = (path: string) => readFileSync(path, 'utf8');
const open: net.Socket[] = [];
let server: net.Server;

/** A listener whose accepted sockets go through `acceptor`; each outcome is pushed to `outcomes`. */
async function listen(acceptor: TlsAcceptor, outcomes: Outcome[], waiters: (() => void)[]): Promise<number> {
  server = net.createServer((raw) =>
    acceptor.handshake(raw, {
      secure: (socket, peer) => {
        outcomes.push({ secure: peer });
        socket.end();
        waiters.splice(0).forEach((w) => w());
      },
      refused: (why, error) => {
        outcomes.push({ refused: why, error });
        waiters.splice(0).forEach((w) => w());
      },
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

async function outcomeOf(connect: (port: number) => net.Socket, handshakeTimeout?: number): Promise<Outcome> {
  const outcomes: Outcome[] = [];
  const waiters: (() => void)[] = [];
  const port = await listen(new TlsAcceptor(material, handshakeTimeout), outcomes, waiters);
  const socket = connect(port);
  socket.on('error', () => undefined);
  open.push(socket);
  await new Promise<void>((resolve) => waiters.push(resolve));
  return outcomes[0] as Outcome;
}

const client =
  (who: CertPair | undefined, extra: tls.ConnectionOptions = {}) =>
  (port: number) =>
    tls.connect({
      host: '127.0.0.1',
      port,
      ca: read(pki.ca),
      servername: 'localhost',
      ...(who ? { cert: read(who.cert), key: read(who.key) } : {}),
      ...extra,
    });

beforeAll(async () => {
  pki = await makePki();
  const other = await makePki('another-ca');
  const srv = await pki.issue('server', { cn: 'localhost', server: true });
  material = { cert: read(srv.cert), key: read(srv.key), ca: read(pki.ca) };
  c.op = await pki.issue('op', { cn: 'op1', role: 'Operator' });
  c.bad = await pki.issue('bad', { cn: 'bad', roleDer: '13:06:56:69:65:77:65:72' });
  c.expired = await pki.issue('expired', { cn: 'old', expired: true });
  c.stranger = await other.issue('stranger', { cn: 'stranger' });
}, 30_000);
afterEach(async () => {
  open.splice(0).forEach((s) => s.destroy());
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
afterAll(() => undefined);

describe('TLS acceptor', () => {
  it('a client with a certificate signed by ca: its subject, serial and role', async () => {
    const o = await outcomeOf(client(c.op));
    expect(o).toEqual({
      secure: {
        subject: 'CN=op1',
        serial: expect.stringMatching(/^[0-9A-F]+$/) as string,
        role: 'Operator',
        protocol: 'TLSv1.3',
      },
    });
  });

  it('a role extension that is not a UTF8String: no role, and why', async () => {
    const o = await outcomeOf(client(c.bad));
    expect(o).toMatchObject({
      secure: { subject: 'CN=bad', role: null, roleError: 'role: identifier 0x13 where 0x0c was expected' },
    });
  });

  it.each([
    ['no certificate', undefined, 'no client certificate'],
    ['another CA', 'stranger', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE: the client certificate is not signed by ca'],
    ['expired', 'expired', 'CERT_HAS_EXPIRED: the client certificate has expired'],
  ] as const)('%s: refused (tls-certificate) with why', async (_what, who, error) => {
    expect(await outcomeOf(client(who ? c[who] : undefined))).toEqual({ refused: 'tls-certificate', error });
  });

  it('TLS 1.1: refused (tls-handshake, unsupported protocol)', async () => {
    const o = await outcomeOf(
      client(c.op, { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0' }),
    );
    expect(o).toEqual({ refused: 'tls-handshake', error: expect.stringMatching(/unsupported protocol/) as string });
  });

  it('plain Modbus TCP bytes: refused (tls-handshake)', async () => {
    const o = await outcomeOf((port) => {
      const s = net.connect(port, '127.0.0.1');
      s.write(Buffer.from('000100000006010300000001', 'hex'));
      return s;
    });
    expect(o).toMatchObject({ refused: 'tls-handshake' });
  });

  it('a client that never starts the handshake is refused at the handshake timeout', async () => {
    const o = await outcomeOf((port) => net.connect(port, '127.0.0.1'), 100);
    expect(o).toEqual({ refused: 'tls-handshake', error: expect.stringMatching(/TIMEOUT/) as string });
  });

  it(`at most ${PENDING_MAX} handshakes at once`, async () => {
    const outcomes: Outcome[] = [];
    const waiters: (() => void)[] = [];
    const acceptor = new TlsAcceptor(material);
    const port = await listen(acceptor, outcomes, waiters);
    for (let i = 0; i < PENDING_MAX; i++) open.push(net.connect(port, '127.0.0.1'));
    const deadline = Date.now() + 5000;
    while (acceptor.handshakes < PENDING_MAX && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    expect(acceptor.handshakes).toBe(PENDING_MAX);
    const last = net.connect(port, '127.0.0.1');
    open.push(last);
    await new Promise<void>((resolve) => waiters.push(resolve));
    expect(outcomes).toEqual([{ refused: 'tls-pending', error: `${PENDING_MAX} handshakes in progress` }]);
    open.splice(0).forEach((s) => s.destroy());
    while (acceptor.handshakes > 0 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    expect(acceptor.handshakes).toBe(0);
  });
});

describe('TLS acceptor close', () => {
  it('drops the handshakes in progress without calling them refusals', async () => {
    const outcomes: Outcome[] = [];
    const waiters: (() => void)[] = [];
    const acceptor = new TlsAcceptor(material);
    const port = await listen(acceptor, outcomes, waiters);
    const raw = net.connect(port, '127.0.0.1');
    open.push(raw);
    const deadline = Date.now() + 5000;
    while (acceptor.handshakes < 1 && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    const ended = new Promise((resolve) => raw.once('close', resolve));
    acceptor.close();
    expect(acceptor.handshakes).toBe(0);
    await ended; // the server side was destroyed: the client sees the close
    expect(outcomes).toEqual([]);
  });
});
