import { describe, expect, it } from 'vitest';
import { Bank } from '../../src/bank/bank.js';
import { BankPoint } from '../../src/bank/bank-point.js';
import { decodePoint, encodePoint } from '../../src/codec/point-codec.js';
import type { PointConfig } from '../../src/config/types.js';
import { decodeRequest } from '../../src/codec/pdu/index.js';
import { executeOnBank } from '../../src/modbus/bank-executor.js';
import { deviceIdentity } from '../../src/modbus/device-identity.js';

const point = (p: Partial<PointConfig> & Pick<PointConfig, 'name' | 'address'>): PointConfig => ({
  table: 'holding',
  type: 'uint16',
  order: 'ABCD',
  scale: 1,
  offset: 0,
  ...p,
});

const bankWith = (...points: PointConfig[]) =>
  new Bank({ name: 'b', tables: { holding: 32, coils: 8 }, values: {}, points });

describe('bank points', () => {
  it('a numeric store writes the same registers as the value codec, for every type and order', () => {
    const cases: [PointConfig['type'], number][] = [
      ['int16', -2],
      ['uint16', 30000],
      ['int32', -123456],
      ['uint32', 2000000000],
      ['float32', 123.456],
      ['float64', -1e-7],
    ];
    for (const order of ['ABCD', 'CDAB', 'BADC', 'DCBA'] as const) {
      for (const [type, value] of cases) {
        const p = point({ name: 'p', address: 4, type, order, scale: 0.5, offset: 1 });
        const bank = bankWith(p);
        expect(bank.point('p')!.set(value)).toBeUndefined();
        const expected = encodePoint(p, value) as Uint16Array;
        expect([...bank.holding!.subarray(4, 4 + expected.length)]).toEqual([...expected]);
        const back = bank.point('p')!.get() as number;
        expect(type.startsWith('float') ? back : Math.round(back)).toBeCloseTo(value, type === 'float32' ? 3 : 6);
      }
    }
  });

  it('float32 123.456 lands as 0x42F6 0xE979 in ABCD and 0xE979 0x42F6 in CDAB', () => {
    const bank = bankWith(
      point({ name: 'a', address: 0, type: 'float32' }),
      point({ name: 'c', address: 2, type: 'float32', order: 'CDAB' }),
    );
    bank.point('a')!.set(123.456);
    bank.point('c')!.set(123.456);
    expect([...bank.holding!.subarray(0, 4)]).toEqual([0x42f6, 0xe979, 0xe979, 0x42f6]);
  });

  it('refuses a value out of range and leaves the registers and the time alone', () => {
    const bank = bankWith(point({ name: 'p', address: 0, type: 'int16' }));
    expect(bank.point('p')!.set(40000)).toBe('40000 is outside int16 (-32768..32767)');
    expect(bank.point('p')!.set(Number.NaN)).toMatch(/outside int16/);
    expect(bank.holding![0]).toBe(0);
    expect(bank.point('p')!.updatedAt).toBe(0);
  });

  it('strings and bools, and the time of the last store', () => {
    const bank = bankWith(point({ name: 's', address: 0, type: 'string', length: 2 }), {
      ...point({ name: 'run', address: 1, type: 'bool' }),
      table: 'coils',
    });
    expect(bank.point('s')!.set('OK', 1234)).toBeUndefined();
    expect(bank.point('s')!.get()).toBe('OK');
    expect(bank.point('s')!.updatedAt).toBe(1234);
    bank.point('run')!.set(true);
    expect(bank.coils![1]).toBe(1);
    expect(bank.point('run')!.get()).toBe(true);
  });

  it("a Modbus client's write stamps the points it touches and is told to listeners; a refused write is not", () => {
    const bank = bankWith(
      point({ name: 'a', address: 0 }),
      point({ name: 'b', address: 1, type: 'int32' }),
      point({ name: 'c', address: 10 }),
    );
    const heard: unknown[] = [];
    const stop = bank.onWrite((...args) => heard.push(args));
    const identity = deviceIdentity('t');
    const fc16 = Buffer.from([0x10, 0x00, 0x01, 0x00, 0x02, 0x04, 0x00, 0x01, 0x00, 0x02]);
    const decoded = decodeRequest(fc16);
    if ('exception' in decoded) throw new Error('bad vector');
    executeOnBank(decoded, bank, identity);
    expect(bank.point('b')!.get()).toBe(0x00010002);
    expect(bank.point('b')!.updatedAt).toBeGreaterThan(0);
    expect(bank.point('a')!.updatedAt).toBe(0);
    expect(bank.point('c')!.updatedAt).toBe(0);
    const outside = decodeRequest(Buffer.from([0x06, 0x00, 0x40, 0x00, 0x01]));
    if ('exception' in outside) throw new Error('bad vector');
    executeOnBank(outside, bank, identity); // address 64: exception 02, nothing written
    expect(heard).toEqual([['holding', 1, 2]]);
    stop();
    executeOnBank(decoded, bank, identity);
    expect(heard).toHaveLength(1);
  });
});

describe('BankPoint.get without decoding through a Buffer', () => {
  it('reads what decodePoint reads, for every numeric type and word order (seeded sweep)', () => {
    let seed = 17;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    const types = ['int16', 'uint16', 'int32', 'uint32', 'float32', 'float64', 'bool'] as const;
    const orders = ['ABCD', 'CDAB', 'BADC', 'DCBA'] as const;
    for (const type of types) {
      for (const order of orders) {
        for (const [scale, offset] of [
          [1, 0],
          [0.1, -40],
        ] as const) {
          const table = new Uint16Array(8);
          const config = { name: 'p', table: 'holding', address: 2, type, order, scale, offset } as PointConfig;
          const p = new BankPoint(config, table);
          for (let i = 0; i < 200; i++) {
            for (let a = 0; a < table.length; a++) table[a] = Math.floor(rnd() * 65536);
            expect(p.get(), `${type} ${order} ${scale}`).toEqual(decodePoint(config, table.subarray(2, 2 + p.count)));
          }
        }
      }
    }
  });
});
