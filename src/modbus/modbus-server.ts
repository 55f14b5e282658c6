/**
 * A configured Modbus TCP server: its listener, its sessions, and how their requests are routed.
 */
import type net from 'node:net';
import type { ModbusServerConfig } from '../config/types.js';
import { serverLogger, sessionLogger, type Logger } from '../log.js';
import { allowList } from '../transport/allow-list.js';
import type { CloseReason, SessionStats } from '../transport/session-stream.js';
import { TcpListener } from '../transport/tcp-listener.js';
import type { ServerDeps } from '../servers/factory.js';
import type { GatewayServer, PortStatus } from '../servers/server.js';
import { createRequestHandler, type RequestHandler } from './request-handler.js';
import { ModbusSession } from './server-session.js';
import { UnitRouter } from './unit-router.js';

export class ModbusServer implements GatewayServer {
  readonly name: string;
  private readonly log: Logger;
  private readonly listener: TcpListener;
  private readonly handler: RequestHandler;
  private readonly sessions = new Set<ModbusSession>();

  constructor(
    readonly config: ModbusServerConfig,
    private readonly deps: ServerDeps,
  ) {
    this.name = config.name;
    this.log = serverLogger(deps.log, config.name);
    const router = new UnitRouter(config.units, config.bank, deps.banks);
    this.handler = createRequestHandler(router, { readOnly: config.readOnly, identity: deps.identity });
    this.listener = new TcpListener({
      host: config.host,
      port: config.port ?? 0,
      log: this.log,
      allow: allowList(config.allow),
      admit: () => (this.sessions.size >= config.maxClients ? 'max-clients' : undefined),
      onRefused: (why) => deps.observer.connectionRefused(config.name, why),
      onConnection: (socket, remote) => this.open(socket, remote),
      keepAlive: config.keepAlive,
      owner: `server "${config.name}"`,
    });
  }

  get port(): number {
    return this.listener.port;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  start(): Promise<void> {
    return this.listener.listen();
  }

  /** Stops accepting, lets requests in flight be answered, closes every session. */
  async stop(reason: CloseReason, graceMs: number): Promise<void> {
    await Promise.all([this.listener.close(), ...[...this.sessions].map((s) => s.shutdown(reason, graceMs))]);
  }

  sessionStats(): SessionStats[] {
    return [...this.sessions].map((s) => ({ ...s.stats }));
  }

  /** An ordinary server has one port, held by no single session. */
  ports(): PortStatus[] {
    return [{ port: this.listener.port, address: this.listener.host, client: null, session: null }];
  }

  private open(socket: net.Socket, remote: string): void {
    const id = this.deps.nextSessionId();
    const log = sessionLogger(this.log, id, remote);
    const c = this.config;
    const { observer } = this.deps;
    const name = c.name;
    const session = new ModbusSession(socket, {
      id,
      remote,
      log,
      handler: this.handler,
      maxInFlight: c.maxInFlight,
      idleTimeout: c.idleTimeout,
      sendTimeout: c.sendTimeout,
      onClose: (s, reason) => {
        this.sessions.delete(s);
        observer.sessionClosed(name, reason);
        observer.bytes(name, s.stats.bytesIn, s.stats.bytesOut);
      },
      onReply: (fc, exception, seconds) => observer.request(name, fc, exception, seconds),
    });
    this.sessions.add(session);
    observer.sessionOpened(name);
    log.info({ port: this.listener.port }, 'session opened');
  }
}
