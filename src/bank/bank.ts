/**
 * A bank: the register image that Modbus servers serve and that PLCs, pollers and decoded device
 * frames write into. Registers are 16-bit words, bits are stored one per byte (0/1).
 * A table that is not configured does not exist (requests to it answer exception 02).
 */
import type { BankConfig, TableName } from '../config/types.js';

export type RegisterTable = Uint16Array;
export type BitTable = Uint8Array;

export class Bank {
  readonly name: string;
  readonly holding: RegisterTable | undefined;
  readonly input: RegisterTable | undefined;
  readonly coils: BitTable | undefined;
  readonly discrete: BitTable | undefined;

  constructor(config: BankConfig) {
    this.name = config.name;
    const t = config.tables;
    this.holding = t.holding !== undefined ? new Uint16Array(t.holding) : undefined;
    this.input = t.input !== undefined ? new Uint16Array(t.input) : undefined;
    this.coils = t.coils !== undefined ? new Uint8Array(t.coils) : undefined;
    this.discrete = t.discrete !== undefined ? new Uint8Array(t.discrete) : undefined;
    this.applyValues(config);
  }

  table(name: TableName): RegisterTable | BitTable | undefined {
    return this[name];
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
      for (const [address, value] of values) {
        if (address >= 0 && address < table.length) table[address] = value;
      }
    }
  }
}

/** True when `address .. address + quantity - 1` lies inside `table`. */
export function inRange(table: ArrayLike<number>, address: number, quantity: number): boolean {
  return address + quantity <= table.length;
}
