/**
 * A northbound write (Sparkplug DCMD, JSON /set) is a Modbus write request: writeRequest builds the
 * exact PDU (FC 16 for numbers and text, FC 5 for a coil, FC 6 for a bool in a holding register) or
 * says why not; writePoint serves it on the bank like a client's request: the registers change,
 * onWrite listeners (commands) and the point sink (the publisher) are told, an overlay (polls'
 * write-through) gets the request, and an exception reply becomes an error naming the exception.
 */
import { describe, expect, it } from 'vitest';
import { Bank } from '../../src/bank/bank.js';
import type { BankOverlay } from '../../src/bank/bank-overlay.js';
import type { BankPoint } from '../../src/bank/bank-point.js';
import { exceptionReply } from '../../src/codec/pdu/exception.js';
import type { Request } from '../../src/codec/pdu/index.js';
import type { PointConfig } from '../../src/config/types.js';
import { deviceIdentity } from '../../src/modbus/device-identity.js';
import { writePoint, writeRequest } from '../../src/mqtt/point-write.js';

const point = (p: Partial<PointConfig> & Pick<PointConfig, 'name' | 'address'>): PointConfig => ({
  table: 'holding',
  type: 'uint16',
  order: 'ABCD',
  scale: 1,
  offset: 0,
  ...p,
});

const POINTS: PointConfig[] = [
  point({ name: 'temp', address: 3, type: 'int16' }),
  point({ name: 'total', address: 4, type: 'uint32' }),
  point({ name: 'flow', address: 6, type: 'float32', order: 'CDAB' }),
  point({ name: 'setpoint', address: 8, type: 'int16', scale: 0.1 }),
  point({ name: 'tag', address: 10, type: 'string', length: 2 }),
  point({ name: 'enable', address: 12, type: 'bool' }),
  point({ name: 'pump', address: 2, table: 'coils', type: 'bool' }),
  point({ name: 'pressure', address: 0, table: 'input', type: 'uint16' }),
  point({ name: 'alarm', address: 1, table: 'discrete', type: 'bool' }),
];

const makeBank = () =>
  new Bank({ name: 'plant', tables: { holding: 16, input: 4, coils: 8, discrete: 4 }, values: {}, points: POINTS });

const IDENTITY = deviceIdentity('test');

function p(bank: Bank, name: string): BankPoint {
  const found = bank.point(name);
  if (!found) throw new Error(`no point ${name}`);
  return found;
}

const hex = (b: Buffer | string) => (typeof b === 'string' ? b : b.toString('hex'));

describe('writeRequest: the PDU a write becomes', () => {
  const bank = makeBank();
  const req = (name: string, value: number | boolean | string) => hex(writeRequest(p(bank, name), value));

  it('FC 16 for an int16 -5 at address 3', () => {
    expect(req('temp', -5)).toBe('10' + '0003' + '0001' + '02' + 'fffb');
  });

  it('FC 16 for a uint32, two registers high word first', () => {
    expect(req('total', 3_000_000_000)).toBe('10' + '0004' + '0002' + '04' + 'b2d05e00');
  });

  it('FC 16 for a float32 in CDAB order (123.456 = 0x42F6E979, words swapped)', () => {
    expect(req('flow', 123.456)).toBe('10' + '0006' + '0002' + '04' + 'e97942f6');
  });

  it('FC 16 for a scaled int16: the raw value is engineering / scale', () => {
    expect(req('setpoint', 12.3)).toBe('10' + '0008' + '0001' + '02' + '007b');
  });

  it('FC 16 for a string, padded with NULs to its length', () => {
    expect(req('tag', 'AB')).toBe('10' + '000a' + '0002' + '04' + '41420000');
    expect(req('tag', 'WXYZ')).toBe('10' + '000a' + '0002' + '04' + '5758595a');
  });

  it('FC 5 for a coil: 0xFF00 on, 0x0000 off (true/false or 1/0)', () => {
    expect(req('pump', true)).toBe('05' + '0002' + 'ff00');
    expect(req('pump', false)).toBe('05' + '0002' + '0000');
    expect(req('pump', 1)).toBe('05' + '0002' + 'ff00');
    expect(req('pump', 0)).toBe('05' + '0002' + '0000');
  });

  it('FC 6 for a bool in a holding register: 1 or 0', () => {
    expect(req('enable', true)).toBe('06' + '000c' + '0001');
    expect(req('enable', false)).toBe('06' + '000c' + '0000');
  });

  it('refuses points in the read-only tables', () => {
    expect(req('pressure', 5)).toBe('point pressure is in the input table, which is read-only');
    expect(req('alarm', true)).toBe('point alarm is in the discrete table, which is read-only');
  });

  it('refuses values of the wrong type', () => {
    expect(req('pump', 'on')).toBe('"on" is not a bool (point pump)');
    expect(req('pump', 2)).toBe('2 is not a bool (point pump)');
    expect(req('enable', 'true')).toBe('"true" is not a bool (point enable)');
    expect(req('temp', '5')).toBe('"5" is not a number (point temp is int16)');
    expect(req('temp', true)).toBe('true is not a number (point temp is int16)');
    expect(req('tag', 5)).toBe('5 is not text (point tag)');
  });

  it('refuses values out of range, too long, NaN and infinities', () => {
    expect(req('temp', 40000)).toBe('point temp: 40000 is outside int16 (-32768..32767)');
    expect(req('temp', -32769)).toBe('point temp: -32769 is outside int16 (-32768..32767)');
    expect(req('total', -1)).toBe('point total: -1 is outside uint32 (0..4294967295)');
    expect(req('setpoint', 4000)).toBe('point setpoint: 40000 is outside int16 (-32768..32767)');
    expect(req('tag', 'ABCDE')).toBe('point tag: "ABCDE" is longer than 4 characters');
    expect(req('temp', Number.NaN)).toBe('null is not a number (point temp is int16)');
    expect(req('flow', Number.POSITIVE_INFINITY)).toBe('null is not a number (point flow is float32)');
  });

  it('the edges of a range are written', () => {
    expect(req('temp', 32767)).toBe('10' + '0003' + '0001' + '02' + '7fff');
    expect(req('temp', -32768)).toBe('10' + '0003' + '0001' + '02' + '8000');
    expect(req('total', 4294967295)).toBe('10' + '0004' + '0002' + '04' + 'ffffffff');
  });
});

