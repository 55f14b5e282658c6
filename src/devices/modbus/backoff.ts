/** Reconnect delays: doubling from `min` to `max`, reset after a success. */
export class Backoff {
  private next: number;

  constructor(
    private readonly min = 250,
    private readonly max = 5000,
  ) {
    this.next = min;
  }

  /** The delay to wait now; the following one doubles. */
  delay(): number {
    const d = this.next;
    this.next = Math.min(this.max, this.next * 2);
    return d;
  }

  reset(): void {
    this.next = this.min;
  }
}
