/**
 * A configured Modbus TCP server: its ports (one, or an Omron-style pool), its sessions, and how
 * their requests are routed. A pool port with its own `units` gets its own router: its unit map
 * takes precedence over the server's, so the port a PLC dials in on decides where its data lands.
 */
import type net from 'node:net';
import type { ModbusServerConfig, PoolPort } from '../config/types.js';
import { serverLogger, sessionLogger, type Logger } from '../log.js';
import { createPorts, type PortSet } from '../transport/ports.js';
import type { CloseReason, SessionStats } from '../transport/session-stream.js';
import type { GatewayServer, PortStatus, ServerDeps } from '../servers/server.js';
import { createRequestHandler, type RequestHandler } from './request-handler.js';
import { ModbusSession } from './server-session.js';
import { UnitRouter } from './unit-router.js';

export class ModbusServer implements GatewayServer {
  readonly name: string;
  private readonly log: Logger;
  private readonly listeners: PortSet;
  private readonly handler: RequestHandler;
  /** Pool ports with a unit map of their own. */
  private readonly portHandlers = new Map<number, RequestHandler>();
  private readonly sessions = new Set<ModbusSession>();

  constructor(
    readonly config: ModbusServerConfig,
    private readonly deps: ServerDeps,
  ) {
    this.name = config.name;
    this.log = serverLogger(deps.log, config.name);
    this.handler = this.handlerFor(config.units);
    for (const p of config.ports ?? []) {
      if (p.units) this.portHandlers.set(p.port, this.handlerFor(new Map([...config.units, ...p.units])));
    }
    this.listeners = createPorts(config, {
      log: this.log,
      sessionCount: () => this.sessions.size,
      onRefused: (why) => deps.observer.connectionRefused(config.name, why),
      open: (socket, remote, pool) => this.open(socket, remote, pool),
    });
  }

  /** The first port (an ordinary server has only one). */
  get port(): number {
    return this.listeners.table()[0]?.port ?? 0;
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  start(): Promise<void> {
    return this.listeners.listen();
  }

  /** Stops accepting, lets requests in flight be answered, closes every session. */
  async stop(reason: CloseReason, graceMs: number): Promise<void> {
    await Promise.all([this.listeners.close(), ...[...this.sessions].map((s) => s.shutdown(reason, graceMs))]);
  }

  sessionStats(): SessionStats[] {
    return [...this.sessions].map((s) => ({ ...s.stats }));
  }

  /** Every listening port; a pool port with the session holding it. */
  ports(): PortStatus[] {
    return this.listeners.table();
  }

  private handlerFor(units: ModbusServerConfig['units']): RequestHandler {
    const { config, deps } = this;
    const router = new UnitRouter(units, config.bank, deps.banks);
    return createRequestHandler(router, { readOnly: config.readOnly, identity: deps.identity, devices: deps.devices });
  }

  private open(socket: net.Socket, remote: string, pool: PoolPort | undefined): ModbusSession {
    const id = this.deps.nextSessionId();
    const log = sessionLogger(this.log, id, remote);
    const c = this.config;
    const { observer } = this.deps;
    const name = c.name;
    const session = new ModbusSession(socket, {
      id,
      remote,
      log,
      handler: (pool && this.portHandlers.get(pool.port)) ?? this.handler,
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
    log.info({ port: pool?.port ?? socket.localPort }, 'session opened');
    return session;
  }
}
