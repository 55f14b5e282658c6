/**
 * A Modbus TCP device as a master: one lane (connection) per configured port, requests spread over
 * the free lanes, never two connections to one port. The device is up while any lane is.
 */
import type { Logger } from '../../log.js';
import type { Backoff } from '../../transport/backoff.js';
import type { LineState } from '../../transport/line.js';
import type { ExchangeResult, ModbusMaster } from './master.js';
import { TcpLane, type LaneTls } from './tcp-lane.js';

export interface TcpLanesOptions {
  readonly host: string;
  readonly ports: readonly number[];
  readonly log: Logger;
  readonly onState: (state: LineState, error?: string) => void;
  /** A backoff for each lane (the device's `reconnect:`). */
  readonly backoff: () => Backoff;
  /** Requests in flight per lane. */
  readonly depth?: number;
  /** Every lane connects with TLS. */
  readonly tls?: LaneTls | undefined;
}

export class TcpLanes implements ModbusMaster {
  readonly lanes: TcpLane[];
  private last: LineState = 'down';
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly o: TcpLanesOptions) {
    this.lanes = o.ports.map(
      (port) =>
        new TcpLane({
          host: o.host,
          port,
          log: o.log,
          depth: o.depth ?? 1,
          onChange: () => this.onChange(),
          backoff: o.backoff(),
          tls: o.tls,
        }),
    );
  }

  get state(): LineState {
    if (this.lanes.some((l) => l.state === 'up')) return 'up';
    return this.lanes.some((l) => l.state === 'connecting') ? 'connecting' : 'down';
  }

  start(): void {
    for (const lane of this.lanes) lane.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.lanes.map((l) => l.stop()));
  }

  capacity(): number {
    return this.lanes.reduce((n, l) => n + (l.state === 'up' ? l.depth : 0), 0);
  }

  counters(): { crcErrors: number; mismatched: number } {
    return { crcErrors: 0, mismatched: this.lanes.reduce((n, l) => n + l.mismatched, 0) };
  }

  async exchange(unit: number, pdu: Buffer, timeoutMs: number): Promise<ExchangeResult> {
    for (;;) {
      const lane = this.lanes.reduce<TcpLane | undefined>(
        (best, l) => (l.free && (!best || l.inFlight < best.inFlight) ? l : best),
        undefined,
      );
      if (lane) return lane.exchange(unit, pdu, timeoutMs);
      if (this.state !== 'up') return { kind: 'down', error: `no connection to ${this.o.host}` };
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
  }

  private onChange(): void {
    this.waiting.splice(0).forEach((wake) => wake());
    const state = this.state;
    if (state === this.last) return this.o.onState(state);
    this.last = state;
    this.o.onState(state, state === 'down' ? this.downReason() : undefined);
  }

  /** `no connection to HOST:PORTS`, with the first lane's error (a refused handshake says why). */
  private downReason(): string {
    const why = this.lanes.find((l) => l.error !== null)?.error;
    return `no connection to ${this.o.host}:${this.o.ports.join(',')}${why != null ? `: ${why}` : ''}`;
  }
}
