import { describe, expect, it } from 'vitest';
import type { PollConfig, TableName } from '../../src/config/types.js';
import { planReads, type PollMember } from '../../src/devices/polls/plan.js';

function member(
  index: number,
  table: TableName,
  address: number,
  count: number,
  extra: Partial<PollConfig> = {},
): PollMember {
  const config: PollConfig = {
    device: 'plc',
    every: 1000,
    read: { table, address, count },
    into: { bank: 'b', table, address },
    onStale: 'serve',
    writeThrough: false,
    ...extra,
  };
  return { index, config, unit: 1 };
}

const shape = (members: PollMember[]) =>
  planReads(members).map((b) => [b.table, b.address, b.count, b.members.map((m) => m.index)]);

describe('poll plan', () => {
  it('merges neighbours with a small gap, in address order', () => {
    expect(shape([member(0, 'holding', 12, 8), member(1, 'holding', 0, 10), member(2, 'holding', 200, 10)])).toEqual([
      ['holding', 0, 20, [1, 0]],
      ['holding', 200, 10, [2]],
    ]);
  });

  it('never merges past what one request carries', () => {
    expect(shape([member(0, 'holding', 0, 100), member(1, 'holding', 100, 30)])).toEqual([
      ['holding', 0, 100, [0]],
      ['holding', 100, 30, [1]],
    ]);
    expect(shape([member(0, 'coils', 0, 1000), member(1, 'coils', 1000, 1000)])).toEqual([['coils', 0, 2000, [0, 1]]]);
  });

  it('keeps different tables, intervals, units and devices apart', () => {
    expect(
      planReads([
        member(0, 'holding', 0, 2),
        member(1, 'input', 2, 2),
        member(2, 'holding', 2, 2, { every: 500 }),
        member(3, 'holding', 4, 2, { device: 'other' }),
        { ...member(4, 'holding', 6, 2), unit: 2 },
      ]),
    ).toHaveLength(5);
  });

  it('covers overlapping polls with one read', () => {
    expect(shape([member(0, 'holding', 0, 10), member(1, 'holding', 5, 3)])).toEqual([['holding', 0, 10, [0, 1]]]);
  });
});
