/**
 * The simulated device accepts connections (a camera's trigger port, an FPGA board with a TCP
 * server): every client gets its own conversation.
 */
import net from 'node:net';
import { FieldgateError } from '../errors.js';
import { closeGracefully } from './dial.js';
import type { Conversation, Say } from './types.js';

export interface Listening {
  /** The port bound (the one asked for, or the one picked for port 0). */
  readonly port: number;
  stop(): Promise<void>;
}

export function serve(host: string, port: number, say: Say, converse: Conversation): Promise<Listening> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    sockets.add(socket);
    socket.setNoDelay(true);
    say('client connected', { peer });
    let error: string | undefined;
    socket.on('error', (err) => (error = err.message));
    const end = converse(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      end();
      say('client gone', { peer, ...(error ? { error } : {}) });
    });
  });
  return new Promise<Listening>((resolve, reject) => {
    server.once('error', (err) =>
      reject(new FieldgateError('FG_ERR_BIND', `cannot listen on ${host}:${port}: ${err.message}`)),
    );
    server.listen({ host, port }, () => {
      const bound = (server.address() as net.AddressInfo).port;
      say('listening', { address: `${host}:${bound}` });
      resolve({
        port: bound,
        stop: async () => {
          const closed = new Promise<void>((r) => server.close(() => r()));
          await Promise.all([...sockets].map(closeGracefully));
          await closed;
        },
      });
    });
  });
}
