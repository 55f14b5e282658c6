/**
 * Bank points in the status document: each point's value now and how old it is (the last store by a
 * decoder, simulator, command reply or poll, or the last client write into it). Only banks that
 * declare points are listed.
 */
import type { Bank } from '../bank/bank.js';
import type { PointValue } from '../codec/point-codec.js';
import type { TableName } from '../config/types.js';

export interface PointEntry {
  readonly name: string;
  readonly table: TableName;
  readonly address: number;
  readonly type: string;
  readonly value: PointValue;
  /** ISO time of the last update; null = never updated since start. */
  readonly updatedAt: string | null;
  readonly ageSeconds: number | null;
}

export interface BankEntry {
  readonly name: string;
  readonly points: PointEntry[];
}

export function bankEntries(banks: ReadonlyMap<string, Bank>, now = Date.now()): BankEntry[] {
  const out: BankEntry[] = [];
  for (const bank of banks.values()) {
    if (bank.points.size === 0) continue;
    out.push({
      name: bank.name,
      points: [...bank.points.values()].map((p) => ({
        name: p.name,
        table: p.config.table,
        address: p.config.address,
        type: p.config.type,
        value: p.get(),
        updatedAt: p.updatedAt > 0 ? new Date(p.updatedAt).toISOString() : null,
        ageSeconds: p.updatedAt > 0 ? Math.max(0, Math.round((now - p.updatedAt) / 100) / 10) : null,
      })),
    });
  }
  return out;
}
