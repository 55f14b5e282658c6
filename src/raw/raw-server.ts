/**
 * A configured raw TCP server (`protocol: raw`): its ports (one, or an Omron-style pool), its
 * sessions, and the handler their frames go to.
 */
import type net from 'node:net';
import { createFramer } from '../codec/framers/index.js';
import type { DecodeCounters } from '../bank/frame-decoder.js';
import { decodeFraming } from '../codec/framers/decode-framing.js';
import type { Framing, PoolPort, RawServerConfig } from '../config/types.js';
import type { GatewayServer, ServerDeps } from '../servers/server.js';
import { SessionServer } from '../servers/session-server.js';
import type { CloseReason } from '../transport/session-stream.js';
import type { TlsPeer } from '../transport/tls-accept.js';
import type { RawHandler } from './handler.js';
import { createRawHandler } from './handlers/index.js';
import { RawSession } from './raw-session.js';

export class RawServer extends SessionServer<RawSession> implements GatewayServer {
  private readonly handler: RawHandler;
  /** The configured framing; a decode handler's profile gives it when the server sets none. */
  private readonly framing: Framing;

  constructor(
    readonly config: RawServerConfig,
    private readonly deps: ServerDeps,
  ) {
    super(config, deps, true);
    const h = config.handler;
    this.framing = h.kind === 'decode' ? decodeFraming(config.framing, deps.profiles.get(h.profile)) : config.framing;
    this.handler = createRawHandler(h, {
      server: config.name,
      devices: deps.devices,
      banks: deps.banks,
      profiles: deps.profiles,
      framing: this.framing,
      log: this.log,
    });
  }

  async start(): Promise<void> {
    await this.handler.start?.();
    await this.listeners.listen();
  }

  /** Stops accepting, lets what was sent to the sessions go out, closes every session. */
  async stop(reason: CloseReason, graceMs: number): Promise<void> {
    await this.sessions.stop(this.listeners, reason, graceMs);
    await this.handler.stop?.();
  }

  decoded(): DecodeCounters | undefined {
    return this.handler.decoded?.();
  }

  protected open(socket: net.Socket, remote: string, pool: PoolPort | undefined, peer?: TlsPeer): RawSession {
    const life = this.sessions.next(remote);
    const session = new RawSession(socket, {
      ...life,
      framer: createFramer(this.framing),
      sendQueue: this.config.sendQueue,
      oneByOne: this.handler.oneByOne ?? false,
      ...(pool ? { pool } : {}),
      receive: (s, chunks, frames, ends) => this.handler.received(s, chunks, frames, ends),
      onClose: (s, reason) => {
        this.sessions.closed(s, reason);
        this.handler.closed(s);
      },
    });
    this.sessions.opened(session, life.log, pool?.port ?? socket.localPort, peer);
    this.handler.opened(session);
    return session;
  }
}
