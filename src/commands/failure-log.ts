/**
 * A command's failures in the log without flooding it: the first failure of each kind is logged at
 * once, then at most one line per kind every `everyMs`, carrying how many were left out since.
 * A trigger can repeat as fast as a client writes, and a device can stay down for hours.
 */
import type { Logger } from '../log.js';

const EVERY_MS = 10_000;

interface Kind {
  lastAt: number;
  skipped: number;
}

export class FailureLog {
  private readonly kinds = new Map<string, Kind>();

  constructor(
    private readonly log: Logger,
    private readonly everyMs = EVERY_MS,
  ) {}

  /** `kind` groups failures that are limited together; `fields` and `message` describe this one. */
  report(kind: string, fields: Record<string, unknown>, message: string, now = Date.now()): void {
    let k = this.kinds.get(kind);
    if (k === undefined) this.kinds.set(kind, (k = { lastAt: -Infinity, skipped: 0 }));
    if (now - k.lastAt < this.everyMs) {
      k.skipped++;
      return;
    }
    this.log.warn(k.skipped > 0 ? { ...fields, skipped: k.skipped } : fields, message);
    k.lastAt = now;
    k.skipped = 0;
  }
}
