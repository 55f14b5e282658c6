/**
 * BankChanges: what a published bank tells the MQTT publisher. Every way a point is written (a store
 * through BankPoint.set, a Modbus client's write, a poll's stamp) reaches it; writes are batched into
 * one ready call per turn (or per minInterval); take() returns each moved point once with its latest
 * value and time; the deadband counts from the last published value; a redefined bank keeps feeding it.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Bank } from '../../src/bank/bank.js';
import type { PointConfig } from '../../src/config/types.js';
import { BankChanges, MAX_LOG, type PointChange } from '../../src/mqtt/bank-changes.js';

const T0 = new Date('2026-01-01T10:00:00Z').getTime();

const point = (p: Partial<PointConfig> & Pick<PointConfig, 'name' | 'address'>): PointConfig => ({
  table: 'holding',
  type: 'uint16',
  order: 'ABCD',
  scale: 1,
  offset: 0,
  ...p,
});

const POINTS: PointConfig[] = [
  point({ name: 'speed', address: 0 }),
  point({ name: 'temp', address: 1, type: 'int16', deadband: 5 }),
  point({ name: 'flow', address: 2, type: 'float32' }),
  point({ name: 'run', address: 0, table: 'coils', type: 'bool' }),
];

const makeBank = (points: PointConfig[] = POINTS) =>
  new Bank({ name: 'plant', tables: { holding: 16, coils: 8 }, values: {}, points });

/** A collector whose ready callback only records; the test calls take() itself. */
function collector(bank: Bank, minInterval = 0) {
  const calls: number[] = [];
  const changes = new BankChanges(bank, minInterval, () => calls.push(Date.now()));
  return { changes, calls };
}

const summary = (list: PointChange[]) => list.map((c) => [c.point.name, c.value, c.at]);

/** Runs what is due now (the setImmediate of a batch), without moving the clock. */
const turn = () => vi.advanceTimersByTime(0);

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe('BankChanges: what reaches it', () => {
  it('a store through BankPoint.set', () => {
    const bank = makeBank();
    const { changes, calls } = collector(bank);
    expect(bank.point('speed')!.set(1234)).toBeUndefined();
    expect(calls).toEqual([]); // not before the turn
    turn();
    expect(calls).toEqual([T0]);
    expect(summary(changes.take())).toEqual([['speed', 1234, T0]]);
  });

  it("a Modbus client's write (bank.written) and a poll (bank.stamp), with the time they were made", () => {
    const bank = makeBank();
    const { changes, calls } = collector(bank);
    bank.holding![0] = 77;
    bank.written('holding', 0, 1);
    turn();
    expect(calls).toHaveLength(1);
    expect(summary(changes.take())).toEqual([['speed', 77, T0]]);

    vi.setSystemTime(T0 + 500);
    bank.coils![0] = 1;
    bank.stamp('coils', 0, 1);
    turn();
    expect(calls).toHaveLength(2);
    expect(summary(changes.take())).toEqual([['run', true, T0 + 500]]);
  });

  it('a write over several points tells each of them, a write beside every point tells none', () => {
    const bank = makeBank();
    const { changes, calls } = collector(bank);
    bank.holding!.set([5, 0xfffe, 0x4048, 0x0000], 0); // speed 5, temp -2, flow 3.125
    bank.written('holding', 0, 4);
    bank.written('holding', 10, 3); // no point there
    turn();
    expect(calls).toHaveLength(1);
    expect(summary(changes.take())).toEqual([
      ['speed', 5, T0],
      ['temp', -2, T0],
      ['flow', 3.125, T0],
    ]);
    bank.written('holding', 10, 3);
    turn();
    expect(calls).toHaveLength(1);
  });
});

