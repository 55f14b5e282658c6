// Loopback-only networking helpers: a free port, and readiness by polling a TCP port.
import net from 'node:net';

export const HOST = '127.0.0.1';

/** A port that was free a moment ago on 127.0.0.1 (the kernel picks it). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, HOST, () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function tryConnect(port, timeoutMs) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: HOST, port });
    const done = (ok) => {
      sock.removeAllListeners();
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

/**
 * Poll 127.0.0.1:port until it accepts a connection. Fails at once if `proc` (a handle from
 * proc.mjs) exits first, and after timeoutMs otherwise. Never a fixed sleep.
 */
export async function waitForPort(port, { timeoutMs = 15000, intervalMs = 25, proc } = {}) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (proc?.exit) {
      const e = proc.exit;
      throw new Error(`${proc.name} exited (code ${e.code}, signal ${e.signal}) before listening on ${HOST}:${port}`);
    }
    if (await tryConnect(port, 500)) return;
    if (performance.now() > deadline)
      throw new Error(`${HOST}:${port} did not accept a connection within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
