/**
 * The HTTP(S) status endpoint (`status.listen`): the routes the endpoint gives it (endpoint.ts), with
 * their methods; GET and HEAD everywhere, POST only where a route takes it, 405 otherwise. Small and
 * defensive: few connections, short timeouts, request bodies of at most 4 KiB, a token checked before
 * anything but an open route (/health) is answered.
 *
 * Against slow clients (slowloris: headers sent a byte at a time, never finished): a client has
 * `headersTimeoutMs` for its whole request, and Node checks that every `checkIntervalMs` (its own
 * default is 30 s, which let 40 such connections lock /health out for ~36 s). Past
 * `maxConnections`, a new connection closes the oldest one that has no request in progress (a slow
 * or idle one), so a health check that sends its request at once is answered however many slow
 * connections there are.
 *
 * With `tls`, the server is HTTPS; `reloadTls` swaps the certificate for new connections.
 */
import http from 'node:http';
import type https from 'node:https';
import type net from 'node:net';
import { FieldgateError } from '../errors.js';
import type { Logger } from '../log.js';
import { LogLimit } from '../log-limit.js';
import { CHALLENGE, type StatusAccess } from './access.js';
import type { TlsMaterial } from './secrets.js';

export interface Reply {
  readonly status: number;
  readonly type: string;
  readonly body: string | Buffer;
  /** Headers besides Content-Type and Content-Length (Cache-Control defaults to no-store). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RouteRequest {
  readonly method: 'GET' | 'HEAD' | 'POST';
  /** The path as sent (not decoded, not normalized), without the query string. */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: http.IncomingHttpHeaders;
  /** The request body (empty but for POST). */
  readonly body: Buffer;
  /** The client's address. */
  readonly client: string;
}

export type Answer = (req: RouteRequest) => Reply | Promise<Reply>;

export interface Route {
  /** GET (and HEAD) unless said otherwise. */
  readonly methods?: readonly ('GET' | 'POST')[];
  /** Answered without the token (/health, for monitors). */
  readonly open?: boolean;
  readonly answer?: Answer;
  /** Takes the response over (server-sent events); GET and HEAD only. */
  readonly stream?: (req: http.IncomingMessage, res: http.ServerResponse) => void;
}

/** The route of a path; undefined = 404. */
export type Router = (path: string) => Route | undefined;

/** A router over fixed paths, each answered by GET/HEAD. */
export function fixedRoutes(routes: ReadonlyMap<string, Answer>): Router {
  return (path) => {
    const answer = routes.get(path);
    return answer && { answer };
  };
}

export interface StatusLimits {
  /** ms a client has to send its request (headers, and the whole request). */
  readonly headersTimeoutMs: number;
  /** Open connections at most: past it, the oldest without a request in progress is closed. */
  readonly maxConnections: number;
  /** ms between the checks of that timeout. */
  readonly checkIntervalMs: number;
  /** Bytes a request body may have (413 past it). */
  readonly maxBodyBytes: number;
}

export const STATUS_LIMITS: StatusLimits = {
  headersTimeoutMs: 10_000,
  maxConnections: 64,
  checkIntervalMs: 1000,
  maxBodyBytes: 4096,
};

export interface StatusHttpOptions {
  readonly limits?: Partial<StatusLimits>;
  /** HTTPS with this certificate and key. */
  readonly tls?: TlsMaterial;
  /** The token check; without it every route is open. */
  readonly access?: StatusAccess;
}

const KEEP_ALIVE_MS = 5000;

const BIND_HINTS: Readonly<Record<string, string>> = {
  EADDRINUSE: 'the address is already in use',
  EACCES: 'permission denied',
  EADDRNOTAVAIL: 'this machine has no such address',
};

/** A refusal, as the console's API answers: {"error": reason}. */
const refusal = (status: number, reason: string, headers?: Record<string, string>): Reply => ({
  status,
  type: 'application/json; charset=utf-8',
  body: `${JSON.stringify({ error: reason })}\n`,
  ...(headers ? { headers } : {}),
});

export class StatusHttpServer {
  private readonly server: http.Server | https.Server;
  /** The same server when it is HTTPS. */
  private readonly tlsServer: https.Server | undefined;
  private readonly limits: StatusLimits;
  /** Open connections, oldest first. */
  private readonly open = new Set<net.Socket>();
  /** Connections with a request in progress (never closed to make room). */
  private readonly busy = new Set<net.Socket>();
  private readonly evictions: LogLimit;
  private readonly refusals: LogLimit;
  private readonly access: StatusAccess | undefined;

