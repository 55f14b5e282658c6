/**
 * A server's open sessions, whatever its protocol: each session's id and logger, the counts the port
 * layer and the metrics read, the 'session opened' line, and the stop that closes the ports and shuts
 * every session down together.
 */
import { sessionLogger, type Logger } from '../log.js';
import type { ServerCommon } from '../config/types.js';
import { ConnectionChurn, type RoutineLevel } from '../transport/connection-churn.js';
import type { CloseReason, SessionStats } from '../transport/session-stream.js';
import type { TlsPeer } from '../transport/tls-accept.js';
import type { ServerObserver } from './observer.js';
import type { ServerDeps } from './server.js';
import type { LifecycleOptions } from './session-lifecycle.js';

/** A session as its server's set sees it (servers/session-lifecycle.ts). */
export interface SetMember {
  readonly stats: SessionStats;
  readonly routine: RoutineLevel;
  shutdown(reason: CloseReason, graceMs: number): Promise<void>;
}

export class SessionSet<S extends SetMember> {
  private readonly sessions = new Set<S>();
  private readonly observer: ServerObserver;

  private readonly server: string;
  /** Routine lines of sources that connect again and again go to debug, summed up once a minute. */
  private readonly churn: ConnectionChurn;

  constructor(
    private readonly config: Pick<ServerCommon, 'name' | 'idleTimeout' | 'sendTimeout'>,
    private readonly log: Logger,
    private readonly deps: Pick<ServerDeps, 'observer' | 'nextSessionId'>,
  ) {
    this.server = config.name;
    this.observer = deps.observer;
    this.churn = new ConnectionChurn(log);
  }

  get size(): number {
    return this.sessions.size;
  }

  /** What the port layer needs from the server about its sessions (transport/ports.ts). */
  portDeps(): { log: Logger; sessionCount: () => number; onRefused: (why: string) => void } {
    return {
      log: this.log,
      sessionCount: () => this.sessions.size,
      onRefused: (why) => this.observer.connectionRefused(this.server, why),
    };
  }

  /** A new session's id (unique across the gateway), logger and timeouts. */
  next(remote: string): LifecycleOptions {
    const id = this.deps.nextSessionId();
    const { idleTimeout, sendTimeout } = this.config;
    const routine = this.churn.opened(remote);
    const onRoutineClose = (reason: CloseReason) => this.churn.closed(routine, reason, remote);
    const log = sessionLogger(this.log, id, remote);
    return { id, remote, log, idleTimeout, sendTimeout, routine, onRoutineClose };
  }

  /**
   * Adds a session that was just opened on `port`, counts it and logs it; on TLS with the client
   * certificate's subject and role (and why a role extension could not be read).
   */
  opened(session: S, log: Logger, port: number | undefined, peer?: TlsPeer): S {
    this.sessions.add(session);
    this.observer.sessionOpened(this.server);
    const level = session.routine;
    if (!peer) {
      log[level]({ port }, 'session opened');
      return session;
    }
    const { subject, role, roleError } = peer;
    session.stats.tls = { subject, role };
    const bad = roleError !== undefined ? { roleError } : {};
    log[level]({ port, tls: peer.protocol, subject, serial: peer.serial, role, ...bad }, 'session opened');
    return session;
  }

  /** Forgets a closed session and counts it, with its bytes. */
  closed(session: S, reason: CloseReason): void {
    this.sessions.delete(session);
    this.observer.sessionClosed(this.server, reason);
    this.observer.bytes(this.server, session.stats.bytesIn, session.stats.bytesOut);
  }

  /** Stops accepting (closes the ports) and shuts every session down, together. */
  async stop(ports: { close(): Promise<void> }, reason: CloseReason, graceMs: number): Promise<void> {
    await Promise.all([ports.close(), ...[...this.sessions].map((s) => s.shutdown(reason, graceMs))]);
    this.churn.stop();
  }

  /** Every open session's counters (copies). */
  stats(): SessionStats[] {
    return [...this.sessions].map((s) => ({ ...s.stats }));
  }
}
