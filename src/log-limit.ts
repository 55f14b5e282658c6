/**
 * A rate-limited log line for something that may happen thousands of times a second (a bad frame
 * from a peer): the first occurrence is logged at once with its details; after that at most one
 * summary line per window (10 s) says how many more there were and the last reason. When a window
 * passes with none, the next one is logged at once again. Counting is all a repeat costs.
 */
import type { Logger } from './log.js';

export const LOG_WINDOW_MS = 10_000;

export class LogLimit {
  private timer: NodeJS.Timeout | undefined;
  private suppressed = 0;
  private lastReason = '';

  /** `event`: the msg of the lines; the summary's is `${event} (repeated)`. */
  constructor(
    private readonly log: Logger,
    private readonly event: string,
    private readonly windowMs: number = LOG_WINDOW_MS,
  ) {}

  /** One occurrence; `bytes` (the first 16 are logged, in hex) are looked at only when logged. */
  hit(reason: string, bytes?: Uint8Array): void {
    if (this.timer !== undefined) {
      this.suppressed++;
      this.lastReason = reason;
      return;
    }
    const hex = bytes === undefined ? undefined : Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(16, bytes.length)).toString('hex');
    this.log.warn(hex === undefined ? { reason } : { reason, bytes: hex }, this.event);
    this.arm();
  }

  /** Logs what is still counted, and forgets the window (a server stops). */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.flush();
  }

  private arm(): void {
    this.timer = setTimeout(() => this.onWindowEnd(), this.windowMs);
    this.timer.unref();
  }

  private onWindowEnd(): void {
    this.timer = undefined;
    if (this.flush()) this.arm();
  }

  /** True when a summary was logged. */
  private flush(): boolean {
    if (this.suppressed === 0) return false;
    this.log.warn({ count: this.suppressed, lastReason: this.lastReason, seconds: this.windowMs / 1000 }, `${this.event} (repeated)`);
    this.suppressed = 0;
    return true;
  }
}
