/**
 * Resolves a request's unit id to where it is served: a bank, or a device (a route). Built once per
 * server (or pool port) from the config into a 256-entry table; resolution is one lookup.
 */
import type { Bank } from '../bank/bank.js';
import type { UnitMap } from '../config/types.js';

export type UnitRoute =
  | { readonly kind: 'bank'; readonly bank: Bank }
  | {
      readonly kind: 'device';
      readonly device: string;
      readonly unit: number;
      /** ms a read may be answered from the device's reply cache (0: never). */
      readonly cache: number;
    };

export class UnitRouter {
  private readonly table: (UnitRoute | undefined)[] = new Array<UnitRoute | undefined>(256);

  /**
   * `units` entries win (a range is already one entry per id); every other unit id goes to
   * `fallbackBank`, or to `fallbackDevice` with its id unchanged (the config allows one of them);
   * `banks` resolves bank names (the config has checked they exist; a name that is still missing
   * leaves the unit unmapped).
   */
  constructor(
    units: UnitMap,
    fallbackBank: string | undefined,
    banks: ReadonlyMap<string, Bank>,
    fallbackDevice?: string,
  ) {
    const fallback = fallbackBank !== undefined ? banks.get(fallbackBank) : undefined;
    for (let unit = 0; unit < 256; unit++) {
      const target = units.get(unit);
      if (target?.kind === 'device') {
        this.table[unit] = { kind: 'device', device: target.device, unit: target.unit, cache: target.cache ?? 0 };
      } else if (target?.kind === 'bank') {
        const bank = banks.get(target.bank);
        this.table[unit] = bank ? { kind: 'bank', bank } : undefined;
      } else if (fallback) {
        this.table[unit] = { kind: 'bank', bank: fallback };
      } else if (fallbackDevice !== undefined) {
        this.table[unit] = { kind: 'device', device: fallbackDevice, unit, cache: 0 };
      }
    }
  }

  resolve(unit: number): UnitRoute | undefined {
    return this.table[unit];
  }
}
