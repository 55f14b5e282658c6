/**
 * Which reads the polls need: polls of the same device, unit, table and interval whose ranges are
 * neighbours (a gap of at most MERGE_GAP) are merged into one read, up to what one request of that
 * table can carry. Pure.
 */
import type { PollConfig, TableName } from '../../config/types.js';

/** Addresses that may be read in between two polls to merge them. */
export const MERGE_GAP: Readonly<Record<'registers' | 'bits', number>> = { registers: 8, bits: 64 };
export const READ_LIMIT: Readonly<Record<'registers' | 'bits', number>> = { registers: 125, bits: 2000 };

export interface PollMember {
  /** Index in the config's polls list. */
  readonly index: number;
  readonly config: PollConfig;
  /** Unit id read on the device. */
  readonly unit: number;
}

export interface ReadBlock {
  readonly device: string;
  readonly unit: number;
  readonly table: TableName;
  readonly every: number;
  readonly address: number;
  readonly count: number;
  /** In address order. */
  readonly members: readonly PollMember[];
}

export const kindOf = (table: TableName): 'registers' | 'bits' =>
  table === 'coils' || table === 'discrete' ? 'bits' : 'registers';

export function planReads(members: readonly PollMember[]): ReadBlock[] {
  const groups = new Map<string, PollMember[]>();
  for (const m of members) {
    const key = `${m.config.device}\u0000${m.unit}\u0000${m.config.read.table}\u0000${m.config.every}`;
    const list = groups.get(key);
    if (list) list.push(m);
    else groups.set(key, [m]);
  }
  return [...groups.values()].flatMap(merge);
}

function merge(group: PollMember[]): ReadBlock[] {
  const sorted = [...group].sort((a, b) => a.config.read.address - b.config.read.address);
  const first = sorted[0];
  if (!first) return [];
  const kind = kindOf(first.config.read.table);
  const blocks: ReadBlock[] = [];
  let current: PollMember[] = [];
  let start = 0;
  let end = 0;
  const close = () => {
    if (current.length === 0) return;
    const c = (current[0] as PollMember).config;
    blocks.push({
      device: c.device,
      unit: (current[0] as PollMember).unit,
      table: c.read.table,
      every: c.every,
      address: start,
      count: end - start,
      members: current,
    });
  };
  for (const m of sorted) {
    const { address, count } = m.config.read;
    const newEnd = Math.max(end, address + count);
    if (current.length > 0 && address <= end + MERGE_GAP[kind] && newEnd - start <= READ_LIMIT[kind]) {
      current.push(m);
      end = newEnd;
      continue;
    }
    close();
    current = [m];
    start = address;
    end = address + count;
  }
  close();
  return blocks;
}
