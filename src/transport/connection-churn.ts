/**
 * Routine connection churn, logged without wearing out an SD card: a client that connects again and
 * again (two clients behind one address taking a pool port from each other, a SCADA that opens a
 * connection per poll) would otherwise write `session opened`, `port allocated`, `session closed`
 * and `port released` for every connection, megabytes an hour at info.
 *
 * Per source address: the first `burst` connections of a window (a minute) are logged at info as
 * before; the rest of that window's connections log those routine lines at debug, and are counted.
 * When a window with such connections ends, one info line sums it up (`sessions (summary)`: address,
 * sessions, of them logged at debug, the last close reason), and while the churn goes on every
 * following window is all at debug, summed up once a minute. A window without a connection forgets
 * the address (its next connection is logged in full again). At
 * most LOG_MAX_SOURCES addresses have a window of their own; past that they share `others`.
 * Problems (protocol errors, send timeouts, refusals) are not routine: they keep their own lines.
 */
import type { Logger } from 'pino';
import { CONDITION_WINDOW_MS, LOG_MAX_SOURCES, OTHER_SOURCES } from '../log-limit.js';
import { plainAddress } from './allow-list.js';

/** The level a session's routine lines (opened, closed, port allocated/released/replaced) use. */
export type RoutineLevel = 'info' | 'debug';

/** Connections per address and window logged in full. */
export const CHURN_BURST = 5;

interface ChurnWindow {
  /** Connections opened in this window. */
  opened: number;
  /** Of them, logged at debug. */
  quiet: number;
  lastReason: string | undefined;
  /** The previous window was summed up: no burst at info in this one. */
  churning: boolean;
  timer: NodeJS.Timeout | undefined;
}

export interface ChurnOptions {
  readonly burst?: number;
  readonly windowMs?: number;
  readonly maxSources?: number;
}

export class ConnectionChurn {
  private readonly windows = new Map<string, ChurnWindow>();
  private readonly burst: number;
  private readonly windowMs: number;
  private readonly maxSources: number;

  constructor(
    private readonly log: Logger,
    options: ChurnOptions = {},
  ) {
    this.burst = options.burst ?? CHURN_BURST;
    this.windowMs = options.windowMs ?? CONDITION_WINDOW_MS;
    this.maxSources = options.maxSources ?? LOG_MAX_SOURCES;
  }

  /** A connection from `remote` (host:port or an address) was opened: the level of its routine lines. */
  opened(remote: string): RoutineLevel {
    const w = this.window(this.source(remote));
    w.opened++;
    if (!w.churning && w.opened <= this.burst) return 'info';
    w.quiet++;
    return 'debug';
  }

  /** A connection logged at `level` closed for `reason` (the summary names the last one). */
  closed(level: RoutineLevel, reason: string, remote: string): void {
    if (level === 'info') return;
    const w = this.windows.get(this.source(remote));
    if (w !== undefined) w.lastReason = reason;
  }

  /** Sums up what is counted and forgets every window (the server stops). */
  stop(): void {
    for (const [source, w] of this.windows) {
      clearTimeout(w.timer);
      this.summary(source, w);
    }
    this.windows.clear();
  }

  private source(remote: string): string {
    const address = hostOf(remote);
    return this.windows.has(address) || this.windows.size < this.maxSources ? address : OTHER_SOURCES;
  }

  private window(source: string): ChurnWindow {
    let w = this.windows.get(source);
    if (w !== undefined) return w;
    w = { opened: 0, quiet: 0, lastReason: undefined, churning: false, timer: undefined };
    this.windows.set(source, w);
    this.arm(source, w);
    return w;
  }

  private arm(source: string, w: ChurnWindow): void {
    w.timer = setTimeout(() => {
      const busy = w.opened > 0;
      this.summary(source, w);
      if (!busy) {
        this.windows.delete(source);
        return;
      }
      w.churning = w.quiet > 0;
      w.opened = 0;
      w.quiet = 0;
      w.lastReason = undefined;
      this.arm(source, w);
    }, this.windowMs);
    w.timer.unref();
  }

  private summary(source: string, w: ChurnWindow): void {
    if (w.quiet === 0) return;
    const last = w.lastReason === undefined ? {} : { lastReason: w.lastReason };
    this.log.info(
      { address: source, sessions: w.opened, atDebug: w.quiet, ...last, seconds: this.windowMs / 1000 },
      'sessions (summary)',
    );
  }
}

/** The address of a peer named `host:port` or `[v6]:port` (tcp-listener.ts remoteOf), without the port. */
function hostOf(remote: string): string {
  const m = /^\[(.*)\]:\d+$/.exec(remote) ?? /^([^:]*):\d+$/.exec(remote);
  return plainAddress(m?.[1] ?? remote);
}
