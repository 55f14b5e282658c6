/**
 * Waits between reconnection attempts: doubling from `min` up to `max`, each shortened by a random
 * fraction up to `jitter` (so devices that failed together do not retry in step), back to `min`
 * after a success.
 */
export interface BackoffOptions {
  readonly min: number;
  readonly max: number;
  /** 0..1 */
  readonly jitter: number;
}

export class Backoff {
  private failures = 0;

  constructor(
    private readonly options: BackoffOptions,
    private readonly random: () => number = Math.random,
  ) {}

  /** Failed attempts since the last success. */
  get attempts(): number {
    return this.failures;
  }

  /** The wait before the next attempt (ms). */
  next(): number {
    const { min, max, jitter } = this.options;
    const base = Math.min(max, min * 2 ** Math.min(this.failures, 30));
    this.failures++;
    return Math.max(1, Math.round(base * (1 - jitter * this.random())));
  }

  reset(): void {
    this.failures = 0;
  }
}
