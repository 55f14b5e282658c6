/**
 * `fieldgate simulate PROFILE --serial PATH` as a Modbus RTU slave at the far end of a socat pty
 * pair, read by fieldgate's own modbus-rtu device (a poll into a bank, and a route that SCADA reads
 * through with modbus-serial). The simulator plays unit 3 with its layout at register 100
 * (`--unit`, `--address`) and answers that unit only; another unit times out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModbusLink } from '../../src/devices/modbus/modbus-link.js';
import { closeClient, modbusClient } from '../helpers/clients.js';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { startGateway, until, type RunningGateway } from '../helpers/gateway.js';
import { float32, readUntil } from '../simulate/read-until.js';
import { ptyPaths, startSocat, type Proc } from './pty.js';

const BAUD = 115200;
const paths = ptyPaths();
let socat: Proc;
let slave: Daemon;
let gw: RunningGateway;

beforeAll(async () => {
  socat = await startSocat(paths);
  // unit 3, its register layout moved to start at 100 (the profile's own: unit 1, register 0)
  slave = startDaemon([
    'simulate',
    'omron-nj-press',
    '--serial',
    paths.b,
    '--baud',
    String(BAUD),
    '--parity',
    'none',
    '--every',
    '50ms',
    '--unit',
    '3',
    '--address',
    '100',
  ]);
  await until(() => slave.stderr().includes('serial port open'), 5000, 'the simulated slave');
  gw = await startGateway(`
banks:
  press:
    holding: 16
    points:
      - { name: count, table: holding, address: 0, type: uint32, order: CDAB }
      - { name: recipe, table: holding, address: 5, type: string, length: 8 }
devices:
  - { name: rs485, type: modbus-rtu, path: ${paths.a}, baudRate: ${BAUD}, parity: none, timeout: 200ms, retries: 0 }
polls:
  - { device: rs485, unit: 3, every: 100ms, read: { table: holding, address: 100, count: 13 }, into: { bank: press, address: 0 } }
servers:
  - name: scada
    protocol: modbus
    listen: "127.0.0.1:0"
    units: { 1: { bank: press }, 10: { device: rs485, unit: 3 }, 11: { device: rs485, unit: 2 } }
`);
  await until(() => (gw.gateway.devices.get('rs485') as ModbusLink).status().state === 'up', 5000, 'serial port open');
});

afterAll(async () => {
  await gw?.stop();
  slave?.child.kill('SIGTERM');
  if (slave) expect(await slave.exited).toBe(0);
  await socat?.stop();
});

describe('fieldgate simulate --serial (Modbus RTU slave)', () => {
  it('a poll fills the bank with the simulated press: recipe, and a counter that counts', async () => {
    const bank = gw.gateway.banks.get('press')!;
    await until(() => bank.point('recipe')?.get() === 'PART-A', 5000, 'the recipe polled');
    const first = bank.point('count')?.get() as number;
    await until(() => (bank.point('count')?.get() as number) > first, 5000, 'the counter to count');
  });

  it('SCADA reads the slave through a route; another unit on the bus does not answer (exception 0B)', async () => {
    const client = await modbusClient(gw.port('scada'), 10);
    try {
      const regs = await readUntil(
        async () => (await client.readHoldingRegisters(100, 13)).data,
        (r) => r[4] === 1 || r[4] === 2,
        3000,
        'the press state',
      );
      expect(float32(regs[3], regs[2])).toBeGreaterThanOrEqual(0); // speed, CDAB
      expect(Buffer.from(regs.slice(5, 8).flatMap((w) => [w >> 8, w & 0xff])).toString('latin1')).toBe('PART-A');
      client.setID(11);
      await expect(client.readHoldingRegisters(0, 1)).rejects.toMatchObject({ modbusCode: 0x0b });
      client.setID(10);
      await expect(client.readHoldingRegisters(113, 1)).rejects.toMatchObject({ modbusCode: 0x02 }); // past the layout
    } finally {
      await closeClient(client);
    }
  });
});