describe('BankChanges: batching', () => {
  it('several writes before the turn make one ready call; take returns every change in order, each with its time', () => {
    const bank = makeBank();
    const { changes, calls } = collector(bank);
    bank.point('speed')!.set(1);
    vi.setSystemTime(T0 + 10);
    bank.point('flow')!.set(2.5);
    vi.setSystemTime(T0 + 20);
    bank.point('speed')!.set(3);
    bank.holding![0] = 4;
    vi.setSystemTime(T0 + 30);
    bank.written('holding', 0, 1);
    turn();
    expect(calls).toEqual([T0 + 30]);
    expect(summary(changes.take())).toEqual([
      ['speed', 1, T0],
      ['flow', 2.5, T0 + 10],
      ['speed', 3, T0 + 20],
      ['speed', 4, T0 + 30],
    ]);
    expect(changes.take()).toEqual([]); // taken once
    turn();
    expect(calls).toHaveLength(1);
  });

  it('with minInterval, a batch holds each point once with its latest value and time', () => {
    const bank = makeBank();
    const { changes, calls } = collector(bank, 100);
    bank.point('speed')!.set(1);
    vi.setSystemTime(T0 + 10);
    bank.point('flow')!.set(2.5);
    vi.setSystemTime(T0 + 20);
    bank.point('speed')!.set(3);
    turn();
    expect(calls).toEqual([T0 + 20]);
    expect(summary(changes.take())).toEqual([
      ['speed', 3, T0 + 20],
      ['flow', 2.5, T0 + 10],
    ]);
  });

  it("past MAX_LOG changes in one batch, the rest collapse into each point's latest value (counted)", () => {
    const bank = makeBank();
    const { changes } = collector(bank);
    const speed = bank.point('speed')!;
    for (let i = 0; i < MAX_LOG + 10; i++) speed.set(i % 60000);
    turn();
    const taken = changes.take();
    expect(taken).toHaveLength(MAX_LOG + 1);
    expect(taken.at(-1)?.value).toBe((MAX_LOG + 9) % 60000);
    expect(changes.collapsed).toBe(10);
  });

  it('a value written again unchanged is not returned', () => {
    const bank = makeBank();
    const { changes, calls } = collector(bank);
    bank.point('speed')!.set(10);
    turn();
    expect(summary(changes.take())).toEqual([['speed', 10, T0]]);
    bank.point('speed')!.set(10);
    bank.point('flow')!.set(0.5);
    turn();
    expect(calls).toHaveLength(2); // told, but only flow moved
    expect(summary(changes.take())).toEqual([['flow', 0.5, T0]]);
    bank.point('speed')!.set(10);
    turn();
    expect(changes.take()).toEqual([]);
  });

  it('with minInterval, a value changed and changed back within the interval is not returned', () => {
    const bank = makeBank();
    const { changes } = collector(bank, 100);
    bank.point('speed')!.set(10);
    turn();
    changes.take();
    bank.point('speed')!.set(11);
    bank.point('speed')!.set(10);
    vi.advanceTimersByTime(100);
    expect(changes.take()).toEqual([]);
  });

  it('without minInterval, a value changed and changed back is published both times', () => {
    const bank = makeBank();
    const { changes } = collector(bank);
    bank.point('speed')!.set(10);
    turn();
    changes.take();
    bank.point('speed')!.set(11);
    bank.point('speed')!.set(10);
    turn();
    expect(summary(changes.take()).map(([, v]) => v)).toEqual([11, 10]);
  });
});

describe('BankChanges: deadband (absolute, from the last published value)', () => {
  it('suppresses small changes, lets drift accumulate until it reaches the band', () => {
    const bank = makeBank();
    const { changes } = collector(bank);
    const temp = bank.point('temp')!;
    temp.set(100);
    turn();
    expect(summary(changes.take())).toEqual([['temp', 100, T0]]); // first value: always
    const step = (v: number) => {
      temp.set(v);
      turn();
      return changes.take().map((c) => c.value);
    };
    expect(step(104)).toEqual([]); // 4 < 5
    expect(step(97)).toEqual([]); // -3 from 100
    expect(step(103)).toEqual([]); // drift, still 3 from 100
    expect(step(105)).toEqual([105]); // exactly the band: published
    expect(step(101)).toEqual([]); // 4 from 105 (the new last published)
    expect(step(100)).toEqual([100]); // 5 down
    expect(step(96)).toEqual([]);
    expect(step(94)).toEqual([94]);
  });

  it('counts from the snapshot of a birth', () => {
    const bank = makeBank();
    const { changes } = collector(bank);
    bank.point('temp')!.set(50);
    expect(changes.snapshot().find((c) => c.point.name === 'temp')?.value).toBe(50);
    bank.point('temp')!.set(54);
    turn();
    expect(changes.take()).toEqual([]);
    bank.point('temp')!.set(45);
    turn();
    expect(summary(changes.take())).toEqual([['temp', 45, T0]]);
  });

  it('a point without deadband reports every change, however small', () => {
    const bank = makeBank();
    const { changes } = collector(bank);
    bank.point('flow')!.set(1);
    turn();
    changes.take();
    bank.point('flow')!.set(1.0000001192092896); // the next float32
    turn();
    expect(summary(changes.take())).toEqual([['flow', 1.0000001192092896, T0]]);
  });
});

describe('BankChanges: minInterval', () => {
  it('the first batch goes at the next turn, the next one waits until minInterval after the last take', () => {
    const bank = makeBank();
    const { changes, calls } = collector(bank, 1000);
    bank.point('speed')!.set(1);
    turn();
    expect(calls).toEqual([T0]);
    expect(summary(changes.take())).toEqual([['speed', 1, T0]]);

    vi.advanceTimersByTime(300);
    bank.point('speed')!.set(2);
    vi.advanceTimersByTime(400);
    bank.point('flow')!.set(7.5);
    vi.advanceTimersByTime(299); // T0 + 999
    expect(calls).toEqual([T0]);
    vi.advanceTimersByTime(1); // T0 + 1000
    expect(calls).toEqual([T0, T0 + 1000]);
    expect(summary(changes.take())).toEqual([
      ['speed', 2, T0 + 300],
      ['flow', 7.5, T0 + 700],
    ]);

    // long after the last take: at the next turn again
    vi.advanceTimersByTime(5000);
    bank.point('speed')!.set(3);
    turn();
    expect(calls).toEqual([T0, T0 + 1000, T0 + 6000]);
  });

  it('counts from the last take, not from the ready call', () => {
    const bank = makeBank();
    const { changes, calls } = collector(bank, 1000);
    bank.point('speed')!.set(1);
    turn();
    vi.advanceTimersByTime(600);
    changes.take(); // taken late, at T0 + 600
    bank.point('speed')!.set(2);
    vi.advanceTimersByTime(999);
    expect(calls).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(calls).toEqual([T0, T0 + 1600]);
  });
});

