/**
 * Opens an outbound TCP connection for a ReconnectingLine (raw TCP devices, each lane of a Modbus TCP
 * device), with a deadline and TCP keepalive.
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

export function tcpOpener(t: TcpTarget): LineOpener {
  return {
    target: net.isIPv6(t.host) ? `[${t.host}]:${t.port}` : `${t.host}:${t.port}`,
    open(opened) {
      // Each connection reads into one reused buffer (read-buffer.ts): a device streaming flat out
      // costs no allocation per read.
      const onread = emitDataFrom(new ReadBuffer(), () => socket);
      const socket: net.Socket = net.connect({ host: t.host, port: t.port, noDelay: true, onread });
      const fail = (err: Error) => {
        socket.off('connect', ok);
        opened(err);
      };
      const ok = () => {
        socket.off('error', fail);
        socket.setTimeout(0);
        if (t.keepAlive > 0) socket.setKeepAlive(true, t.keepAlive);
        opened(null);
      };
      socket.once('connect', ok);
      socket.once('error', fail);
      socket.setTimeout(t.connectTimeout, () => {
        if (socket.connecting) socket.destroy(new Error(`no connection within ${t.connectTimeout} ms`));
      });
      return socket;
    },
    close(stream: Duplex) {
      return new Promise((resolve) => {
        if (stream.destroyed) return resolve();
        stream.once('close', () => resolve());
        stream.destroy();
      });
    },
  };
}
