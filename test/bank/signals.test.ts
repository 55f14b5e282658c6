import { describe, expect, it } from 'vitest';
import { checkSignal } from '../../src/config/items/signal.js';
import { createSignal } from '../../src/devices/simulator/signal.js';

describe('signals', () => {
  it('parses each kind with its defaults, and a bare value as a constant', () => {
    expect(checkSignal({ signal: 'sine' }).value).toEqual({ kind: 'sine', min: 0, max: 100, period: 60_000 });
    expect(checkSignal({ signal: 'counter', max: 3 }).value).toEqual({ kind: 'counter', min: 0, max: 3, step: 1 });
    expect(checkSignal({ signal: 'square', period: '2s' }).value).toEqual({
      kind: 'square',
      min: 0,
      max: 1,
      period: 2000,
    });
    expect(checkSignal('A1').value).toEqual({ kind: 'constant', value: 'A1' });
    expect(checkSignal({ signal: 'constant', value: 7 }).value).toEqual({ kind: 'constant', value: 7 });
  });

  it('refuses unknown kinds, unknown keys, min above max and a step of 0', () => {
    expect(checkSignal({ signal: 'saw' }).problems[0]?.message).toContain('is not a signal');
    expect(checkSignal({ signal: 'sine', step: 1 }).problems[0]?.path).toEqual(['step']);
    expect(checkSignal({ signal: 'ramp', min: 5, max: 1 }).problems[0]?.message).toBe('5 is above max (1)');
    expect(checkSignal({ signal: 'counter', step: 0 }).problems[0]?.message).toBe('0 is not above 0');
  });

  it('generates the documented shapes', () => {
    const sine = createSignal({ kind: 'sine', min: 0, max: 10, period: 4000 });
    expect([0, 1, 2, 3].map((t) => Math.round(sine.next(t) as number))).toEqual([5, 10, 5, 0]);
    const ramp = createSignal({ kind: 'ramp', min: 0, max: 100, period: 10_000 });
    expect([0, 2.5, 9.9, 10].map((t) => Math.round(ramp.next(t) as number))).toEqual([0, 25, 99, 0]);
    const square = createSignal({ kind: 'square', min: 0, max: 1, period: 2000 });
    expect([0, 0.5, 1, 1.5, 2].map((t) => square.next(t))).toEqual([1, 1, 0, 0, 1]);
    const counter = createSignal({ kind: 'counter', min: 1, max: 3, step: 1 });
    expect([0, 0, 0, 0].map((t) => counter.next(t))).toEqual([1, 2, 3, 1]);
    const up = createSignal({ kind: 'random-walk', min: 0, max: 10, step: 2 }, () => 1);
    expect([0, 0, 0, 0].map((t) => up.next(t))).toEqual([7, 9, 10, 10]);
  });
});
