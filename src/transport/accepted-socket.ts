/**
 * Gives an accepted connection a reused read buffer (read-buffer.ts). Node offers `onread` only to
 * sockets it creates itself, not to those a server accepts, so the accepted socket's handle is moved
 * into a new net.Socket built with `onread` — the same constructor call Node's own server makes,
 * plus that option. This touches two internals (`_handle`, `_server`); where they are not what this
 * expects (another Node version), the socket is used as accepted, with Node's per-read buffers.
 * Tested on Node 20 and 24 (test/transport/read-buffer.test.ts, and every raw server test).
 * The listener must accept paused (`pauseOnConnect`), so that no read happens before the move.
 */
import net from 'node:net';
import { emitDataFrom, ReadBuffer } from './read-buffer.js';

interface SocketInternals {
  _handle?: { useUserBuffer?: unknown } | null;
  _server?: net.Server | null;
  server?: net.Server | null;
}

/** The socket to use for `accepted` (a new one reading into a reused buffer, or `accepted` resumed). */
export function withReadBuffer(accepted: net.Socket, server: net.Server, allowHalfOpen: boolean): net.Socket {
  const old = accepted as unknown as SocketInternals;
  const handle = old._handle;
  if (!handle || typeof handle.useUserBuffer !== 'function' || old._server !== server) {
    accepted.resume();
    return accepted;
  }
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
