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
import { TlsAcceptor, type TlsMaterial, type TlsPeer } from '../transport/tls-accept.js';
import type { SessionStats } from '../transport/session-stream.js';
import type { PortStatus, ServerDeps } from './server.js';
import { SessionSet, type SetMember } from './session-set.js';

export abstract class SessionServer<S extends SetMember & PortHolder> {
  readonly name: string;
  protected readonly log: Logger;
  protected readonly sessions: SessionSet<S>;
  protected readonly listeners: PortSet;
  /** `tls:` servers: the handshake on every port, its files replaced on reload. */
  private readonly tls: TlsAcceptor | undefined;

  /** `readBuffers`: read connections into reused buffers (tcp-listener.ts): raw and Modbus servers. */
  constructor(config: ServerCommon, deps: ServerDeps, readBuffers = false) {
    this.name = config.name;
    this.log = serverLogger(deps.log, config.name);
    this.sessions = new SessionSet(config, this.log, deps);
    this.tls = tlsAcceptor(config, deps);
    this.listeners = createPorts(config, {
      ...this.sessions.portDeps(),
      ...(readBuffers ? { readBuffers } : {}),
      ...(this.tls ? { tls: this.tls } : {}),
      open: (socket, remote, pool, peer) => this.open(socket, remote, pool, peer),
    });
  }

  /** New connections use these files; sessions open keep theirs. */
  reloadTls(material: TlsMaterial): void {
    this.tls?.replace(material);
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

  /** Builds the session for an accepted connection; `pool` is the pool port it came in on; `peer` on TLS. */
  protected abstract open(socket: net.Socket, remote: string, pool: PoolPort | undefined, peer?: TlsPeer): S;
}

function tlsAcceptor(config: ServerCommon, deps: ServerDeps): TlsAcceptor | undefined {
  if (!config.tls) return undefined;
  const material = deps.tls?.(config.name);
  if (!material) throw new Error(`internal: server "${config.name}" has tls: but its files were not read`);
  return new TlsAcceptor(material);
}