  constructor(
    private readonly router: Router,
    private readonly log: Logger,
    options: StatusHttpOptions = {},
  ) {
    this.limits = { ...STATUS_LIMITS, ...options.limits };
    this.access = options.access;
    const { headersTimeoutMs, checkIntervalMs } = this.limits;
    const serverOptions: http.ServerOptions = {
      headersTimeout: headersTimeoutMs,
      requestTimeout: headersTimeoutMs,
      connectionsCheckingInterval: checkIntervalMs,
      keepAliveTimeout: KEEP_ALIVE_MS,
    };
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => void this.handle(req, res);
    // node:https (and with it tls and crypto) is loaded only for an endpoint that has a certificate.
    this.server = options.tls
      ? process
          .getBuiltinModule('node:https')
          .createServer({ ...serverOptions, cert: options.tls.cert, key: options.tls.key }, handler)
      : http.createServer(serverOptions, handler);
    this.tlsServer = options.tls ? (this.server as https.Server) : undefined;
    this.evictions = new LogLimit(log);
    this.refusals = new LogLimit(log, { sourceField: 'client' });
    // With TLS, 'connection' is the TCP socket (before the handshake): the cap counts those too.
    this.server.on('connection', (socket: net.Socket) => this.admit(socket));
    this.server.on('error', (err: NodeJS.ErrnoException) =>
      log.error({ error: err.message, code: err.code ?? null }, 'status endpoint error'),
    );
    this.server.on('clientError', (_err, socket) => socket.destroy());
    if (options.tls) this.server.on('tlsClientError', (_err: Error, socket: net.Socket) => socket.destroy());
  }

  get port(): number {
    const addr = this.server.address();
    return addr && typeof addr === 'object' ? addr.port : 0;
  }

  get listening(): boolean {
    return this.server.listening;
  }

  get secure(): boolean {
    return this.tlsServer !== undefined;
  }

  /** A new certificate for new connections (HTTPS only; the material is checked already). */
  reloadTls(material: TlsMaterial): void {
    this.tlsServer?.setSecureContext({ cert: material.cert, key: material.key });
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
        this.log.info(
          { address: host, port: this.port, tls: this.secure, token: this.access !== undefined },
          'status endpoint listening',
        );
        resolve();
      });
    });
  }

  close(): Promise<void> {
    this.evictions.stop();
    this.refusals.stop();
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
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const client = socket.remoteAddress ?? 'unknown';
    let reply: Reply;
    try {
      const outcome = await this.route(req, res, path, q < 0 ? '' : url.slice(q + 1), client);
      if (outcome === 'streamed') return;
      reply = outcome;
    } catch (err) {
      this.log.error({ err, path }, 'status endpoint failed to answer');
      reply = refusal(500, 'internal error (logged)');
    }
    // A body not read (refused before it was) leaves the connection unusable: close it after the reply.
    if (!req.complete) res.setHeader('Connection', 'close');
    res.writeHead(reply.status, {
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      ...reply.headers,
      'Content-Type': reply.type,
      'Content-Length': Buffer.byteLength(reply.body),
    });
    res.end(req.method === 'HEAD' ? undefined : reply.body);
  }

  private async route(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    path: string,
    search: string,
    client: string,
  ): Promise<Reply | 'streamed'> {
    const route = this.router(path);
    if (!route) return refusal(404, `no such page: ${path}`);
    const methods: readonly string[] = route.stream ? ['GET'] : (route.methods ?? ['GET']);
    const method = req.method === 'HEAD' && methods.includes('GET') ? 'GET' : req.method;
    if (method === undefined || !methods.includes(method)) {
      const allow = methods.flatMap((m) => (m === 'GET' ? ['GET', 'HEAD'] : [m])).join(', ');
      return refusal(405, `${path} takes ${allow}`, { Allow: allow });
    }
    if (!route.open && this.access && !this.access.allows(req.headers.authorization)) {
      this.refusals.hit(
        'status endpoint: request without the token refused',
        { client, path, reason: req.headers.authorization === undefined ? 'no token' : 'wrong token' },
        undefined,
        client,
      );
      return refusal(401, 'this page needs the token (status.tokenFile): Authorization: Bearer TOKEN, or Basic', {
        'WWW-Authenticate': CHALLENGE,
      });
    }
    if (route.stream) {
      route.stream(req, res);
      return 'streamed';
    }
    let body: Buffer = Buffer.alloc(0);
    if (req.method === 'POST') {
      const read = await this.readBody(req);
      if (read === undefined) return refusal(413, `a request body may have at most ${this.limits.maxBodyBytes} bytes`);
      body = read;
    }
    const answer = route.answer;
    if (!answer) return refusal(404, `no such page: ${path}`);
    return answer({
      method: req.method as RouteRequest['method'],
      path,
      query: new URLSearchParams(search),
      headers: req.headers,
      body,
      client,
    });
  }

  /** The body, or undefined past the limit (then nothing more is read: the connection closes after the reply). */
  private readBody(req: http.IncomingMessage): Promise<Buffer | undefined> {
    const max = this.limits.maxBodyBytes;
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > max) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      let total = 0;
      let settled = false;
      const done = (result: Buffer | undefined) => {
        if (settled) return;
        settled = true;
        req.off('data', onData);
        if (result === undefined) req.pause();
        resolve(result);
      };
      const onData = (chunk: Buffer) => {
        total += chunk.length;
        if (total > max) return done(undefined);
        chunks.push(chunk);
      };
      req.on('data', onData);
      // 'close' without 'end': the client went away; what was read is answered to nobody.
      for (const event of ['end', 'error', 'close']) req.once(event, () => done(Buffer.concat(chunks, total)));
    });
  }
}
