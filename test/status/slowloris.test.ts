/**
 * The status endpoint under a slowloris attack (connections that send their headers a byte at a
 * time and never finish): /health must still answer, at the latest once the header timeout has
 * closed the attackers (the timeout + the 1 s check), and the attackers must be closed on time.
 * Loopback only; every loop is bounded in count and time.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { fixedRoutes, StatusHttpServer, type StatusLimits } from '../../src/status/http.js';
import { captureLogger, type CapturedLog } from '../helpers/log.js';

const HEALTH = fixedRoutes(new Map([['/health', () => ({ status: 200, type: 'text/plain', body: 'ok\n' })]]));

interface Attacker {
  readonly socket: net.Socket;
  closed: boolean;
}

let server: StatusHttpServer | undefined;
let captured: CapturedLog;
const attackers: Attacker[] = [];
const timers: NodeJS.Timeout[] = [];

afterEach(async () => {
  for (const t of timers.splice(0)) clearInterval(t);
  for (const a of attackers.splice(0)) a.socket.destroy();
  await server?.close();
  server = undefined;
});

async function listen(limits?: Partial<StatusLimits>): Promise<number> {
  captured = captureLogger('debug');
  server = new StatusHttpServer(HEALTH, captured.log, limits ? { limits } : {});
  await server.listen('127.0.0.1', 0);
  return server.port;
}

/** `n` connections that start a request and then send one header line every 250 ms, forever. */
async function slowloris(port: number, n: number): Promise<void> {
  const opened = Array.from(
    { length: n },
    () =>
      new Promise<void>((resolve) => {
        const socket = net.connect({ port, host: '127.0.0.1' });
        const a: Attacker = { socket, closed: false };
        attackers.push(a);
        socket.on('error', () => undefined);
        socket.on('close', () => {
          a.closed = true;
          resolve();
        });
        socket.on('connect', () => {
          socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
          resolve();
        });
      }),
  );
  await Promise.all(opened);
  let line = 0;
  timers.push(
    setInterval(() => {
      line++;
      for (const a of attackers) if (!a.closed) a.socket.write(`X-Slow-${line}: a\r\n`);
    }, 250),
  );
}

/** Asks /health until it answers 200, or `deadline` (ms since the epoch) passes; ms until the answer. */
async function healthBy(port: number, deadline: number): Promise<number | undefined> {
  const t0 = Date.now();
  while (Date.now() < deadline) {
    const status = await fetch(`http://127.0.0.1:${port}/health`, {
      signal: AbortSignal.timeout(Math.max(100, deadline - Date.now())),
    }).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return Date.now() - t0;
    await new Promise((r) => setTimeout(r, 50));
  }
  return undefined;
}

describe('status endpoint: slowloris', () => {
  it('with the default limits /health answers while 40 slowloris connections are open (within the 10 s header timeout + 1 s)', async () => {
    const port = await listen();
    await slowloris(port, 40);
    const took = await healthBy(port, Date.now() + 11_000);
    expect(took).toBeDefined();
    expect(attackers.filter((a) => !a.closed).length).toBeGreaterThan(0);
  }, 20_000);

  it('50 slowloris connections: /health answers within the configured timeout + 1 s, and they are closed by then', async () => {
    const port = await listen({ headersTimeoutMs: 1500 });
    const t0 = Date.now();
    await slowloris(port, 50);
    const took = await healthBy(port, t0 + 1500 + 1000);
    expect(took).toBeDefined();
    const end = t0 + 1500 + 1000 + 1000; // slack for a loaded machine
    while (attackers.some((a) => !a.closed) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(attackers.filter((a) => !a.closed)).toHaveLength(0);
  }, 10_000);

  it('slowloris connections are closed within the header timeout + 1 s', async () => {
    const port = await listen({ headersTimeoutMs: 1000 });
    const t0 = Date.now();
    await slowloris(port, 40);
    const end = t0 + 1000 + 1000 + 2000; // timeout, the 1 s check, slack for a loaded machine
    while (attackers.some((a) => !a.closed) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(attackers.filter((a) => !a.closed)).toHaveLength(0);
  }, 10_000);

  it('more attackers than the connection cap: the oldest waiting connection makes room, /health answers at once', async () => {
    const port = await listen({ headersTimeoutMs: 5000, maxConnections: 8 });
    await slowloris(port, 40);
    const took = await healthBy(port, Date.now() + 5000 + 1000);
    expect(took).toBeDefined();
    expect(took!).toBeLessThan(3000);
    // the cap held: at most 8 attackers are still open
    await new Promise((r) => setTimeout(r, 100));
    expect(attackers.filter((a) => !a.closed).length).toBeLessThanOrEqual(8);
    // 32+ connections closed to make room: one line (the rest are summed up when the window ends)
    expect(captured.events('status endpoint: too many connections, one closed')).toHaveLength(1);
  }, 15_000);
});
