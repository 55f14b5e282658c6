/**
 * The HTTP status endpoint (`status.listen`): GET /health, GET /status, GET /metrics. Small and
 * defensive: few connections, short timeouts, GET and HEAD only, nothing but these three paths.
 */
import http from 'node:http';
import { FieldgateError } from '../errors.js';
import type { Logger } from '../log.js';

export interface Reply {
  readonly status: number;
  readonly type: string;
  readonly body: string;
}

/** Answers one path (the query string removed); undefined = 404. */
export type Route = () => Reply | Promise<Reply>;

const MAX_CONNECTIONS = 32;
const TIMEOUT_MS = 10_000;

const BIND_HINTS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'the address is already in use',
  EACCES: 'permission denied',
  EADDRNOTAVAIL: 'this machine has no such address',
};

export class StatusHttpServer {
  private readonly server: http.Server;

  constructor(
    private readonly routes: ReadonlyMap<string, Route>,
    private readonly log: Logger,
  ) {
    this.server = http.createServer((req, res) => void this.handle(req, res));
    this.server.maxConnections = MAX_CONNECTIONS;
    this.server.headersTimeout = TIMEOUT_MS;
    this.server.requestTimeout = TIMEOUT_MS;
    this.server.keepAliveTimeout = 5000;
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
        reject(new FieldgateError('FG_ERR_BIND', `the status endpoint cannot listen on ${host}:${port}: ${why}`, [], { cause: err }));
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
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    let reply: Reply;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      reply = { status: 405, type: 'text/plain', body: 'only GET and HEAD\n' };
    } else {
      const route = this.routes.get(path);
      try {
        reply = route ? await route() : { status: 404, type: 'text/plain', body: `no such page; try ${[...this.routes.keys()].join(' ')}\n` };
      } catch (err) {
        this.log.error({ err, path }, 'status endpoint failed to answer');
        reply = { status: 500, type: 'text/plain', body: 'internal error (logged)\n' };
      }
    }
    res.writeHead(reply.status, { 'Content-Type': reply.type, 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(reply.body) });
    res.end(req.method === 'HEAD' ? undefined : reply.body);
  }
}
