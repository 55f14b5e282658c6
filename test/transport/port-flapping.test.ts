/** The pool port's flapping guard on its own: thresholds, doubling up to the cap, the quiet reset, addresses apart. */
import { describe, expect, it } from 'vitest';
import { FLAP_HOLD_MAX_MS, FLAP_QUIET_MS, FLAP_REPLACEMENTS, FlapGuard } from '../../src/transport/port-flapping.js';

/** Replaces as fast as allowed from `at`; returns the hold-down that stopped it and when it ends. */
function fight(guard: FlapGuard, address: string, at: number): { holdMs: number; until: number } {
  for (let i = 0; i < FLAP_REPLACEMENTS; i++) expect(guard.replacing(address, at)).toEqual({ kind: 'replace' });
  const verdict = guard.replacing(address, at);
  if (verdict.kind !== 'hold-down') throw new Error(`expected a hold-down, got ${verdict.kind}`);
  expect(guard.replacing(address, at)).toEqual({ kind: 'held' });
  return { holdMs: verdict.holdMs, until: at + verdict.holdMs };
}

describe('FlapGuard', () => {
  it('doubles the hold-down up to 30 s while the fight goes on, and starts at 1 s again after a quiet minute', () => {
    const guard = new FlapGuard();
    const holds: number[] = [];
    let t = 0;
    for (let i = 0; i < 8; i++) {
      const h = fight(guard, '127.0.1.1', t);
      holds.push(h.holdMs);
      expect(guard.replacing('127.0.1.1', h.until - 1)).toEqual({ kind: 'held' });
      t = h.until;
    }
    expect(holds).toEqual([1000, 2000, 4000, 8000, 16000, FLAP_HOLD_MAX_MS, FLAP_HOLD_MAX_MS, FLAP_HOLD_MAX_MS]);
    expect(fight(guard, '127.0.1.1', t + FLAP_QUIET_MS).holdMs).toBe(1000);
  });

  it('counts replacements within 10 s only, and each address apart', () => {
    const guard = new FlapGuard();
    for (let i = 0; i < 10; i++) expect(guard.replacing('127.0.1.1', i * 4000)).toEqual({ kind: 'replace' }); // 3 per 10 s at most: never held
    expect(fight(guard, '127.0.1.2', 40_000).holdMs).toBe(1000);
    expect(guard.replacing('127.0.1.1', 40_000)).toEqual({ kind: 'replace' });
  });

  it('forgets addresses with nothing left to remember, so many addresses do not grow it', () => {
    const guard = new FlapGuard();
    for (let i = 0; i < 10_000; i++) guard.replacing(`10.0.${i >> 8}.${i & 255}`, i);
    const held = fight(guard, '127.0.2.1', 20_000);
    for (let i = 0; i < 200; i++) guard.replacing(`10.1.0.${i}`, 20_000 + i); // crowds the map, but the held address is recent
    expect(guard.replacing('127.0.2.1', held.until - 1)).toEqual({ kind: 'held' });
  });
});
