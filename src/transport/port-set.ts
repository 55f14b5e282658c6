/** The port layer's types: what servers give it and get from it (ports.ts, port-pool.ts). */
import type net from 'node:net';
import type { Logger } from 'pino';
import type { PoolPort, ServerCommon } from '../config/types.js';
import type { RoutineLevel } from './connection-churn.js';
import type { CloseReason, SessionStats } from './session-stream.js';
import type { TlsAcceptor, TlsPeer } from './tls-accept.js';

/** A session as the port layer sees it: its counters, and how to end it (a replaced pool session). */
export interface PortHolder {
  readonly stats: SessionStats;
  /** The level of its routine lines (port allocated, released, replaced): connection-churn.ts. */
  readonly routine: RoutineLevel;
  close(reason: CloseReason): void;
}

/** One listening port and the session holding it (pool ports), as the status document shows it. */
export interface PortStatus {
  readonly port: number;
  readonly address: string;
  /** The client address the port is reserved for, if any. */
  readonly client: string | null;
  /** Pool ports: the one session holding the port; ordinary servers: null. */
  readonly session: SessionStats | null;
}

/** What the port layer reads from a server's config. */
export type ListenConfig = Pick<
  ServerCommon,
  'name' | 'host' | 'port' | 'ports' | 'onBusy' | 'maxClients' | 'keepAlive' | 'allow'
>;

export interface PortsDeps {
  readonly log: Logger;
  /** Open sessions of the server (for maxClients). */
  readonly sessionCount: () => number;
  /** Told about every refused connection (metrics). */
  readonly onRefused?: (why: string) => void;
  /** Read connections into reused buffers (tcp-listener.ts): raw and Modbus servers. */
  readonly readBuffers?: boolean;
  /** TLS on every port (tls-accept.ts). */
  readonly tls?: TlsAcceptor;
  /** Builds the session for an accepted connection; `pool` is the pool port it came in on; `peer` on TLS. */
  readonly open: (socket: net.Socket, remote: string, pool: PoolPort | undefined, peer?: TlsPeer) => PortHolder;
}

export interface PortSet {
  listen(): Promise<void>;
  /** Stops accepting; open sessions are the server's to close. */
  close(): Promise<void>;
  /** Every listening port, with the session holding it (pool ports) or null. */
  table(): PortStatus[];
}
