/** What every simulated role shares: how it reports, what it hands back, how it counts. */
import type net from 'node:net';
import type { ProfileConfig, SignalConfig } from '../config/types.js';

/** One line per connection or error: the event and its fields (printed to stderr by the CLI). */
export type Say = (event: string, fields?: Readonly<Record<string, unknown>>) => void;

/** A running simulation. */
export interface Simulation {
  /** What it plays and where, for the line printed at start. */
  readonly what: string;
  /** The port listened on (--listen; the one picked for port 0). */
  readonly port?: number;
  /** Resolves once --count frames, replies or writes are done (never without --count). */
  readonly done: Promise<void>;
  /** Frames sent, replies given or writes acknowledged so far. */
  count(): number;
  /** Closes every connection (letting what was written go out) and the listener or port. */
  stop(): Promise<void>;
}

/** What every role plays from: the profile, a signal per field, the pace, and the count so far. */
export interface PlaySettings {
  readonly profile: ProfileConfig;
  readonly values: ReadonlyMap<string, SignalConfig>;
  /** ms between frames or writes (0: as fast as the peer takes them). */
  readonly every: number;
  readonly tally: Tally;
}

/** What a role does with one TCP connection; returns what to do when the connection ends. */
export type Conversation = (socket: net.Socket) => () => void;

/** Counts towards an optional limit; `reached` resolves when it is hit. */
export class Tally {
  value = 0;
  readonly reached: Promise<void>;
  private resolve: () => void = () => undefined;

  constructor(readonly limit: number | undefined) {
    this.reached = new Promise<void>((r) => (this.resolve = r));
  }

  /** True while more may be done. */
  get open(): boolean {
    return this.limit === undefined || this.value < this.limit;
  }

  add(n = 1): void {
    this.value += n;
    if (!this.open) this.resolve();
  }
}
