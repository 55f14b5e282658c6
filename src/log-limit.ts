/**
 * A rate-limited log line for something that may happen thousands of times a second (a bad frame
 * from a peer, a command whose device is down): the first occurrence of a message is logged at once
 * with its details; after that at most one summary line per window (10 s) says how many more there
 * were and the last reason. When a window passes with none, the next one is logged at once again.
 * Each message has its own window, so one failure never hides another kind. Counting is all a
 * repeat costs; `stop` logs what is still counted.
 */
import type { Logger } from './log.js';

export const LOG_WINDOW_MS = 10_000;

interface Window {
  timer: NodeJS.Timeout | undefined;
  suppressed: number;
  lastReason: unknown;
}

export class LogLimit {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly log: Logger,
    private readonly windowMs: number = LOG_WINDOW_MS,
  ) {}

  /**
   * One occurrence of `message`, described by `fields` (its `reason`, if any, is kept for the
   * summary); `bytes` (the first 16 are logged, in hex) are looked at only when logged.
   */
  hit(message: string, fields: Readonly<Record<string, unknown>>, bytes?: Uint8Array): void {
    let w = this.windows.get(message);
    if (w === undefined) this.windows.set(message, (w = { timer: undefined, suppressed: 0, lastReason: undefined }));
    if (w.timer !== undefined) {
      w.suppressed++;
      w.lastReason = fields['reason'];
      return;
    }
    const hex = bytes === undefined ? undefined : Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(16, bytes.length)).toString('hex');
    this.log.warn(hex === undefined ? fields : { ...fields, bytes: hex }, message);
    this.arm(message, w);
  }

  /** Logs what is still counted, and forgets the windows (a server or a command stops). */
  stop(): void {
    for (const [message, w] of this.windows) {
      clearTimeout(w.timer);
      this.flush(message, w);
    }
    this.windows.clear();
  }

  private arm(message: string, w: Window): void {
    w.timer = setTimeout(() => {
      w.timer = undefined;
      if (this.flush(message, w)) this.arm(message, w);
    }, this.windowMs);
    w.timer.unref();
  }

  /** True when a summary was logged. */
  private flush(message: string, w: Window): boolean {
    if (w.suppressed === 0) return false;
    const last = w.lastReason === undefined ? {} : { lastReason: w.lastReason };
    this.log.warn({ count: w.suppressed, ...last, seconds: this.windowMs / 1000 }, `${message} (repeated)`);
    w.suppressed = 0;
    return true;
  }
}
