/**
 * Durations: "250ms", "5s", "2m", "1h" (a decimal such as "1.5s" is fine when it comes to whole
 * milliseconds), or a YAML number of milliseconds. Timers in Node hold at most 2^31-1 ms (~24.8 days).
 */
import { show, type Parsed } from './issues.js';

export const MAX_DURATION_MS = 2_147_483_647;

const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const PATTERN = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const FORMS = 'write 250ms, 5s, 2m, 1h or a number of milliseconds';

/** Milliseconds, or what is wrong with `v`. */
export function parseDuration(v: unknown): Parsed<number> {
  const ms = toMs(v);
  if (typeof ms === 'string') return { error: ms };
  if (ms > MAX_DURATION_MS) return { error: `${show(v)} is too long: at most ${MAX_DURATION_MS} ms (about 24 days)` };
  return { value: ms };
}

function toMs(v: unknown): number | string {
  if (typeof v === 'number') {
    return Number.isInteger(v) && v >= 0
      ? v
      : `${v} is not a duration: a number of milliseconds is a whole number from 0`;
  }
  if (typeof v !== 'string') return `${show(v)} is not a duration: ${FORMS}`;
  const m = PATTERN.exec(v);
  if (m === null) {
    const bare = /^\d+$/.test(v) ? ` (add a unit: "${v}ms" or "${v}s")` : '';
    return `${show(v)} is not a duration${bare}: ${FORMS}`;
  }
  const ms = Number(m[1]) * (UNIT_MS[m[2] ?? ''] ?? NaN);
  const whole = Math.round(ms);
  if (Math.abs(ms - whole) > 1e-6) return `${show(v)} is not a whole number of milliseconds`;
  return whole;
}

/** Milliseconds of a duration that has already been validated. */
export function durationMs(v: unknown): number {
  const r = parseDuration(v);
  if (r.error !== undefined) throw new Error(`internal: unvalidated duration: ${r.error}`);
  return r.value;
}
