/**
 * One listening TCP port. Accepts connections, refuses those not allowed or past the client limit
 * (closed at once, logged with the reason through the server's refusal log: the first refusal of a
 * source address per window in full, the rest summed up), and hands each accepted socket on. Bytes
 * only: what runs over the socket is the caller's business.
 */
import net from 'node:net';
import type { Logger } from 'pino';
import { FieldgateError } from '../errors.js';
import { CONDITION_WINDOW_MS, LogLimit } from '../log-limit.js';
import { withReadBuffer } from './accepted-socket.js';
import { plainAddress, type AllowCheck } from './allow-list.js';
import type { TlsAcceptor, TlsPeer } from './tls-accept.js';

export interface ListenerOptions {
  readonly host: string;
  readonly port: number;
  readonly log: Logger;
  readonly allow: AllowCheck;
  /** Called for each connection that passes `allow`; returns why it is refused, or undefined. */
  readonly admit: (remoteAddress: string) => string | undefined;
  /** `peer`: who the client is, on a TLS port. */
  readonly onConnection: (socket: net.Socket, remote: string, peer?: TlsPeer) => void;
  /** Told about every refused connection (for metrics). */
  readonly onRefused?: (why: string) => void;
  /**
   * Where refusals are logged, when several listeners share one (a pool's ports; the owner stops
   * it). Absent: the listener has its own, stopped when it closes.
   */
  readonly refusals?: LogLimit;
  /** ms of idle before the first TCP keepalive probe; 0 = off. */
  readonly keepAlive: number;
  /** Name shown in error messages ("server scada"). */
  readonly owner: string;
  /**
   * Read each connection into one reused buffer (read-buffer.ts): raw and Modbus sessions, whose
   * frames are handled within the read (what is kept past it is copied). Not for TLS connections:
   * their bytes are decrypted into buffers of their own.
   */
  readonly readBuffers?: boolean;
  /**
   * TLS (tls-accept.ts): an allowed connection is handshaken first; `admit` runs once it is secure
   * (a pool port's holder is replaced only for a client that passed the handshake).
   */
  readonly tls?: TlsAcceptor;
}

const BIND_HINTS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'the address is already in use (another fieldgate, or another program, listens there)',
  EACCES: 'permission denied (ports below 1024 need root or CAP_NET_BIND_SERVICE)',
  EADDRNOTAVAIL: 'this machine has no such address',
  ENOTFOUND: 'the host name does not resolve',
};

/**
 * A server's refusal log: a client refused again and again (past `maxClients`, a pool port held or
 * reserved, not allowed) is a persistent condition: `connection refused` (peer, port, why) for the
 * first refusal of each source address, then `connection refused (repeated)` (address, count,
 * lastReason, seconds) at most once a minute while refusals go on, and `connection refused ended`
 * (address, count, forSeconds) after a quiet minute; at most LOG_MAX_SOURCES addresses at once, the
 * rest counted as `others`.
 */
export function refusalLog(log: Logger): LogLimit {
  return new LogLimit(log, {
    reasonField: 'why',
    sourceField: 'address',
    windowMs: CONDITION_WINDOW_MS,
    endMessage: 'connection refused ended',
  });
}

export function remoteOf(socket: net.Socket): string {
  const addr = socket.remoteAddress ?? '?';
  return addr.includes(':') ? `[${addr}]:${socket.remotePort}` : `${addr}:${socket.remotePort}`;
}

export class TcpListener {
  private readonly server: net.Server;
  private readonly refusals: LogLimit;
  private readonly ownRefusals: boolean;

  constructor(private readonly options: ListenerOptions) {
    this.ownRefusals = options.refusals === undefined;
    this.refusals = options.refusals ?? refusalLog(options.log);
    const pauseOnConnect = (options.readBuffers ?? false) && !options.tls;
    this.server = net.createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect }, (socket) =>
      this.accept(socket),
    );
    // a listener's error is the system's (EMFILE, ...), not a bug: its message and code, no stack
    this.server.on('error', (err: NodeJS.ErrnoException) =>
      options.log.error({ error: err.message, code: err.code ?? null }, 'listener error'),
    );
  }

  /** The bound port (useful when the config asked for port 0). */
  get port(): number {
    const addr = this.server.address();
    return addr && typeof addr === 'object' ? addr.port : this.options.port;
  }

  get host(): string {
    return this.options.host;
  }

  listen(): Promise<void> {
    const { host, port, owner } = this.options;
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        const why = BIND_HINTS[err.code ?? ''] ?? err.message;
        reject(
          new FieldgateError('FG_ERR_BIND', `${owner} cannot listen on ${host}:${port}: ${why}`, [], { cause: err }),
        );
      };
      this.server.once('error', onError);
      this.server.listen({ host, port, exclusive: true }, () => {
        this.server.off('error', onError);
        this.options.log.info({ address: host, port: this.port }, 'listening');
        resolve();
      });
    });
  }

  /**
   * Stops accepting (and logs the refusals its own refusal log still counts); open sockets are the caller's to close.
   */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
    });
    this.options.tls?.close(); // handshakes in progress are connections the close would wait for
    await closed;
    if (this.ownRefusals) this.refusals.stop();
  }

  private accept(accepted: net.Socket): void {
    const remote = remoteOf(accepted);
    const address = accepted.remoteAddress ?? '';
    const ignoreErrors = () => undefined; // a reset before the session attaches must not crash
    accepted.on('error', ignoreErrors);
    const allowed = this.options.allow(address);
    if (allowed && this.options.tls) {
      this.options.tls.handshake(accepted, {
        secure: (socket, peer) => this.admitted(socket, remote, address, peer),
        refused: (why, error) => this.refuse(accepted, remote, address, why, error),
      });
      return;
    }
    const why = allowed ? this.options.admit(address) : 'not-allowed';
    if (why) return this.refuse(accepted, remote, address, why);
    this.admitted(accepted, remote, address);
  }

  private refuse(accepted: net.Socket, remote: string, address: string, why: string, error?: string): void {
    const fields = { peer: remote, port: this.port, why, ...(error !== undefined ? { error } : {}) };
    this.refusals.hit('connection refused', fields, undefined, plainAddress(address));
    this.options.onRefused?.(why);
    accepted.destroy();
  }

  private admitted(accepted: net.Socket, remote: string, address: string, peer?: TlsPeer): void {
    if (peer) {
      accepted.on('error', () => undefined);
      if (!this.server.listening) return void accepted.destroy(); // its handshake ended after close()
      const why = this.options.admit(address);
      if (why) return this.refuse(accepted, remote, address, why);
    }
    const buffered = this.options.readBuffers && !peer;
    const socket = buffered ? withReadBuffer(accepted, this.server, true, this.options.log) : accepted;
    if (socket !== accepted) socket.on('error', () => undefined);
    if (this.options.keepAlive > 0) socket.setKeepAlive(true, this.options.keepAlive);
    this.options.onConnection(socket, remote, peer);
  }
}
