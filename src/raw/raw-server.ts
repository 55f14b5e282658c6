/**
 * A configured raw TCP server (`protocol: raw`): its ports (one, or an Omron-style pool), its
 * sessions, and the handler their frames go to.
 */
import type net from 'node:net';
import { createFramer } from '../codec/framers/index.js';
import type { DecodeCounters } from '../bank/frame-decoder.js';
import { decodeFraming } from '../codec/framers/decode-framing.js';
import type { Framing, PoolPort, RawServerConfig } from '../config/types.js';
import { serverLogger, sessionLogger, type Logger } from '../log.js';
import type { GatewayServer, PortStatus, ServerDeps } from '../servers/server.js';
import { createPorts, type PortSet } from '../transport/ports.js';
import type { CloseReason, SessionStats } from '../transport/session-stream.js';
import type { RawHandler } from './handler.js';
import { createRawHandler } from './handlers/index.js';
import { RawSession } from './raw-session.js';

export class RawServer implements GatewayServer {
  readonly name: string;
  private readonly log: Logger;
  private readonly listeners: PortSet;
  private readonly handler: RawHandler;
  private readonly sessions = new Set<RawSession>();
  /** The configured framing; a decode handler's profile gives it when the server sets none. */
  private readonly framing: Framing;

  constructor(
    readonly config: RawServerConfig,
    private readonly deps: ServerDeps,
  ) {
    this.name = config.name;
    this.log = serverLogger(deps.log, config.name);
    const h = config.handler;
    this.framing = h.kind === 'decode' ? decodeFraming(config.framing, deps.profiles.get(h.profile)) : config.framing;
    this.handler = createRawHandler(h, { server: config.name, devices: deps.devices, banks: deps.banks, profiles: deps.profiles, framing: this.framing, log: this.log });
    this.listeners = createPorts(config, {
      log: this.log,
      sessionCount: () => this.sessions.size,
      onRefused: (why) => deps.observer.connectionRefused(config.name, why),
      readBuffers: true,
      open: (socket, remote, pool) => this.open(socket, remote, pool),
    });
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  async start(): Promise<void> {
    await this.handler.start?.();
    await this.listeners.listen();
  }

  /** Stops accepting, lets what was sent to the sessions go out, closes every session. */
  async stop(reason: CloseReason, graceMs: number): Promise<void> {
    await Promise.all([this.listeners.close(), ...[...this.sessions].map((s) => s.shutdown(reason, graceMs))]);
    await this.handler.stop?.();
  }

  decoded(): DecodeCounters | undefined {
    return this.handler.decoded?.();
  }

  sessionStats(): SessionStats[] {
    return [...this.sessions].map((s) => ({ ...s.stats }));
  }

  ports(): PortStatus[] {
    return this.listeners.table();
  }

  private open(socket: net.Socket, remote: string, pool: PoolPort | undefined): RawSession {
    const id = this.deps.nextSessionId();
    const log = sessionLogger(this.log, id, remote);
    const c = this.config;
    const { observer } = this.deps;
    const session = new RawSession(socket, {
      id,
      remote,
      log,
      framer: createFramer(this.framing),
      idleTimeout: c.idleTimeout,
      sendTimeout: c.sendTimeout,
      sendQueue: c.sendQueue,
      oneByOne: this.handler.oneByOne ?? false,
      ...(pool ? { pool } : {}),
      receive: (s, chunks, frames) => this.handler.received(s, chunks, frames),
      onClose: (s, reason) => {
        this.sessions.delete(s);
        this.handler.closed(s);
        observer.sessionClosed(c.name, reason);
        observer.bytes(c.name, s.stats.bytesIn, s.stats.bytesOut);
      },
    });
    this.sessions.add(session);
    this.handler.opened(session);
    observer.sessionOpened(c.name);
    log.info({ port: pool?.port ?? socket.localPort }, 'session opened');
    return session;
  }
}