describe('BankChanges: snapshot and close', () => {
  it('snapshot returns every point with its value and time, and clears what was pending', () => {
    const bank = makeBank();
    const { changes, calls } = collector(bank);
    bank.point('speed')!.set(9);
    bank.point('run')!.set(true);
    const snap = changes.snapshot();
    expect(summary(snap)).toEqual([
      ['speed', 9, T0],
      ['temp', 0, 0],
      ['flow', 0, 0],
      ['run', true, T0],
    ]);
    turn();
    expect(calls).toEqual([]); // nothing pending any more
    expect(changes.take()).toEqual([]);
  });

  it('close stops listening: later writes call nothing and take returns nothing', () => {
    const bank = makeBank();
    const { changes, calls } = collector(bank);
    changes.close();
    bank.point('speed')!.set(2);
    bank.written('holding', 0, 3);
    vi.advanceTimersByTime(10_000);
    expect(calls).toEqual([]);
    expect(changes.take()).toEqual([]);
    expect(bank.point('speed')!.sink).toBeUndefined();
  });

  it('close drops a batch waiting for minInterval', () => {
    const bank = makeBank();
    const { changes, calls } = collector(bank, 1000);
    bank.point('speed')!.set(1);
    turn();
    changes.take();
    bank.point('speed')!.set(2); // waits for T0 + 1000
    changes.close();
    vi.advanceTimersByTime(10_000);
    expect(calls).toEqual([T0]);
    expect(changes.take()).toEqual([]);
  });

  it('close drops a batch waiting for the next turn (real timers)', async () => {
    vi.useRealTimers();
    const bank = makeBank();
    const { changes, calls } = collector(bank);
    bank.point('speed')!.set(1);
    changes.close();
    await new Promise((r) => setImmediate(r));
    await new Promise((r) => setImmediate(r));
    expect(calls).toEqual([]);
    expect(changes.take()).toEqual([]);
  });

  // Failed before 34a77ca: cancel() handed the Immediate to clearTimeout(), which Node ignores but fake
  // timers refuse, so a fake-timer test could not close a collector in the turn of a write.
  it('close with a batch waiting for the next turn works under fake timers too', () => {
    const bank = makeBank();
    const { changes, calls } = collector(bank);
    bank.point('speed')!.set(1);
    expect(() => changes.close()).not.toThrow();
    turn();
    expect(calls).toEqual([]);
  });

  it("closing an old collector does not stop a newer one's watch", () => {
    const bank = makeBank();
    const old = collector(bank);
    const now = collector(bank);
    old.changes.close();
    bank.point('speed')!.set(5);
    turn();
    expect(old.calls).toEqual([]);
    expect(now.calls).toEqual([T0]);
    expect(summary(now.changes.take())).toEqual([['speed', 5, T0]]);
  });
});

describe('BankChanges: points redefined (a reload)', () => {
  it('keeps feeding the collector through the new points; what was published before starts over', () => {
    const bank = makeBank();
    const { changes, calls } = collector(bank);
    bank.point('temp')!.set(100);
    turn();
    changes.take();

    bank.definePoints([
      point({ name: 'temp', address: 1, type: 'int16', deadband: 5 }),
      point({ name: 'level', address: 5, type: 'int16' }),
    ]);
    expect(bank.point('level')!.sink).toBe(changes);

    // the redefined bank is born again (its DBIRTH carries every value), so changes count from scratch
    bank.point('level')!.set(-7);
    bank.point('temp')!.set(102);
    turn();
    expect(calls).toHaveLength(2);
    expect(summary(changes.take())).toEqual([
      ['level', -7, T0],
      ['temp', 102, T0],
    ]);

    bank.holding![1] = 104; // within temp's new deadband of the 102 published
    bank.written('holding', 1, 1);
    bank.holding![1] = 110;
    bank.written('holding', 1, 1);
    turn();
    expect(summary(changes.take())).toEqual([['temp', 110, T0]]);
  });

  it('a point written before the redefinition and taken after is skipped (its old object is gone)', () => {
    const bank = makeBank();
    const { changes } = collector(bank);
    bank.point('speed')!.set(3);
    bank.definePoints([point({ name: 'speed', address: 0 })]);
    turn();
    expect(changes.take()).toEqual([]);
  });
});
