/**
 * What the Modbus and raw servers share: a name, their ports (transport/ports.ts: one port or a
 * pool) and their session set, and the parts of GatewayServer that only read those. The protocol
 * server builds a session for each accepted connection (`open`) and says how it starts and stops.
 */
import type net from 'node:net';
import type { PoolPort, ServerCommon } from '../config/types.js';
import { serverLogger, type Logger } from '../log.js';
import type { PortHolder } from '../transport/port-set.js';
import { createPorts, type PortSet } from '../transport/ports.js';
import type { SessionStats } from '../transport/session-stream.js';
import type { PortStatus, ServerDeps } from './server.js';
import { SessionSet, type SetMember } from './session-set.js';

export abstract class SessionServer<S extends SetMember & PortHolder> {
  readonly name: string;
  protected readonly log: Logger;
  protected readonly sessions: SessionSet<S>;
  protected readonly listeners: PortSet;

  /** `readBuffers`: read connections into reused buffers (tcp-listener.ts): raw servers. */
  constructor(config: ServerCommon, deps: ServerDeps, readBuffers = false) {
    this.name = config.name;
    this.log = serverLogger(deps.log, config.name);
    this.sessions = new SessionSet(config, this.log, deps);
    this.listeners = createPorts(config, {
      ...this.sessions.portDeps(),
      ...(readBuffers ? { readBuffers } : {}),
      open: (socket, remote, pool) => this.open(socket, remote, pool),
    });
  }

  get sessionCount(): number {
    return this.sessions.size;
  }

  /** Every open session's counters. */
  sessionStats(): SessionStats[] {
    return this.sessions.stats();
  }

  /** Every listening port; a pool port with the session holding it. */
  ports(): PortStatus[] {
    return this.listeners.table();
  }

  /** Builds the session for an accepted connection; `pool` is the pool port it came in on. */
  protected abstract open(socket: net.Socket, remote: string, pool: PoolPort | undefined): S;
}
