/**
 * The log of units offline (unit-health.ts's rule), one persistent condition per unit (log-limit.ts
 * `Condition`): `unit offline` (warn) when it goes offline, `unit offline (repeated)` (warn, at most
 * once a minute: how many probes timed out again, the last error) while it stays offline, and
 * `unit back online` (info: count, forSeconds) at its first answer. At most 256 units, so bounded.
 */
import { Condition } from '../../log-limit.js';
import type { Logger } from '../../log.js';

export const UNIT_OFFLINE = 'unit offline: it keeps timing out; its requests answer 0B for a while';

export class OfflineLog {
  private readonly units = new Map<number, Condition>();

  constructor(private readonly log: Logger) {}

  /** The unit went offline (again): the first time starts its condition. */
  offline(unit: number, fields: Readonly<Record<string, unknown>>): void {
    let c = this.units.get(unit);
    if (c === undefined) {
      c = new Condition(this.log, UNIT_OFFLINE, { context: { unit }, endMessage: 'unit back online' });
      this.units.set(unit, c);
    }
    c.hit(fields);
  }

  /** The unit answered: ends its condition if it had one. */
  answered(unit: number): void {
    const c = this.units.get(unit);
    if (c === undefined) return;
    c.end();
    this.units.delete(unit);
  }

  stop(): void {
    for (const c of this.units.values()) c.stop();
    this.units.clear();
  }
}
