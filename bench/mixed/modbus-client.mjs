// A minimal Modbus TCP client for the mixed section's driver: one socket, requests one at a time,
// replies cut by their MBAP length and checked (transaction id, function code, byte count).
import net from 'node:net';

/** A read request: FC3 (holding) or FC4 (input). */
export function readRequest(tid, unit, address, count, fc = 3) {
  const b = Buffer.allocUnsafe(12);
  b.writeUInt16BE(tid & 0xffff, 0);
  b.writeUInt16BE(0, 2);
  b.writeUInt16BE(6, 4);
  b[6] = unit;
  b[7] = fc;
  b.writeUInt16BE(address, 8);
  b.writeUInt16BE(count, 10);
  return b;
}

export function fc16(tid, unit, address, values) {
  const b = Buffer.allocUnsafe(13 + 2 * values.length);
  b.writeUInt16BE(tid & 0xffff, 0);
  b.writeUInt16BE(0, 2);
  b.writeUInt16BE(7 + 2 * values.length, 4);
  b[6] = unit;
  b[7] = 16;
  b.writeUInt16BE(address, 8);
  b.writeUInt16BE(values.length, 10);
  b[12] = 2 * values.length;
  values.forEach((v, i) => b.writeUInt16BE(v & 0xffff, 13 + 2 * i));
  return b;
}

/** The reply to `req` is what was asked: same id and function, and 2 bytes per register for FC3. */
function replyOk(req, reply) {
  if (reply.readUInt16BE(0) !== req.readUInt16BE(0) || reply[7] !== req[7]) return false;
  return req[7] === 3 || req[7] === 4
    ? reply[8] === 2 * req.readUInt16BE(10)
    : reply.readUInt16BE(10) === req.readUInt16BE(10);
}

/**
 * connect(port) -> a client with request(frame, timeoutMs) -> Promise<boolean> (true: a good reply),
 * and close(). Errors and timeouts resolve false; the socket is then destroyed.
 */
export function connect(port, timeoutMs = 2000) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    sock.setNoDelay(true);
    let held = Buffer.alloc(0);
    let pending = null;
    const settle = (ok) => {
      const p = pending;
      pending = null;
      if (p) {
        clearTimeout(p.timer);
        p.resolve(ok);
      }
    };
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`connect to ${port}: timed out`));
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      resolve(client);
    });
    sock.on('error', (e) => {
      clearTimeout(timer);
      settle(false);
      reject(e);
    });
    sock.on('close', () => settle(false));
    sock.on('data', (chunk) => {
      held = held.length ? Buffer.concat([held, chunk]) : chunk;
      while (held.length >= 7 && held.length >= 6 + held.readUInt16BE(4)) {
        const n = 6 + held.readUInt16BE(4);
        const reply = held.subarray(0, n);
        held = held.subarray(n);
        if (pending) settle(replyOk(pending.req, reply));
      }
    });
    const client = {
      request(req, ms = timeoutMs) {
        if (sock.destroyed) return Promise.resolve(false);
        return new Promise((res) => {
          pending = {
            req,
            resolve: res,
            timer: setTimeout(() => {
              pending = null;
              sock.destroy();
              res(false);
            }, ms),
          };
          sock.write(req);
        });
      },
      close() {
        return new Promise((res) => {
          if (sock.destroyed) return res();
          sock.once('close', res);
          sock.end();
          setTimeout(() => sock.destroy(), 1000).unref();
        });
      },
      get closed() {
        return sock.destroyed;
      },
    };
  });
}
