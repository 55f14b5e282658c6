/**
 * A session's idle deadline: fires once when nothing arrived for `ms` (0 = never). Activity is a
 * timestamp store, not a timer reset, so refreshing it per chunk costs nothing; the one timer re-arms
 * itself for the remainder when it finds recent activity.
 */
export class IdleDeadline {
  private lastActivity = Date.now();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ms: number,
    private readonly onIdle: () => void,
  ) {
    this.arm(ms);
  }

  /** Something arrived. */
  touch(): void {
    this.lastActivity = Date.now();
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(delay: number): void {
    if (this.ms <= 0) return;
    this.timer = setTimeout(() => {
      const quiet = Date.now() - this.lastActivity;
      if (quiet >= this.ms) this.onIdle();
      else this.arm(this.ms - quiet);
    }, delay);
  }
}
