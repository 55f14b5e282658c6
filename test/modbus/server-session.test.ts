/** The Modbus session over an in-memory stream pair: no sockets, the same engine as over TCP. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { encodeAdu } from '../../src/codec/mbap.js';
import { deviceIdentity } from '../../src/modbus/device-identity.js';
import { createRequestHandler, type RequestHandler } from '../../src/modbus/request-handler.js';
import { ModbusSession } from '../../src/modbus/server-session.js';
import { UnitRouter } from '../../src/modbus/unit-router.js';
import type { CloseReason } from '../../src/transport/session-stream.js';
import { makeBank } from '../helpers/banks.js';
import { duplexPair } from '../helpers/duplex-pair.js';
import { captureLogger } from '../helpers/log.js';
import { hex } from '../helpers/hex.js';

afterEach(() => {
  vi.useRealTimers();
});

function bankHandler(): RequestHandler {
  const bank = makeBank(
    { holding: 100 },
    {
      holding: [
        [0, 0x1111],
        [1, 0x2222],
      ],
    },
  );
  const router = new UnitRouter(new Map(), 'b', new Map([['b', bank]]));
  return createRequestHandler(router, { readOnly: false, identity: deviceIdentity('t') });
}

function setup(
  handler: RequestHandler,
  opts: Partial<{ idleTimeout: number; maxInFlight: number; sendTimeout: number; maxBuffered: number }> = {},
) {
  const [client, server] = duplexPair();
  const captured = captureLogger();
  let closed: CloseReason | undefined;
  const session = new ModbusSession(server, {
    id: 1,
    remote: 'mem:1',
    log: captured.log,
    handler,
    maxInFlight: opts.maxInFlight ?? 16,
    idleTimeout: opts.idleTimeout ?? 0,
    sendTimeout: opts.sendTimeout ?? 1000,
    ...(opts.maxBuffered !== undefined ? { maxBuffered: opts.maxBuffered } : {}),
    onClose: (_s, reason) => (closed = reason),
  });
  const received: Buffer[] = [];
  client.on('data', (c: Buffer) => received.push(c));
  const bytes = () => Buffer.concat(received).toString('hex');
  const serverClosed = new Promise<void>((resolve) => server.on('close', () => resolve()));
  return { client, server, session, captured, bytes, closed: () => closed, serverClosed };
}

async function until(check: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 2));
  }
}

const READ0 = (tid: number) => encodeAdu(tid, 1, hex('03 0000 0002'));
const RSP0 = (tid: number) => encodeAdu(tid, 1, hex('03 04 1111 2222')).toString('hex');

describe('ModbusSession over an in-memory stream', () => {
  it('answers a request with the same transaction id and unit', async () => {
    const t = setup(bankHandler());
    t.client.write(READ0(0x0102));
    await until(() => t.bytes().length >= 26);
    expect(t.bytes()).toBe(RSP0(0x0102));
    expect(t.session.stats.requests).toBe(1);
  });

  it('answers many pipelined requests in one write, in order', async () => {
    const t = setup(bankHandler());
    let writes = 0;
    t.client.on('data', () => writes++);
    t.client.write(Buffer.concat([1, 2, 3, 4, 5, 6, 7, 8].map(READ0)));
    await until(() => t.bytes().length >= 8 * 26);
    expect(t.bytes()).toBe([1, 2, 3, 4, 5, 6, 7, 8].map(RSP0).join(''));
    expect(writes).toBe(1);
  });

  it('keeps the order when a slow (async) request is followed by fast ones', async () => {
    const base = bankHandler();
    const slow: RequestHandler = (unit, pdu) =>
      unit === 9 ? new Promise((r) => setTimeout(() => r(base(1, pdu)), 30)) : base(unit, pdu);
    const t = setup(slow);
    t.client.write(Buffer.concat([READ0(1), encodeAdu(2, 9, hex('03 0000 0002')), READ0(3)]));
    await until(() => t.bytes().length >= 3 * 26);
    expect(t.bytes()).toBe(RSP0(1) + encodeAdu(2, 9, hex('03 04 1111 2222')).toString('hex') + RSP0(3));
  });

  it('a handler that throws answers 04 and the session goes on', async () => {
    const t = setup((unit, pdu) => {
      if (unit === 66) throw new Error('boom');
      return bankHandler()(unit, pdu);
    });
    t.client.write(Buffer.concat([encodeAdu(1, 66, hex('03 0000 0001')), READ0(2)]));
    await until(() => t.bytes().length >= 18 + 26);
    expect(t.bytes()).toBe(encodeAdu(1, 66, hex('8304')).toString('hex') + RSP0(2));
    expect(t.captured.events('request handler failed')).toHaveLength(1);
  });

  it('a bad MBAP header closes the session with a protocol error naming the bytes', async () => {
    const t = setup(bankHandler());
    t.client.write(Buffer.concat([READ0(1), hex('0002 0001 0006 01 03 0000 0001')]));
    await t.serverClosed;
    expect(t.closed()).toBe('protocol-error');
    expect(t.bytes()).toBe(RSP0(1));
    const [event] = t.captured.events('protocol error');
    expect(event).toMatchObject({ reason: 'MBAP protocol id is 1, not 0', bytes: '000200010006010300000001' });
    expect(t.captured.events('session closed')[0]).toMatchObject({ reason: 'protocol-error', requests: 1 });
  });

  it('an idle session is closed after idleTimeout; traffic keeps it open', async () => {
    // The idle deadline's clock (setTimeout, Date.now) is faked: a loaded machine cannot stretch
    // the 40 ms between requests past the 80 ms deadline.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const t = setup(bankHandler(), { idleTimeout: 80 });
    for (let i = 0; i < 4; i++) {
      await vi.advanceTimersByTimeAsync(40);
      t.client.write(READ0(i));
    }
    await vi.advanceTimersByTimeAsync(79);
    expect(t.closed()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    await t.serverClosed;
    expect(t.closed()).toBe('idle');
  });

  it('answers what is in flight when the peer half-closes, then ends', async () => {
    const base = bankHandler();
    const t = setup((u, p) => new Promise((r) => setTimeout(() => r(base(u, p)), 20)));
    t.client.end(READ0(7));
    await t.serverClosed;
    expect(t.bytes()).toBe(RSP0(7));
    expect(t.closed()).toBe('peer-closed');
  });

  it('stops reading past maxInFlight and resumes when answers go out', async () => {
    const base = bankHandler();
    const gates: (() => void)[] = [];
    const t = setup((u, p) => new Promise((r) => gates.push(() => r(base(u, p)))), { maxInFlight: 2 });
    t.client.write(READ0(1));
    t.client.write(READ0(2));
    await until(() => gates.length === 2);
    t.client.write(READ0(3));
    await new Promise((r) => setTimeout(r, 20));
    expect(gates.length).toBe(2); // third request not read yet
    expect(t.server.isPaused()).toBe(true);
    gates.shift()!();
    await until(() => gates.length === 2);
    expect(t.bytes()).toBe(RSP0(1));
    gates.splice(0).forEach((g) => g());
    await until(() => t.bytes().length >= 3 * 26);
    expect(t.bytes()).toBe(RSP0(1) + RSP0(2) + RSP0(3));
  });

  it('shutdown answers the requests in flight, then closes', async () => {
    const base = bankHandler();
    const t = setup((u, p) => new Promise((r) => setTimeout(() => r(base(u, p)), 30)));
    t.client.write(READ0(5));
    await new Promise((r) => setTimeout(r, 5));
    await t.session.shutdown('shutdown', 1000);
    expect(t.bytes()).toBe(RSP0(5));
    expect(t.closed()).toBe('shutdown');
  });
});
