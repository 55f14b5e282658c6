/**
 * Units that keep timing out: after `threshold` consecutive timeouts a unit is offline for
 * `offlineMs`, and its requests are answered 0B at once instead of holding the bus for
 * timeout x (retries + 1) each. When the time is up, the next request probes it again; one more
 * timeout puts it back offline, one reply brings it back.
 */
export const OFFLINE_AFTER_TIMEOUTS = 3;
export const OFFLINE_MS = 5_000;

export class UnitHealth {
  private readonly misses = new Map<number, number>();
  private readonly offlineUntil = new Map<number, number>();

  constructor(
    private readonly threshold = OFFLINE_AFTER_TIMEOUTS,
    private readonly offlineMs = OFFLINE_MS,
  ) {}

  isOffline(unit: number, now = Date.now()): boolean {
    const until = this.offlineUntil.get(unit);
    return until !== undefined && now < until;
  }

  /** Records a request that got no answer after its retries; true when the unit just went offline. */
  timedOut(unit: number, now = Date.now()): boolean {
    const n = (this.misses.get(unit) ?? 0) + 1;
    this.misses.set(unit, n);
    if (n < this.threshold) return false;
    this.offlineUntil.set(unit, now + this.offlineMs);
    return true;
  }

  answered(unit: number): void {
    this.misses.delete(unit);
    this.offlineUntil.delete(unit);
  }

  /** Units offline now. */
  offline(now = Date.now()): number[] {
    return [...this.offlineUntil].filter(([, until]) => now < until).map(([unit]) => unit);
  }
}