describe('writePoint on a bank', () => {
  it('writes the registers, tells onWrite listeners and the point sink', async () => {
    const bank = makeBank();
    const writes: [string, number, number][] = [];
    bank.onWrite((table, address, count) => writes.push([table, address, count]));
    const told: string[] = [];
    bank.watchPoints({ changed: (pt) => told.push(`${pt.name}=${String(pt.get())}`) });

    expect(await writePoint(bank, 'temp', -5, IDENTITY)).toBeUndefined();
    expect(bank.holding![3]).toBe(0xfffb);
    expect(await writePoint(bank, 'flow', 123.456, IDENTITY)).toBeUndefined();
    expect([...bank.holding!.subarray(6, 8)]).toEqual([0xe979, 0x42f6]);
    expect(await writePoint(bank, 'tag', 'AB', IDENTITY)).toBeUndefined();
    expect([...bank.holding!.subarray(10, 12)]).toEqual([0x4142, 0]);
    expect(await writePoint(bank, 'pump', true, IDENTITY)).toBeUndefined();
    expect(bank.coils![2]).toBe(1);
    expect(await writePoint(bank, 'enable', true, IDENTITY)).toBeUndefined();
    expect(bank.holding![12]).toBe(1);

    expect(writes).toEqual([
      ['holding', 3, 1],
      ['holding', 6, 2],
      ['holding', 10, 2],
      ['coils', 2, 1],
      ['holding', 12, 1],
    ]);
    expect(told).toEqual(['temp=-5', `flow=${Math.fround(123.456)}`, 'tag=AB', 'pump=true', 'enable=true']);
    expect(p(bank, 'temp').updatedAt).toBeGreaterThan(0);
  });

  it('a refused value leaves the bank alone and tells nobody', async () => {
    const bank = makeBank();
    const writes: unknown[] = [];
    bank.onWrite((...a) => writes.push(a));
    bank.holding![3] = 7;
    expect(await writePoint(bank, 'temp', 40000, IDENTITY)).toBe('point temp: 40000 is outside int16 (-32768..32767)');
    expect(await writePoint(bank, 'pressure', 1, IDENTITY)).toBe(
      'point pressure is in the input table, which is read-only',
    );
    expect(await writePoint(bank, 'nope', 1, IDENTITY)).toBe('bank plant has no point nope');
    expect(bank.holding![3]).toBe(7);
    expect(bank.input![0]).toBe(0);
    expect(writes).toEqual([]);
  });

  it('a bank with an overlay gets the request through overlay.execute (write-through)', async () => {
    const bank = makeBank();
    const seen: { fc: number; pdu: string; origin: unknown }[] = [];
    let release: () => void = () => undefined;
    const overlay: BankOverlay = {
      execute(req: Request, pdu: Buffer, onBank: () => Buffer, origin) {
        seen.push({ fc: req.fc, pdu: pdu.toString('hex'), origin });
        // the device accepts later; only then is the bank written
        return new Promise<Buffer>((resolve) => {
          release = () => resolve(onBank());
        });
      },
    };
    bank.overlay = overlay;
    const done = writePoint(bank, 'total', 3_000_000_000, IDENTITY);
    await Promise.resolve();
    expect(seen).toEqual([{ fc: 16, pdu: '10000400020' + '4b2d05e00', origin: undefined }]);
    expect([...bank.holding!.subarray(4, 6)]).toEqual([0, 0]); // not before the device accepted
    release();
    expect(await done).toBeUndefined();
    expect([...bank.holding!.subarray(4, 6)]).toEqual([0xb2d0, 0x5e00]);
  });

  it("an exception reply from the overlay is an error naming the exception; the bank isn't written", async () => {
    const bank = makeBank();
    const codes = [0x0b, 0x04, 0x0a, 0x42];
    let i = 0;
    bank.overlay = { execute: (req) => exceptionReply(req.fc, codes[i++] ?? 0) };
    expect(await writePoint(bank, 'temp', 12, IDENTITY)).toBe(
      'point temp: the write was answered with exception 0b (gateway target device failed to respond)',
    );
    expect(await writePoint(bank, 'pump', true, IDENTITY)).toBe(
      'point pump: the write was answered with exception 04 (server device failure)',
    );
    expect(await writePoint(bank, 'enable', false, IDENTITY)).toBe(
      'point enable: the write was answered with exception 0a (gateway path unavailable)',
    );
    expect(await writePoint(bank, 'temp', 12, IDENTITY)).toBe(
      'point temp: the write was answered with exception 42 (exception 0x42)',
    );
    expect(bank.holding![3]).toBe(0);
    expect(bank.coils![2]).toBe(0);
  });

  it('an overlay that answers nothing (the asker went away) is "no answer"', async () => {
    const bank = makeBank();
    bank.overlay = { execute: () => Promise.resolve(null) };
    expect(await writePoint(bank, 'temp', 1, IDENTITY)).toBe('point temp: no answer');
  });
});
