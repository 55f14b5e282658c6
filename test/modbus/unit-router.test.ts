/** The unit router's table: units (ranges already expanded by the config) first, then the server's bank or device. */
import { describe, expect, it } from 'vitest';
import type { UnitMap } from '../../src/config/types.js';
import { UnitRouter } from '../../src/modbus/unit-router.js';
import { makeBank } from '../helpers/banks.js';

const bank = makeBank({ holding: 1 }, {}, 'plant');
const banks = new Map([['plant', bank]]);
const units: UnitMap = new Map([
  [1, { kind: 'bank', bank: 'plant' }],
  [2, { kind: 'device', device: 'plc', unit: 9 }],
]);

describe('UnitRouter', () => {
  it('a server-level device takes every unit id units does not name, each id unchanged', () => {
    const router = new UnitRouter(units, undefined, banks, 'rs485');
    expect(router.resolve(1)).toEqual({ kind: 'bank', bank });
    expect(router.resolve(2)).toEqual({ kind: 'device', device: 'plc', unit: 9, cache: 0 });
    for (const id of [0, 3, 100, 247, 255])
      expect(router.resolve(id)).toEqual({ kind: 'device', device: 'rs485', unit: id, cache: 0 });
  });

  it('without a bank or device, an id units does not name has no route (0A)', () => {
    const router = new UnitRouter(units, undefined, banks);
    expect(router.resolve(3)).toBeUndefined();
    expect(router.resolve(1)).toEqual({ kind: 'bank', bank });
  });

  it('a fallback bank serves the rest', () => {
    const router = new UnitRouter(new Map(), 'plant', banks);
    expect(router.resolve(0)).toEqual({ kind: 'bank', bank });
    expect(router.resolve(255)).toEqual({ kind: 'bank', bank });
  });
});
