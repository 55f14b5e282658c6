/**
 * Where a server listens: one port that takes many sessions, or a pool of ports that take one session
 * each (port-pool.ts). Servers of every protocol get their connections through this, so admission
 * (allow list, maxClients, a pool port's client and onBusy), TCP keepalive and the allocation table
 * work the same for Modbus and raw servers.
 */
import type net from 'node:net';
import type { Logger } from 'pino';
import type { PoolPort, ServerCommon } from '../config/types.js';
import { allowList } from './allow-list.js';
import { PortPool } from './port-pool.js';
import type { CloseReason, SessionStats } from './session-stream.js';
import { TcpListener } from './tcp-listener.js';

/** A session as the port layer sees it: its counters, and how to end it (a replaced pool session). */
export interface PortHolder {
  readonly stats: SessionStats;
  close(reason: CloseReason): void;
}

/** One listening port and the session holding it (pool ports), as the status document shows it. */
export interface PortEntry {
  readonly port: number;
  readonly address: string;
  readonly client: string | null;
  readonly session: SessionStats | null;
}

/** What the port layer reads from a server's config. */
export type ListenConfig = Pick<ServerCommon, 'name' | 'host' | 'port' | 'ports' | 'onBusy' | 'maxClients' | 'keepAlive' | 'allow'>;

export interface PortsDeps {
  readonly log: Logger;
  /** Open sessions of the server (for maxClients). */
  readonly sessionCount: () => number;
  /** Told about every refused connection (metrics). */
  readonly onRefused?: (why: string) => void;
  /** Read connections into reused buffers (tcp-listener.ts): raw servers. */
  readonly readBuffers?: boolean;
  /** Builds the session for an accepted connection; `pool` is the pool port it came in on. */
  readonly open: (socket: net.Socket, remote: string, pool: PoolPort | undefined) => PortHolder;
}

export interface PortSet {
  listen(): Promise<void>;
  /** Stops accepting; open sessions are the server's to close. */
  close(): Promise<void>;
  /** Every listening port, with the session holding it (pool ports) or null. */
  table(): PortEntry[];
}

export function createPorts(config: ListenConfig, deps: PortsDeps): PortSet {
  return config.ports ? new PortPool(config, config.ports, deps) : new SinglePort(config, deps);
}

/** An ordinary server: one port, up to maxClients sessions. */
class SinglePort implements PortSet {
  private readonly listener: TcpListener;

  constructor(config: ListenConfig, deps: PortsDeps) {
    this.listener = new TcpListener({
      host: config.host,
      port: config.port ?? 0,
      log: deps.log,
      allow: allowList(config.allow),
      admit: () => (deps.sessionCount() >= config.maxClients ? 'max-clients' : undefined),
      onRefused: deps.onRefused,
      onConnection: (socket, remote) => deps.open(socket, remote, undefined),
      keepAlive: config.keepAlive,
      owner: `server "${config.name}"`,
      readBuffers: deps.readBuffers ?? false,
    });
  }

  listen(): Promise<void> {
    return this.listener.listen();
  }

  close(): Promise<void> {
    return this.listener.close();
  }

  table(): PortEntry[] {
    return [{ port: this.listener.port, address: this.listener.host, client: null, session: null }];
  }
}
