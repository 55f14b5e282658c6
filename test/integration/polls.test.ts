/**
 * Polls against a fake PLC on loopback: merged reads (counted at the PLC), stale ranges and
 * `onStale: exception`, write-through (success and the device's refusal), per-poll status.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { encodeAdu } from '../../src/codec/mbap.js';
import type { ModbusDeviceStatus } from '../../src/devices/modbus/modbus-status.js';
import { rawConnect } from '../helpers/clients.js';
import { startFakePlc, type FakePlc } from '../helpers/fake-plc.js';
import { startGateway, until, type RunningGateway } from '../helpers/gateway.js';
import { hex } from '../helpers/hex.js';

let gw: RunningGateway | undefined;
let plc: FakePlc | undefined;
afterEach(async () => {
  await gw?.stop();
  await plc?.close();
  gw = undefined;
  plc = undefined;
});

function config(port: number, polls: string): string {
  return `
banks:
  plant: { holding: 400 }
devices:
  - { name: plc, type: modbus-tcp, host: 127.0.0.1, port: ${port}, timeout: 200ms }
servers:
  - { name: scada, protocol: modbus, listen: "127.0.0.1:0", bank: plant }
polls:
${polls}`;
}

const status = () => gw!.gateway.devices.get('plc')!.status() as ModbusDeviceStatus;

async function ask(frame: Buffer, bytes: number): Promise<Buffer> {
  const conn = await rawConnect(gw!.port('scada'));
  try {
    conn.socket.write(frame);
    return await conn.waitFor(bytes);
  } finally {
    conn.socket.destroy();
  }
}

describe('polls', () => {
  it('merges neighbouring polls into one read and fills the bank', async () => {
    plc = await startFakePlc(1);
    gw = await startGateway(
      config(
        plc.ports[0]!,
        `
  - { device: plc, every: 50ms, read: { table: holding, address: 0, count: 10 }, into: { bank: plant, address: 100 } }
  - { device: plc, every: 50ms, read: { table: holding, address: 12, count: 8 }, into: { bank: plant, address: 112 } }
  - { device: plc, every: 50ms, read: { table: holding, address: 300, count: 5 }, into: { bank: plant, address: 300 } }
`,
      ),
    );
    const bank = gw.gateway.banks.get('plant')!.holding!;
    await until(() => bank[119] === 19 && bank[304] === 304, 3000, 'bank filled');
    expect([...bank.subarray(100, 110)]).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(bank[110]).toBe(0); // the gap is read but not written
    expect(bank[111]).toBe(0);
    const reads = new Set(plc.requests.map((r) => r.pdu.toString('hex')));
    expect(reads).toEqual(new Set(['030000' + '0014', '03012c0005'])); // 0..19 merged, 300..304
    expect(status().polls).toHaveLength(3);
    expect(status().polls?.every((p) => !p.stale && p.lastSuccess !== null && p.lastError === null)).toBe(true);
  });

  it('marks a failed poll stale, keeps the values, and answers 0B for its range with onStale: exception', async () => {
    plc = await startFakePlc(1);
    gw = await startGateway(
      config(
        plc.ports[0]!,
        `
  - { device: plc, every: 30ms, read: { table: holding, address: 0, count: 4 }, into: { bank: plant, address: 0 }, onStale: exception }
  - { device: plc, every: 30ms, read: { table: holding, address: 10, count: 4 }, into: { bank: plant, address: 200 } }
`,
      ),
    );
    const bank = gw.gateway.banks.get('plant')!.holding!;
    await until(() => bank[203] === 13 && status().polls?.every((p) => !p.stale) === true, 3000, 'first polls');
    expect((await ask(encodeAdu(1, 1, hex('03 0000 0002')), 13)).subarray(7)).toEqual(hex('03 04 0000 0001'));
    plc.options.silent = true;
    await until(() => status().polls?.every((p) => p.stale) === true, 3000, 'polls stale');
    expect(status().polls?.[0]?.lastError).toMatch(/exception 0b/);
    expect((await ask(encodeAdu(2, 1, hex('03 0001 0001')), 9)).subarray(7)).toEqual(hex('83 0b'));
    // the other poll serves its stale values as they were
    expect((await ask(encodeAdu(3, 1, hex('03 00ca 0002')), 13)).subarray(7)).toEqual(hex('03 04 000c 000d'));
    plc.options.silent = false;
    await until(() => status().polls?.[0]?.stale === false, 3000, 'poll fresh again');
    expect((await ask(encodeAdu(4, 1, hex('03 0001 0001')), 11)).subarray(7)).toEqual(hex('03 02 0001'));
  });

  it("writes through to the device, and answers with the device's exception when it refuses", async () => {
    plc = await startFakePlc(1);
    gw = await startGateway(
      config(
        plc.ports[0]!,
        `
  - { device: plc, every: 1s, read: { table: holding, address: 50, count: 10 }, into: { bank: plant, address: 0 }, writeThrough: true }
`,
      ),
    );
    const bank = gw.gateway.banks.get('plant')!.holding!;
    await until(() => bank[9] === 59, 3000, 'first poll');
    // FC16 at bank 2..3 -> device 52..53
    const ok = await ask(encodeAdu(7, 1, hex('10 0002 0002 04 1111 2222')), 12);
    expect(ok).toEqual(hex('0007 0000 0006 01 10 0002 0002'));
    expect([plc.holding[52], plc.holding[53]]).toEqual([0x1111, 0x2222]);
    expect([bank[2], bank[3]]).toEqual([0x1111, 0x2222]);
    plc.options.writeException = 4;
    const refused = await ask(encodeAdu(8, 1, hex('06 0005 0099')), 9);
    expect(refused).toEqual(hex('0008 0000 0003 01 86 04'));
    expect(bank[5]).toBe(55); // unchanged
    // partly inside the write-through range: refused, nothing sent
    const before = plc.requests.length;
    expect((await ask(encodeAdu(9, 1, hex('10 0009 0002 04 0001 0002')), 9)).subarray(7)).toEqual(hex('90 02'));
    expect(plc.requests.filter((r) => r.pdu[0] === 16).length).toBe(1);
    expect(plc.requests.length - before).toBeLessThanOrEqual(1); // at most a poll read meanwhile
    // outside any polled range: the bank as usual
    expect((await ask(encodeAdu(10, 1, hex('06 0064 0007')), 12)).subarray(7)).toEqual(hex('06 0064 0007'));
    expect(bank[100]).toBe(7);
  });
});
