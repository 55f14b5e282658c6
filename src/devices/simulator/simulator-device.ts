/**
 * `type: simulator`: writes generated signals into the points of a bank every `every` ms, so a
 * plant engineer can commission SCADA screens before the hardware is there. The bank is looked up
 * by name on every tick, so a bank rebuilt by a reload is followed. The first tick runs at start.
 * Status: `up` while running, `requests` counts ticks, `lastError` says what could not be written
 * (a value outside its point's type, a point or bank that is gone); the log says so once per
 * change of error, not once per tick.
 */
import type { Bank } from '../../bank/bank.js';
import type { SimulatorDeviceConfig } from '../../config/types.js';
import type { Logger } from '../../log.js';
import type { DeviceLink, DeviceStatus } from '../device.js';
import { createSignal, type Signal } from './signal.js';

interface Feed {
  readonly point: string;
  readonly signal: Signal;
}

export class SimulatorDevice implements DeviceLink {
  readonly name: string;
  private readonly feeds: readonly Feed[];
  private timer: NodeJS.Timeout | undefined;
  private startedAt = 0;
  private ticks = 0;
  private lastError: string | null = null;

  constructor(
    readonly config: SimulatorDeviceConfig,
    private readonly banks: ReadonlyMap<string, Bank>,
    private readonly log: Logger,
  ) {
    this.name = config.name;
    this.feeds = [...config.signals].map(([point, signal]) => ({ point, signal: createSignal(signal) }));
  }

  start(): Promise<void> {
    if (this.timer) return Promise.resolve();
    this.startedAt = Date.now();
    this.log.info(
      { bank: this.config.bank, every: this.config.every, points: this.feeds.map((f) => f.point) },
      'simulator started',
    );
    this.tick();
    this.timer = setInterval(() => this.tick(), this.config.every);
    this.timer.unref();
    return Promise.resolve();
  }

  stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    return Promise.resolve();
  }

  status(): DeviceStatus {
    return {
      name: this.name,
      type: 'simulator',
      state: this.timer ? 'up' : 'down',
      queue: 0,
      requests: this.ticks,
      timeouts: 0,
      lastError: this.lastError,
    };
  }

  /** One round: every signal's next value into its point. */
  tick(now: number = Date.now()): void {
    this.ticks++;
    const t = (now - this.startedAt) / 1000;
    const bank = this.banks.get(this.config.bank);
    let error: string | null = bank ? null : `bank ${this.config.bank} does not exist`;
    if (bank) {
      for (const feed of this.feeds) {
        const value = feed.signal.next(t);
        const point = bank.point(feed.point);
        const failed = point ? point.set(value, now) : 'no such point in the bank';
        if (failed !== undefined && error === null) error = `${feed.point}: ${failed}`;
      }
    }
    this.report(error);
  }

  private report(error: string | null): void {
    if (error === this.lastError) return;
    if (error !== null) this.log.warn({ error }, 'simulator could not write a value');
    else this.log.info('simulator writes every value again');
    this.lastError = error;
  }
}
