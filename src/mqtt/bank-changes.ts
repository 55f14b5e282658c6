/**
 * What changed in one published bank since its last data message. The bank tells it about every
 * point written (bank.watchPoints: decoders, polls, simulators, Modbus writes), so nothing is scanned
 * and a bank nobody writes costs nothing. Points written meanwhile are batched: the bank is ready at
 * the next turn of the event loop, or `minInterval` after its last message; then `take` returns the
 * points whose value differs from what was last published (by at least the point's `deadband`).
 */
import type { Bank } from '../bank/bank.js';
import type { BankPoint, PointSink } from '../bank/bank-point.js';
import type { PointValue } from '../codec/point-codec.js';

/** One point's value to publish, with the time it was written (ms since the epoch). */
export interface PointChange {
  readonly point: BankPoint;
  readonly value: PointValue;
  readonly at: number;
}

export class BankChanges implements PointSink {
  private readonly pending = new Set<BankPoint>();
  /** The last value published (or born) per point name; a redefined point keeps its name's entry. */
  private readonly published = new Map<string, PointValue>();
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private lastTake = 0;
  private readonly unwatch: () => void;

  constructor(
    readonly bank: Bank,
    private readonly minInterval: number,
    private readonly ready: (changes: BankChanges) => void,
  ) {
    this.unwatch = bank.watchPoints(this);
  }

  changed(point: BankPoint): void {
    this.pending.add(point);
    if (this.timer !== undefined || this.immediate !== undefined) return;
    const wait = this.minInterval - (Date.now() - this.lastTake);
    if (wait > 0) this.timer = setTimeout(() => this.fire(), wait);
    else this.immediate = setImmediate(() => this.fire());
  }

  /** Points written since the last take whose value moved past their deadband, oldest write first. */
  take(): PointChange[] {
    this.lastTake = Date.now();
    const out: PointChange[] = [];
    for (const point of this.pending) {
      if (this.bank.point(point.name) !== point) continue; // redefined by a reload meanwhile
      const value = point.get();
      if (!this.moved(point, value)) continue;
      this.published.set(point.name, value);
      out.push({ point, value, at: point.updatedAt });
    }
    this.pending.clear();
    return out;
  }

  /** Every point with its current value, for a birth; from now on changes are counted from these. */
  snapshot(): PointChange[] {
    this.pending.clear();
    const out: PointChange[] = [];
    for (const point of this.bank.points.values()) {
      const value = point.get();
      this.published.set(point.name, value);
      out.push({ point, value, at: point.updatedAt });
    }
    return out;
  }

  /** Stops listening to the bank. */
  close(): void {
    this.unwatch();
    this.cancel();
    this.pending.clear();
  }

  private fire(): void {
    this.timer = undefined;
    this.immediate = undefined;
    if (this.pending.size > 0) this.ready(this);
  }

  private cancel(): void {
    clearTimeout(this.timer);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  private moved(point: BankPoint, value: PointValue): boolean {
    const last = this.published.get(point.name);
    if (last === undefined) return true;
    if (Object.is(last, value)) return false;
    const band = point.config.deadband;
    if (band === undefined || typeof value !== 'number' || typeof last !== 'number') return true;
    return !(Math.abs(value - last) < band);
  }
}
