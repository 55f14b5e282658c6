/**
 * Byte sizes: a whole number of bytes, or "64KiB", "1MiB", "1GiB" (a decimal such as "1.5MiB" is
 * fine when it comes to whole bytes).
 */
import { show, type Parsed } from './issues.js';

const UNIT: Readonly<Record<string, number>> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };
const PATTERN = /^(\d+(?:\.\d+)?)\s*(B|KiB|MiB|GiB)$/;
const FORMS = 'write a number of bytes, or 64KiB, 1MiB, 1GiB';

export function parseSize(v: unknown): Parsed<number> {
  if (typeof v === 'number') {
    return Number.isSafeInteger(v) && v >= 0 ? { value: v } : { error: `${v} is not a size: ${FORMS}` };
  }
  const m = typeof v === 'string' ? PATTERN.exec(v.trim()) : null;
  if (m === null) {
    const hint =
      typeof v === 'string' && /^\d+\s*(k|K|M|G)B?$/.test(v.trim()) ? ' (sizes count in 1024s: KiB, MiB, GiB)' : '';
    return { error: `${show(v)} is not a size${hint}: ${FORMS}` };
  }
  const bytes = Number(m[1]) * (UNIT[m[2] ?? ''] ?? NaN);
  if (!Number.isSafeInteger(Math.round(bytes)) || Math.abs(bytes - Math.round(bytes)) > 1e-6) {
    return { error: `${show(v)} is not a whole number of bytes` };
  }
  return { value: Math.round(bytes) };
}

/** Bytes of a size that has already been validated. */
export function sizeBytes(v: unknown): number {
  const r = parseSize(v);
  if (r.error !== undefined) throw new Error(`internal: unvalidated size: ${r.error}`);
  return r.value;
}

/** "1MiB", "64KiB", "1500B": for what `fieldgate check` prints. */
export function showSize(bytes: number): string {
  for (const [unit, n] of [
    ['GiB', 1024 ** 3],
    ['MiB', 1024 ** 2],
    ['KiB', 1024],
  ] as const) {
    if (bytes >= n && bytes % n === 0) return `${bytes / n}${unit}`;
  }
  return `${bytes}B`;
}
