/**
 * Gives an accepted connection a reused read buffer (read-buffer.ts). Node offers `onread` only to
 * sockets it creates itself, not to those a server accepts, so the accepted socket's handle is moved
 * into a new net.Socket built with `onread` — the same constructor call Node's own server makes,
 * plus that option. This touches two internals (`_handle`, `_server`); where they are not what this
 * expects (another Node version), the socket is used as accepted, with Node's per-read buffers: bulk
 * raw streams then cost about 3x the CPU (and Modbus requests more CPU each: Node's per-read
 * allocation and its stream machinery), so the first such fallback in a process is logged (warn,
 * with the reason and the Node version) and every one is counted (`readBufferFallbacks`, shown in
 * /metrics as fieldgate_read_buffer_fallbacks_total).
 * Tested on Node 20 and 24 (test/transport/read-buffer.test.ts, and every raw and Modbus server test).
 * The listener must accept paused (`pauseOnConnect`), so that no read happens before the move.
 */
import net from 'node:net';
import type { Logger } from '../log.js';
import { emitDataFrom, ReadBuffer } from './read-buffer.js';

interface SocketInternals {
  _handle?: { useUserBuffer?: unknown } | null;
  _server?: net.Server | null;
  server?: net.Server | null;
}

let fallbacks = 0;
let warned = false;

/** Accepted connections left with Node's per-read buffers since the process started. */
export function readBufferFallbacks(): number {
  return fallbacks;
}

/** The socket to use for `accepted` (a new one reading into a reused buffer, or `accepted` resumed). */
export function withReadBuffer(
  accepted: net.Socket,
  server: net.Server,
  allowHalfOpen: boolean,
  log: Logger,
): net.Socket {
  const old = accepted as unknown as SocketInternals;
  const handle = old._handle;
  if (!handle) return fallBack(accepted, 'the accepted socket has no _handle', log);
  if (typeof handle.useUserBuffer !== 'function') return fallBack(accepted, 'its handle has no useUserBuffer()', log);
  if (old._server !== server) return fallBack(accepted, 'its _server is not the server that accepted it', log);
  old._handle = null;
  old._server = null; // the server counts the connection once: on the new socket's close
  let socket: net.Socket | undefined;
  const options = {
    handle,
    allowHalfOpen,
    readable: true,
    writable: true,
    onread: emitDataFrom(new ReadBuffer(), () => socket as net.Socket),
  } as net.SocketConstructorOpts;
  socket = new net.Socket(options);
  const adopted = socket as unknown as SocketInternals;
  adopted._server = server;
  adopted.server = server;
  return socket;
}

function fallBack(accepted: net.Socket, reason: string, log: Logger): net.Socket {
  fallbacks++;
  if (!warned) {
    warned = true;
    log.warn(
      { reason, node: process.version },
      "accepted connections fall back to Node's own read buffers (more CPU per byte and per request): unexpected socket internals",
    );
  }
  accepted.resume();
  return accepted;
}
