/**
 * An Omron-style port pool: one listener per port, each port held by at most one
 * session. A port may be reserved for one client address; a connection from any other address is
 * refused. A connection to a held port is refused or replaces the holder, by `onBusy`:
 *   reject               refuse the newcomer
 *   replace              close the holder, keep the newcomer
 *   replace-same-client  replace when the newcomer comes from the holder's address (a rebooted PLC
 *                        must not be locked out by its own half-open session), else refuse
 * An address that keeps taking a held port (two clients behind it fighting over the port) is held
 * off that port for a while (port-flapping.ts).
 * Every allocation, refusal, replacement and release is logged with the port and the peer.
 */
import { BlockList, isIPv6 } from 'node:net';
import type net from 'node:net';
import type { Logger } from 'pino';
import type { OnBusy, PoolPort } from '../config/types.js';
import type { LogLimit } from '../log-limit.js';
import { allowList, plainAddress } from './allow-list.js';
import { FLAP_REPLACEMENTS, FLAP_WINDOW_MS, FlapGuard } from './port-flapping.js';
import type { ListenConfig, PortHolder, PortSet, PortsDeps, PortStatus } from './port-set.js';
import { refusalLog, TcpListener } from './tcp-listener.js';
import type { TlsPeer } from './tls-accept.js';

interface Slot {
  readonly pool: PoolPort;
  readonly listener: TcpListener;
  readonly reservedFor: ((address: string) => boolean) | undefined;
  /** Who took this port from its holder lately, and who is held off it. */
  readonly flaps: FlapGuard;
  holder: PortHolder | undefined;
  /** The holder's address, as its socket reported it. */
  holderAddress: string | undefined;
}

function reservation(client: string | undefined): ((address: string) => boolean) | undefined {
  if (client === undefined) return undefined;
  const list = new BlockList();
  const type = isIPv6(client) ? 'ipv6' : 'ipv4';
  list.addAddress(client, type);
  return (address) => {
    const plain = plainAddress(address);
    return (isIPv6(plain) ? 'ipv6' : 'ipv4') === type && list.check(plain, type);
  };
}

export class PortPool implements PortSet {
  private readonly slots: Slot[];
  private readonly log: Logger;
  private readonly onBusy: OnBusy;
  /** One refusal log for every port of the pool: a source is summed up once, whichever port it tries. */
  private readonly refusals: LogLimit;

  constructor(
    private readonly config: ListenConfig,
    ports: readonly PoolPort[],
    private readonly deps: PortsDeps,
  ) {
    this.log = deps.log;
    this.onBusy = config.onBusy;
    this.refusals = refusalLog(deps.log);
    const allow = allowList(config.allow);
    this.slots = ports.map((pool) => {
      const slot: Slot = {
        pool,
        reservedFor: reservation(pool.client),
        flaps: new FlapGuard(),
        holder: undefined,
        holderAddress: undefined,
        listener: new TcpListener({
          host: config.host,
          port: pool.port,
          log: deps.log,
          allow,
          admit: (address) => this.admit(slot, address),
          onRefused: deps.onRefused,
          refusals: this.refusals,
          onConnection: (socket, remote, peer) => this.accept(slot, socket, remote, peer),
          keepAlive: config.keepAlive,
          owner: `server "${config.name}" (pool port ${pool.port})`,
          readBuffers: deps.readBuffers ?? false,
          ...(deps.tls ? { tls: deps.tls } : {}),
        }),
      };
      return slot;
    });
  }

  async listen(): Promise<void> {
    try {
      for (const slot of this.slots) await slot.listener.listen();
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.listener.close()));
    this.refusals.stop();
  }

  table(): PortStatus[] {
    return this.slots.map((s) => ({
      port: s.listener.port,
      address: this.config.host,
      client: s.pool.client ?? null,
      session: s.holder ? { ...s.holder.stats } : null,
    }));
  }

  /** Why a connection from `address` may not have this port, or undefined. */
  private admit(slot: Slot, address: string): string | undefined {
    if (slot.reservedFor && !slot.reservedFor(address)) return 'port-reserved';
    if (slot.holder) {
      if (this.onBusy === 'reject') return 'port-busy';
      const plain = plainAddress(address);
      if (this.onBusy === 'replace-same-client' && plain !== slot.holderAddress) return 'port-busy';
      const verdict = slot.flaps.replacing(plain, Date.now());
      if (verdict.kind === 'hold-down') {
        const { port } = slot.pool;
        this.log.warn(
          {
            port,
            address: plain,
            replacements: FLAP_REPLACEMENTS,
            seconds: FLAP_WINDOW_MS / 1000,
            holdMs: verdict.holdMs,
          },
          'port flapping: hold-down',
        );
      }
      return verdict.kind === 'replace' ? undefined : 'hold-down'; // replacing: the session count does not grow
    }
    return this.deps.sessionCount() >= this.config.maxClients ? 'max-clients' : undefined;
  }

  private accept(slot: Slot, socket: net.Socket, remote: string, peer?: TlsPeer): void {
    const port = slot.pool.port;
    const previous = slot.holder;
    previous?.close('replaced');
    const holder = this.deps.open(socket, remote, slot.pool, peer);
    slot.holder = holder;
    slot.holderAddress = plainAddress(socket.remoteAddress ?? '');
    // routine pool churn (a client reconnecting takes its port back), not a problem: info, or debug
    // for a source that keeps doing it (connection-churn.ts)
    const log = this.log[holder.routine].bind(this.log);
    if (previous) {
      const { remote: was, id } = previous.stats;
      log({ port, peer: remote, previous: was, session: id, onBusy: this.onBusy }, 'port session replaced');
    }
    log({ port, peer: remote, session: holder.stats.id, client: slot.pool.client ?? null }, 'port allocated');
    socket.once('close', () => {
      if (slot.holder !== holder) return;
      slot.holder = undefined;
      slot.holderAddress = undefined;
      this.log[holder.routine]({ port, peer: remote, session: holder.stats.id }, 'port released');
    });
  }
}
