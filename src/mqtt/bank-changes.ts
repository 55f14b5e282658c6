/**
 * What changed in one published bank since its last data message. The bank tells it about every
 * point written (bank.watchPoints: decoders, polls, simulators, Modbus writes), so nothing is scanned
 * and a bank nobody writes costs nothing.
 *
 * With `minInterval` 0 every change is kept, in order, each value with the time it was written, and
 * the bank is ready at the next turn of the event loop: a point that changes ten times between two
 * turns is published ten times (one message carries them all). At most MAX_LOG changes are kept per
 * batch; past that, the batch keeps only each point's latest value (counted in `collapsed`).
 * With `minInterval` > 0 the bank is a rate limit: ready at most once per interval, with the latest
 * value of each point written meanwhile.
 * Either way a value equal to the one last published, or within the point's `deadband` of it, is
 * left out.
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

/** Changes kept per batch, at most (about 24 bytes each). */
export const MAX_LOG = 65_536;

export class BankChanges implements PointSink {
  /** Points written whose latest value is read at take (rate-limited banks, and past MAX_LOG). */
  private readonly pending = new Set<BankPoint>();
  /** Every change of this batch, in order (minInterval 0): parallel arrays, reused. */
  private readonly logPoints: BankPoint[] = [];
  private readonly logValues: PointValue[] = [];
  private readonly logTimes: number[] = [];
  /** The last value published (or born) per point, by its ordinal; cleared when the points are redefined. */
  private published: (PointValue | undefined)[] = [];
  /** The bank's points version the log and `published` belong to. */
  private version: number;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private lastTake = 0;
  private readonly unwatch: () => void;
  /** Changes left out of a full log (only each point's latest value went out). */
  collapsed = 0;

  constructor(
    readonly bank: Bank,
    private readonly minInterval: number,
    private readonly ready: (changes: BankChanges) => void,
  ) {
    this.unwatch = bank.watchPoints(this);
    this.version = bank.version;
  }

  changed(point: BankPoint, value?: PointValue): void {
    if (this.minInterval > 0) this.pending.add(point);
    else if (this.logPoints.length < MAX_LOG) {
      this.logPoints.push(point);
      this.logValues.push(value ?? point.get());
      this.logTimes.push(point.updatedAt);
    } else {
      this.collapsed++;
      this.pending.add(point);
    }
    if (this.timer !== undefined || this.immediate !== undefined) return;
    const wait = this.minInterval - (Date.now() - this.lastTake);
    if (wait > 0) this.timer = setTimeout(() => this.fire(), wait);
    else this.immediate = setImmediate(() => this.fire());
  }

  /** The changes since the last take that moved past their deadband, in the order they were written. */
  take(): PointChange[] {
    const out: PointChange[] = [];
    const points = this.logPoints;
    // points redefined by a reload meanwhile: changes of the old points are left out (a DBIRTH follows)
    const redefined = this.bank.version !== this.version;
    if (redefined) {
      this.version = this.bank.version;
      this.published = [];
    }
    for (let i = 0; i < points.length; i++) {
      const point = points[i] as BankPoint;
      if (redefined && this.bank.point(point.name) !== point) continue;
      this.offer(out, point, this.logValues[i] as PointValue, this.logTimes[i] as number);
    }
    points.length = 0;
    this.logValues.length = 0;
    this.logTimes.length = 0;
    for (const point of this.pending) {
      if (this.bank.point(point.name) === point) this.offer(out, point, point.get(), point.updatedAt);
    }
    this.pending.clear();
    if (out.length > 0) this.lastTake = Date.now();
    return out;
  }

  /** Every point with its current value, for a birth; from now on changes are counted from these. */
  snapshot(): PointChange[] {
    this.pending.clear();
    this.logPoints.length = 0;
    this.logValues.length = 0;
    this.logTimes.length = 0;
    const out: PointChange[] = [];
    this.version = this.bank.version;
    this.published = [];
    for (const point of this.bank.points.values()) {
      const value = point.get();
      this.published[point.ordinal] = value;
      out.push({ point, value, at: point.updatedAt });
    }
    return out;
  }

  /** Stops listening to the bank. */
  close(): void {
    this.unwatch();
    this.cancel();
    this.pending.clear();
    this.logPoints.length = 0;
    this.logValues.length = 0;
    this.logTimes.length = 0;
  }

  private offer(out: PointChange[], point: BankPoint, value: PointValue, at: number): void {
    if (!this.moved(point, value)) return;
    this.published[point.ordinal] = value;
    out.push({ point, value, at });
  }

  private fire(): void {
    this.timer = undefined;
    this.immediate = undefined;
    if (this.pending.size > 0 || this.logPoints.length > 0) this.ready(this);
  }

  private cancel(): void {
    clearTimeout(this.timer);
    if (this.immediate !== undefined) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
  }

  private moved(point: BankPoint, value: PointValue): boolean {
    const last = this.published[point.ordinal];
    if (last === undefined) return true;
    if (Object.is(last, value)) return false;
    const band = point.config.deadband;
    if (band === undefined || typeof value !== 'number' || typeof last !== 'number') return true;
    return !(Math.abs(value - last) < band);
  }
}
