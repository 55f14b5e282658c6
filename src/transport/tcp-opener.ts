/**
 * Opens an outbound TCP connection for a ReconnectingLine (raw TCP devices, each lane of a Modbus TCP
 * device), with a deadline and TCP keepalive. `openSocket` is shared with the TLS opener
 * (tls-opener.ts): the same deadline (covering the handshake there), keepalive and reused read buffer.
 */
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { LineOpener } from './line.js';
import { emitDataFrom, ReadBuffer } from './read-buffer.js';

export interface TcpTarget {
  readonly host: string;
  readonly port: number;
  /** ms an attempt may take. */
  readonly connectTimeout: number;
  /** ms of idle before the first keepalive probe; 0 = off. */
  readonly keepAlive: number;
}

/** "host:port", IPv6 in brackets (for logs). */
export const targetName = (t: TcpTarget): string =>
  net.isIPv6(t.host) ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`;

/** The `onread` option that connect functions are given (a view of one reused buffer per read). */
export type OnRead = ReturnType<typeof emitDataFrom>;

/**
 * Starts `connect` (net.connect, tls.connect) and calls `opened` once `ready` says the connection is
 * usable (on connect; after the handshake), or with the error / the deadline's (which covers `ready`).
 */
export function openSocket<S extends net.Socket>(
  t: TcpTarget,
  connect: (onread: OnRead) => S,
  ready: (socket: S, usable: () => void, failed: (err: Error) => void) => void,
  opened: (err: Error | null) => void,
): S {
  // Each connection reads into one reused buffer (read-buffer.ts): a device streaming flat out
  // costs no allocation per read.
  const onread = emitDataFrom(new ReadBuffer(), () => socket);
  const socket = connect(onread);
  let settled = false;
  const fail = (err: Error) => {
    if (settled) return;
    settled = true;
    opened(err);
  };
  socket.once('error', fail);
  const usable = () => {
    if (settled) return;
    settled = true;
    socket.off('error', fail);
    socket.setTimeout(0);
    if (t.keepAlive > 0) socket.setKeepAlive(true, t.keepAlive);
    opened(null);
  };
  ready(socket, usable, fail);
  socket.setTimeout(t.connectTimeout, () => {
    if (!settled) socket.destroy(new Error(`no connection within ${t.connectTimeout} ms`));
  });
  return socket;
}

export function closeSocket(stream: Duplex): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed) return resolve();
    stream.once('close', () => resolve());
    stream.destroy();
  });
}

export function tcpOpener(t: TcpTarget): LineOpener {
  return {
    target: targetName(t),
    open: (opened) =>
      openSocket(
        t,
        (onread) => net.connect({ host: t.host, port: t.port, noDelay: true, onread }),
        (socket, usable) => socket.once('connect', usable),
        opened,
      ),
    close: closeSocket,
  };
}
