/**
 * The HTTP status endpoint (`status.listen`): GET /health, GET /status, GET /metrics. Small and
 * defensive: few connections, short timeouts, GET and HEAD only, nothing but these three paths.
 *
 * Against slow clients (slowloris: headers sent a byte at a time, never finished): a client has
 * `headersTimeoutMs` for its whole request, and Node checks that every `checkIntervalMs` (its own
 * default is 30 s, which let 40 such connections lock /health out for ~36 s). Past
 * `maxConnections`, a new connection closes the oldest one that has no request in progress (a slow
 * or idle one), so a health check that sends its request at once is answered however many slow
 * connections there are.
 */
import http from 'node:http';
import type net from 'node:net';
import { FieldgateError } from '../errors.js';
import type { Logger } from '../log.js';
import { LogLimit } from '../log-limit.js';

export interface Reply {
  readonly status: number;
  readonly type: string;
  readonly body: string;
}

/** Answers one path (the query string removed); undefined = 404. */
export type Route = () => Reply | Promise<Reply>;

export interface StatusLimits {
  /** ms a client has to send its request (headers, and the whole request). */
  readonly headersTimeoutMs: number;
  /** Open connections at most: past it, the oldest without a request in progress is closed. */
  readonly maxConnections: number;
  /** ms between the checks of that timeout. */
  readonly checkIntervalMs: number;
}

export const STATUS_LIMITS: StatusLimits = { headersTimeoutMs: 10_000, maxConnections: 64, checkIntervalMs: 1000 };

const KEEP_ALIVE_MS = 5000;

const BIND_HINTS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'the address is already in use',
  EACCES: 'permission denied',
  EADDRNOTAVAIL: 'this machine has no such address',
};

export class StatusHttpServer {
  private readonly server: http.Server;
  private readonly limits: StatusLimits;
  /** Open connections, oldest first. */
  private readonly open = new Set<net.Socket>();
  /** Connections with a request in progress (never closed to make room). */
  private readonly busy = new Set<net.Socket>();
  private readonly evictions: LogLimit;

  constructor(
    private readonly routes: ReadonlyMap<string, Route>,
    private readonly log: Logger,
    limits: Partial<StatusLimits> = {},
  ) {
    this.limits = { ...STATUS_LIMITS, ...limits };
    const { headersTimeoutMs, checkIntervalMs } = this.limits;
    this.server = http.createServer(
      {
        headersTimeout: headersTimeoutMs,
        requestTimeout: headersTimeoutMs,
        connectionsCheckingInterval: checkIntervalMs,
        keepAliveTimeout: KEEP_ALIVE_MS,
      },
      (req, res) => void this.handle(req, res),
    );
    this.evictions = new LogLimit(log);
    this.server.on('connection', (socket: net.Socket) => this.admit(socket));
    this.server.on('error', (err) => log.error({ err }, 'status endpoint error'));
    this.server.on('clientError', (_err, socket) => socket.destroy());
  }

  get port(): number {
    const addr = this.server.address();
    return addr && typeof addr === 'object' ? addr.port : 0;
  }

  get listening(): boolean {
    return this.server.listening;
  }

  listen(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: NodeJS.ErrnoException) => {
        const why = BIND_HINTS[err.code ?? ''] ?? err.message;
        reject(
          new FieldgateError('FG_ERR_BIND', `the status endpoint cannot listen on ${host}:${port}: ${why}`, [], {
            cause: err,
          }),
        );
      };
      this.server.once('error', onError);
      this.server.listen({ host, port, exclusive: true }, () => {
        this.server.off('error', onError);
        this.log.info({ address: host, port: this.port }, 'status endpoint listening');
        resolve();
      });
    });
  }

  close(): Promise<void> {
    this.evictions.stop();
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /** Tracks the connection; past the cap, closes the oldest one without a request in progress (else this one). */
  private admit(socket: net.Socket): void {
    this.open.add(socket);
    socket.once('close', () => {
      this.open.delete(socket);
      this.busy.delete(socket);
    });
    if (this.open.size <= this.limits.maxConnections) return;
    let victim = socket;
    for (const s of this.open) {
      if (s !== socket && !this.busy.has(s)) {
        victim = s;
        break;
      }
    }
    this.open.delete(victim);
    victim.destroy();
    const reason =
      victim === socket
        ? 'every connection has a request in progress: the new one'
        : 'the oldest without a request in progress';
    this.evictions.hit('status endpoint: too many connections, one closed', {
      reason,
      maxConnections: this.limits.maxConnections,
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const socket = req.socket;
    this.busy.add(socket);
    res.once('close', () => this.busy.delete(socket));
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    let reply: Reply;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      reply = { status: 405, type: 'text/plain', body: 'only GET and HEAD\n' };
    } else {
      const route = this.routes.get(path);
      try {
        reply = route
          ? await route()
          : { status: 404, type: 'text/plain', body: `no such page; try ${[...this.routes.keys()].join(' ')}\n` };
      } catch (err) {
        this.log.error({ err, path }, 'status endpoint failed to answer');
        reply = { status: 500, type: 'text/plain', body: 'internal error (logged)\n' };
      }
    }
    res.writeHead(reply.status, {
      'Content-Type': reply.type,
      'Cache-Control': 'no-store',
      'Content-Length': Buffer.byteLength(reply.body),
    });
    res.end(req.method === 'HEAD' ? undefined : reply.body);
  }
}
