/**
 * The simulator device over loopback: each signal kind lands in its typed point, read back by
 * modbus-serial (an independent client) through a Modbus server serving the bank; a value its
 * point cannot hold shows as the device's lastError; a bank rebuilt by a reload is followed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeClient, modbusClient } from '../helpers/clients.js';
import { startGateway, until, type RunningGateway } from '../helpers/gateway.js';
import { loadConfigText } from '../../src/config/load.js';

let gw: RunningGateway | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

function yaml(holding: number): string {
  return `
banks:
  line:
    holding: ${holding}
    coils: 8
    points:
      - { name: temperature, table: holding, address: 0, type: float32 }
      - { name: level, table: holding, address: 2, type: uint16 }
      - { name: pressure, table: holding, address: 3, type: float32, order: CDAB }
      - { name: cycles, table: holding, address: 5, type: uint32 }
      - { name: label, table: holding, address: 7, type: string, length: 3 }
      - { name: setpoint, table: holding, address: 10, type: int16, scale: 0.1 }
      - { name: pump, table: coils, address: 0, type: bool }
servers:
  - name: scada
    protocol: modbus
    listen: 127.0.0.1:0
    bank: line
devices:
  - name: line-sim
    type: simulator
    bank: line
    every: 20ms
    signals:
      temperature: { signal: sine, min: 18, max: 24, period: 2s }
      level: { signal: ramp, min: 0, max: 100, period: 1s }
      pressure: { signal: random-walk, min: 1, max: 6, step: 0.2 }
      cycles: { signal: counter, min: 70000, max: 80000 }
      label: "L3"
      setpoint: 21.5
      pump: { signal: square, period: 100ms }
`;
}

const f32 = (hi: number, lo: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt16BE(hi, 0);
  b.writeUInt16BE(lo, 2);
  return b.readFloatBE(0);
};

function decode(regs: number[]) {
  const r = (i: number) => regs[i] ?? NaN;
  return {
    temperature: f32(r(0), r(1)),
    level: r(2),
    pressure: f32(r(4), r(3)),
    cycles: r(5) * 65536 + r(6),
    label: Buffer.from(regs.slice(7, 9).flatMap((w) => [w >> 8, w & 0xff]))
      .toString('latin1')
      .replace(/\0+$/, ''),
    setpoint: r(10) * 0.1,
  };
}

describe('simulator device', () => {
  it('writes sine, ramp, random walk, counter, constants and a square into typed points', async () => {
    gw = await startGateway(yaml(20));
    const client = await modbusClient(gw.port('scada'));
    try {
      const first = decode((await client.readHoldingRegisters(0, 11)).data);
      expect(first.temperature).toBeGreaterThanOrEqual(18);
      expect(first.temperature).toBeLessThanOrEqual(24);
      expect(first.level).toBeGreaterThanOrEqual(0);
      expect(first.level).toBeLessThanOrEqual(100);
      expect(first.pressure).toBeGreaterThanOrEqual(1);
      expect(first.pressure).toBeLessThanOrEqual(6);
      expect(first.cycles).toBeGreaterThanOrEqual(70000);
      expect(first.label).toBe('L3');
      expect(first.setpoint).toBeCloseTo(21.5, 5);
      const seen = new Set<boolean>();
      let later = first;
      await until(
        () => {
          void client.readCoils(0, 1).then(
            (r) => seen.add(Boolean(r.data[0])),
            () => undefined,
          );
          void client.readHoldingRegisters(0, 11).then(
            (r) => (later = decode(r.data)),
            () => undefined,
          );
          return (
            seen.size === 2 &&
            later.cycles >= first.cycles + 3 &&
            later.temperature !== first.temperature &&
            later.level !== first.level
          );
        },
        3000,
        'the signals to move',
      );
      expect(later.cycles).toBeLessThanOrEqual(80000);
      expect(gw.gateway.devices.get('line-sim')?.status()).toMatchObject({
        type: 'simulator',
        state: 'up',
        lastError: null,
      });
    } finally {
      await closeClient(client);
    }
  });

  it('reports a value its point cannot hold as lastError, and keeps writing the others', async () => {
    gw = await startGateway(yaml(20).replace('setpoint: 21.5', 'setpoint: 4000'));
    const sim = gw.gateway.devices.get('line-sim');
    expect(sim?.status()).toMatchObject({
      state: 'up',
      lastError: expect.stringMatching(/^setpoint: 40000 is outside int16/),
    });
    expect(gw.captured.events('simulator could not write a value')).toHaveLength(1);
    const ticks = sim?.status().requests ?? 0;
    await until(() => (sim?.status().requests ?? 0) >= ticks + 3);
    expect(gw.captured.events('simulator could not write a value')).toHaveLength(1); // once per change, not per tick
    expect(gw.gateway.banks.get('line')?.point('level')?.updatedAt).toBeGreaterThan(0);
  });

  it('follows a bank rebuilt by a reload, and stops with the gateway', async () => {
    gw = await startGateway(yaml(20));
    const old = gw.gateway.banks.get('line');
    const outcome = await gw.gateway.reload(loadConfigText(yaml(30), 'test.yaml'));
    expect(outcome.result).not.toBe('refused');
    const rebuilt = gw.gateway.banks.get('line');
    expect(rebuilt).not.toBe(old);
    await until(() => (rebuilt?.point('cycles')?.updatedAt ?? 0) > 0, 2000, 'the rebuilt bank to be written');
    const sim = gw.gateway.devices.get('line-sim');
    await gw.stop();
    expect(sim?.status().state).toBe('down');
    gw = undefined;
  });
});
