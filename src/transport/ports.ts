/**
 * Where a server listens: one port that takes many sessions, or a pool of ports that take one session
 * each (port-pool.ts). Servers of every protocol get their connections through this, so admission
 * (allow list, maxClients, a pool port's client and onBusy), TCP keepalive and the allocation table
 * work the same for Modbus and raw servers.
 */
import { allowList } from './allow-list.js';
import { PortPool } from './port-pool.js';
import type { ListenConfig, PortSet, PortsDeps, PortStatus } from './port-set.js';
import { TcpListener } from './tcp-listener.js';

export type { PortSet } from './port-set.js';

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
      onConnection: (socket, remote, peer) => deps.open(socket, remote, undefined, peer),
      keepAlive: config.keepAlive,
      owner: `server "${config.name}"`,
      readBuffers: deps.readBuffers ?? false,
      ...(deps.tls ? { tls: deps.tls } : {}),
    });
  }

  listen(): Promise<void> {
    return this.listener.listen();
  }

  close(): Promise<void> {
    return this.listener.close();
  }

  table(): PortStatus[] {
    return [{ port: this.listener.port, address: this.listener.host, client: null, session: null }];
  }
}
