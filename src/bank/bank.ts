/**
 * A bank: the register image that Modbus servers serve and that PLCs, pollers and decoded device
 * frames write into. Registers are 16-bit words, bits are stored one per byte (0/1).
 * A table that is not configured does not exist (requests to it answer exception 02). A table may
 * start at an address other than 0 (`start`): its typed array holds `count` entries and an address
 * becomes an index in one place, `indexOf` (points compute theirs once).
 */
import type { BankConfig, PointConfig, TableName } from '../config/types.js';
import type { BankOverlay } from './bank-overlay.js';
import { BankPoint, type PointSink } from './bank-point.js';

export type RegisterTable = Uint16Array;
export type BitTable = Uint8Array;

/** Told about every write a Modbus client made into the bank (after it was applied). */
export type WriteListener = (table: TableName, address: number, count: number) => void;

export class Bank {
  readonly name: string;
  readonly holding: RegisterTable | undefined;
  readonly input: RegisterTable | undefined;
  readonly coils: BitTable | undefined;
  readonly discrete: BitTable | undefined;
  /** First address of each table (0 unless the config says otherwise). */
  readonly starts: Readonly<Record<TableName, number>>;
  /** Named points, by name. */
  readonly points = new Map<string, BankPoint>();
  /** One more each time the points are redefined (a reload): readers holding points know they are stale. */
  version = 0;
  /** Set by the polls that write into the bank (stale ranges, write-through); undefined: none. */
  overlay: BankOverlay | undefined = undefined;
  private readonly listeners = new Set<WriteListener>();
  /** Told about every point written (the MQTT publisher); kept across a redefinition of the points. */
  private sink: PointSink | undefined = undefined;
  /** Per table: address -> the point there (only tables that have points). */
  private pointAt: Partial<Record<TableName, (BankPoint | undefined)[]>> = {};

  constructor(config: BankConfig) {
    this.name = config.name;
    const t = config.tables;
    this.holding = t.holding !== undefined ? new Uint16Array(t.holding) : undefined;
    this.input = t.input !== undefined ? new Uint16Array(t.input) : undefined;
    this.coils = t.coils !== undefined ? new Uint8Array(t.coils) : undefined;
    this.discrete = t.discrete !== undefined ? new Uint8Array(t.discrete) : undefined;
    const s = config.starts ?? {};
    this.starts = { holding: s.holding ?? 0, input: s.input ?? 0, coils: s.coils ?? 0, discrete: s.discrete ?? 0 };
    this.applyValues(config);
    this.definePoints(config.points);
  }

  /** Replaces the point definitions (a reload that changed only points keeps the values). */
  definePoints(points: readonly PointConfig[]): void {
    this.points.clear();
    this.pointAt = {};
    this.version++;
    for (const config of points) {
      const table = this[config.table];
      if (!table) continue;
      const point = new BankPoint(config, table, this.starts[config.table], this.points.size);
      point.sink = this.sink;
      this.points.set(config.name, point);
      const at = (this.pointAt[config.table] ??= []);
      for (let i = 0; i < point.count; i++) at[point.index + i] = point;
    }
  }

  point(name: string): BankPoint | undefined {
    return this.points.get(name);
  }

  /** Listens to Modbus clients' writes; returns the function that stops listening. */
  onWrite(listener: WriteListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Tells `sink` about every point written from now on (stores, client writes, polls), also after
   * the points are redefined by a reload; one sink at a time. Returns the function that stops it.
   */
  watchPoints(sink: PointSink): () => void {
    this.setSink(sink);
    return () => {
      if (this.sink === sink) this.setSink(undefined);
    };
  }

  private setSink(sink: PointSink | undefined): void {
    this.sink = sink;
    for (const point of this.points.values()) point.sink = sink;
  }

  /** True when a client's write must be reported (points to timestamp, or listeners). */
  get watched(): boolean {
    return this.points.size > 0 || this.listeners.size > 0;
  }

  /** A Modbus client wrote `count` values from `address` of `table`: timestamps its points, tells listeners. */
  written(table: TableName, address: number, count: number): void {
    this.stamp(table, address, count);
    for (const listener of this.listeners) listener(table, address, count);
  }

  /** Values from `address` of `table` were updated now (a client write, a poll): their points' time. */
  stamp(table: TableName, address: number, count: number): void {
    const at = this.pointAt[table];
    if (!at) return;
    const now = Date.now();
    let last: BankPoint | undefined;
    const first = address - this.starts[table];
    for (let i = first; i < first + count; i++) {
      const point = at[i];
      if (point !== undefined && point !== last) point.touched(now);
      last = point;
    }
  }

  table(name: TableName): RegisterTable | BitTable | undefined {
    return this[name];
  }

  /**
   * The index in `name`'s array of `address`, when `address .. address + quantity - 1` lies inside
   * the table (start..start+count-1); -1 when it does not, or the table does not exist.
   */
  indexOf(name: TableName, address: number, quantity: number): number {
    const table = this[name];
    const index = address - this.starts[name];
    return table !== undefined && index >= 0 && index + quantity <= table.length ? index : -1;
  }

  /** Table sizes, in the shape of the config (for comparing shapes on reload). */
  get shape(): Partial<Record<TableName, number>> {
    const out: Partial<Record<TableName, number>> = {};
    for (const name of ['holding', 'input', 'coils', 'discrete'] as const) {
      const table = this[name];
      if (table) out[name] = table.length;
    }
    return out;
  }

  private applyValues(config: BankConfig): void {
    for (const name of ['holding', 'input', 'coils', 'discrete'] as const) {
      const table = this[name];
      const values = config.values[name];
      if (!table || !values) continue;
      const start = this.starts[name];
      for (const [address, value] of values) {
        if (address >= start && address - start < table.length) table[address - start] = value;
      }
    }
  }
}
