/**
 * Tables that start at an address other than 0 (`holding: { start: 304, count: 32 }`): requests at
 * absolute addresses, 02 below start and past the end, points and initial values at absolute
 * addresses, the config's errors with positions, a reload that moves a table, and a poll into such a bank.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Bank } from '../../src/bank/bank.js';
import { decodeRequest } from '../../src/codec/pdu/index.js';
import { describeConfig } from '../../src/config/describe.js';
import { diffConfig } from '../../src/config/diff.js';
import type { BankConfig } from '../../src/config/types.js';
import { executeOnBank } from '../../src/modbus/bank-executor.js';
import { deviceIdentity } from '../../src/modbus/device-identity.js';
import { encodeAdu } from '../../src/codec/mbap.js';
import { at, configOf, issuesOf, load } from '../config/helpers.js';
import { rawConnect } from '../helpers/clients.js';
import { startFakePlc, type FakePlc } from '../helpers/fake-plc.js';
import { startGateway, until, type RunningGateway } from '../helpers/gateway.js';
import { hex } from '../helpers/hex.js';

const identity = deviceIdentity('line3-pi');

function exec(bank: Bank, pdu: string): string {
  const req = decodeRequest(hex(pdu));
  if ('exception' in req) throw new Error('test request does not decode');
  return executeOnBank(req, bank, identity).subarray(7).toString('hex');
}

const BANK = `banks:
  plant:
    holding: { start: 304, count: 32 }
    coils: { start: 0x130, count: 37 }
    input: 10
    values:
      holding: { 304: [1, 2, 3], 335: 0x7fff }
      coils: { 304: [1, 0, 1] }
    points:
      - { name: level, table: holding, address: 310, type: float32 }
      - { name: pump, table: coils, address: 340, type: bool }
`;

function bankOf(text: string): Bank {
  const config = configOf(load(text)).banks.get('plant');
  if (!config) throw new Error('no bank plant');
  return new Bank(config);
}

describe('a table that starts at an address other than 0', () => {
  it('the config keeps counts as sizes and the starts apart; a plain size starts at 0', () => {
    const config = configOf(load(BANK)).banks.get('plant');
    expect(config?.tables).toEqual({ holding: 32, coils: 37, input: 10 });
    expect(config?.starts).toEqual({ holding: 304, coils: 304 });
    expect(configOf(load('banks:\n  plain: { holding: 5 }\n')).banks.get('plain')?.starts).toBeUndefined();
    expect(describeConfig(configOf(load(BANK)))).toContain(
      '  plant: holding 32 at 304..335, input 10, coils 37 at 304..340',
    );
  });

  it('FC3 and FC16 at start and at the last address; initial values at absolute addresses', () => {
    const bank = bankOf(BANK);
    expect(bank.holding?.length).toBe(32);
    expect(exec(bank, '03 0130 0003')).toBe('0306000100020003');
    expect(exec(bank, '03 014F 0001')).toBe('03027fff');
    expect(exec(bank, '10 0130 0002 04 00AA 00BB')).toBe('1001300002');
    expect([bank.holding?.[0], bank.holding?.[1]]).toEqual([0xaa, 0xbb]);
    expect(exec(bank, '06 014F 1234')).toBe('06014f1234');
    expect(bank.holding?.[31]).toBe(0x1234);
  });

  it('below start and past the end answer 02, also a block that crosses either edge', () => {
    const bank = bankOf(BANK);
    expect(exec(bank, '03 012F 0001')).toBe('8302'); // 303
    expect(exec(bank, '03 0000 0001')).toBe('8302');
    expect(exec(bank, '03 012F 0002')).toBe('8302'); // 303..304
    expect(exec(bank, '03 0150 0001')).toBe('8302'); // 336
    expect(exec(bank, '03 014F 0002')).toBe('8302'); // 335..336
    expect(exec(bank, '10 012F 0001 02 0001')).toBe('9002');
    expect(exec(bank, '06 0150 0001')).toBe('8602');
    expect(exec(bank, '01 012F 0001')).toBe('8102');
    expect(exec(bank, '05 0155 FF00')).toBe('8502'); // 341: coils end at 340
    expect(exec(bank, '0F 0154 0002 01 03')).toBe('8f02'); // 340..341
    expect(exec(bank, '17 0130 0001 012F 0001 02 0001')).toBe('9702'); // FC23 writing below start
    expect(exec(bank, '16 0150 FFFF 0000')).toBe('9602'); // FC22 past the end
  });

  it('FC1 and FC5 at start and at the end of the coils', () => {
    const bank = bankOf(BANK);
    expect(exec(bank, '01 0130 0003')).toBe('010105');
    expect(exec(bank, '05 0154 FF00')).toBe('050154ff00'); // 340, the last coil
    expect(bank.coils?.[36]).toBe(1);
    expect(exec(bank, '01 0154 0001')).toBe('010101');
    expect(exec(bank, '05 0130 0000')).toBe('0501300000');
    expect(exec(bank, '01 0130 0003')).toBe('010104');
  });

  it('points live at their absolute address: set through the point, read over Modbus, and back', () => {
    const bank = bankOf(BANK);
    const level = bank.point('level');
    expect(level?.index).toBe(6);
    expect(level?.set(1.5)).toBeUndefined();
    expect(exec(bank, '03 0136 0002')).toBe('03043fc00000');
    expect(exec(bank, '10 0136 0002 04 4020 0000')).toBe('1001360002');
    expect(level?.get()).toBe(2.5);
    // a write reported at absolute addresses stamps the point there, and only there
    level!.updatedAt = 0;
    bank.written('holding', 312, 4);
    expect(level?.updatedAt).toBe(0);
    bank.written('holding', 311, 1);
    expect(level?.updatedAt).toBeGreaterThan(0);
    expect(exec(bank, '05 0154 FF00')).toBe('050154ff00');
    expect(bank.point('pump')?.get()).toBe(true);
  });

  it('indexOf turns an absolute address into an index, -1 outside the table or without one', () => {
    const bank = bankOf(BANK);
    expect(bank.indexOf('holding', 304, 32)).toBe(0);
    expect(bank.indexOf('holding', 335, 1)).toBe(31);
    expect(bank.indexOf('holding', 303, 1)).toBe(-1);
    expect(bank.indexOf('holding', 335, 2)).toBe(-1);
    expect(bank.indexOf('input', 9, 1)).toBe(9);
    expect(bank.indexOf('discrete', 0, 1)).toBe(-1);
  });
});

describe('table start in the config', () => {
  it.each([
    [
      'values below start',
      'holding: { start: 304, count: 32 }\n    values: { holding: { 300: [1, 2] } }',
      'banks.plant.values.holding.300',
      'holding: { ^300',
      'addresses 300..301 are outside the holding table (304..335)',
    ],
    [
      'a value past the end',
      'holding: { start: 304, count: 32 }\n    values: { holding: { 336: 1 } }',
      'banks.plant.values.holding.336',
      'holding: { ^336',
      'address 336 is outside the holding table (304..335)',
    ],
    [
      'a point below start',
      'holding: { start: 304, count: 32 }\n    points: [{ name: p, table: holding, address: 303 }]',
      'banks.plant.points[0].address',
      'address: ^303',
      'holding 303 is outside the holding table (304..335)',
    ],
    [
      'a point that runs past the end',
      'holding: { start: 304, count: 32 }\n    points: [{ name: p, table: holding, address: 335, type: uint32 }]',
      'banks.plant.points[0].address',
      'address: ^335',
      'holding 335..336 is outside the holding table (304..335)',
    ],
    [
      'a table past address 65535',
      'holding: { start: 65000, count: 1000 }',
      'banks.plant.holding.count',
      'count: ^1000',
      '1000 from 65000 goes past address 65535: at most 536',
    ],
    [
      'a table without count',
      'holding: { start: 304 }',
      'banks.plant.holding.count',
      'holding: ^{ start',
      'is required: number of holding registers, 1..65536',
    ],
    [
      'a start out of range',
      'holding: { start: -1, count: 3 }',
      'banks.plant.holding.start',
      'start: ^-1',
      '-1 is not a whole number in 0..65535',
    ],
  ])('%s is an error at its key', (_, lines, key, where, message) => {
    const text = `banks:\n  plant:\n    ${lines}\n`;
    expect(issuesOf(load(text))).toEqual([{ key, message, file: 'test.yaml', ...at(text, where) }]);
  });

  it('an unknown key in the table mapping is reported at the key', () => {
    const text = 'banks:\n  plant:\n    holding: { start: 3, count: 2, size: 4 }\n';
    expect(issuesOf(load(text)).map((i) => i.key)).toEqual(['banks.plant.holding.size']);
  });

  it('a poll into a bank with start must land inside the table', () => {
    const text = `banks:\n  plant: { holding: { start: 100, count: 10 } }\ndevices:\n  - { name: plc, type: modbus-tcp, host: 127.0.0.1, port: 502 }\npolls:\n  - { device: plc, every: 1s, read: { table: holding, address: 0, count: 5 }, into: { bank: plant, address: 98 } }\n`;
    expect(issuesOf(load(text)).map((i) => [i.key, i.message])).toEqual([
      ['polls[0].into', 'addresses 98..102 are outside the holding table of bank "plant" (100..109)'],
    ]);
  });

  it('a reload that moves a table is a reshape (the bank is built anew)', () => {
    const before = configOf(load('banks:\n  plant: { holding: { start: 100, count: 10 } }\n'));
    const moved = configOf(load('banks:\n  plant: { holding: { start: 200, count: 10 } }\n'));
    const same = configOf(load('banks:\n  plant: { holding: { start: 100, count: 10 } }\n'));
    expect(diffConfig(before, moved).banks.reshaped.map((b: BankConfig) => b.name)).toEqual(['plant']);
    expect(diffConfig(before, same).banks.reshaped).toEqual([]);
  });
});

describe('a poll into a bank whose table starts at 304', () => {
  let gw: RunningGateway | undefined;
  let plc: FakePlc | undefined;
  afterEach(async () => {
    await gw?.stop();
    await plc?.close();
    gw = undefined;
    plc = undefined;
  });

  it('fills the table at absolute addresses and serves them', async () => {
    plc = await startFakePlc(1);
    gw = await startGateway(`
banks:
  plant: { holding: { start: 304, count: 32 } }
devices:
  - { name: plc, type: modbus-tcp, host: 127.0.0.1, port: ${plc.ports[0]!}, timeout: 200ms }
servers:
  - { name: scada, protocol: modbus, listen: "127.0.0.1:0", bank: plant }
polls:
  - { device: plc, every: 50ms, read: { table: holding, address: 10, count: 4 }, into: { bank: plant, address: 320 } }
`);
    const holding = gw.gateway.banks.get('plant')!.holding!;
    await until(() => holding[16] === 10 && holding[19] === 13, 3000, 'bank filled');
    expect([...holding.subarray(15, 21)]).toEqual([0, 10, 11, 12, 13, 0]);
    const conn = await rawConnect(gw.port('scada'));
    try {
      conn.socket.write(Buffer.concat([encodeAdu(1, 1, hex('03 0140 0004')), encodeAdu(2, 1, hex('03 0010 0001'))]));
      const got = await conn.waitFor(17 + 9);
      expect(got.subarray(7, 17).toString('hex')).toBe('0308000a000b000c000d');
      expect(got.subarray(17 + 7, 17 + 9).toString('hex')).toBe('8302');
    } finally {
      conn.socket.destroy();
    }
  });
});
