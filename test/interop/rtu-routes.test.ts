/**
 * The transparent gateway over a real serial line: a socat pty pair as the cable, pymodbus' RTU
 * slave (Debian python3-pymodbus) on the far end, and SCADA clients fieldgate did not write (mbpoll,
 * pymodbus, modbus-serial) on the near end, through fieldgate's routes. The slave is killed mid-run
 * and restarted; the pty disappears and comes back.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeAdu } from '../../src/codec/mbap.js';
import type { ModbusLink } from '../../src/devices/modbus/modbus-link.js';
import { closeClient, modbusClient, rawConnect } from '../helpers/clients.js';
import { startGateway, until, type RunningGateway } from '../helpers/gateway.js';
import { PYTHON, ptyPaths, startSlave, startSocat, type Proc } from './pty.js';
import { requireTool, run } from './tools.js';
import { hex } from '../helpers/hex.js';

const MBPOLL = '/usr/bin/mbpoll';
const PY_READS = fileURLToPath(new URL('./tcp_reads.py', import.meta.url));
const BAUD = 115200;

const paths = ptyPaths();
let socat: Proc;
let slave: Proc;
let gw: RunningGateway;
let device: ModbusLink;

beforeAll(async () => {
  requireTool(MBPOLL, 'mbpoll');
  socat = await startSocat(paths);
  slave = await startSlave(paths.b, BAUD, [1, 2, 3]);
  gw = await startGateway(`
devices:
  - { name: rs485, type: modbus-rtu, path: ${paths.a}, baudRate: ${BAUD}, parity: none, timeout: 300ms, retries: 1 }
servers:
  - name: scada
    protocol: modbus
    listen: "127.0.0.1:0"
    units: { 7: { device: rs485, unit: 1 }, 8: { device: rs485, unit: 2 }, 3: { device: rs485 } }
`);
  device = gw.gateway.devices.get('rs485') as ModbusLink;
  await until(() => device.status().state === 'up', 5000, 'serial port open');
});

afterAll(async () => {
  await gw?.stop();
  await slave?.stop();
  await socat?.stop();
});

function mbpoll(unit: number, args: string[], values: string[] = []) {
  return run(MBPOLL, [
    '-m',
    'tcp',
    '-p',
    String(gw.port('scada')),
    '-a',
    String(unit),
    '-1',
    '-o',
    '2',
    ...args,
    '127.0.0.1',
    ...values,
  ]);
}

const valuesOf = (stdout: string) =>
  Object.fromEntries([...stdout.matchAll(/^\[(\d+)\]:\s+(-?\d+)/gm)].map((m) => [m[1], Number(m[2])]));

/** One FC3 request through the route on a fresh connection; the response PDU. */
async function read(unit: number, address: number, count: number): Promise<Buffer> {
  const conn = await rawConnect(gw.port('scada'));
  try {
    conn.socket.write(
      encodeAdu(1, unit, hex(`03 ${address.toString(16).padStart(4, '0')} ${count.toString(16).padStart(4, '0')}`)),
    );
    const got = await conn.waitFor(9, 5000);
    const len = got.readUInt16BE(4) + 6;
    return (await conn.waitFor(len, 5000)).subarray(7, len);
  } finally {
    conn.socket.destroy();
  }
}

describe('RTU routes (socat pty + pymodbus RTU slave)', () => {
  it('mbpoll reads and writes through the routes', async () => {
    const r = await mbpoll(7, ['-t', '4', '-r', '1', '-c', '3']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(valuesOf(r.stdout)).toEqual({ 1: 1000, 2: 1001, 3: 1002 });
    const w = await mbpoll(8, ['-t', '4', '-r', '11'], ['777', '778']);
    expect(w.code, w.stderr + w.stdout).toBe(0);
    expect(valuesOf((await mbpoll(8, ['-t', '4', '-r', '11', '-c', '2'])).stdout)).toEqual({ 11: 777, 12: 778 });
    // the slave's own exception passes through
    const bad = await mbpoll(7, ['-t', '4', '-r', '400', '-c', '2']);
    expect(bad.stdout + bad.stderr).toMatch(/Illegal data address/i);
  });

  it('a pymodbus TCP client reads and writes through a route', async () => {
    const r = await run(PYTHON, [PY_READS, String(gw.port('scada')), '3']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toEqual({
      read: [3000, 3001, 3002, 3003, 3004],
      written: [4321],
      bad_address: 2,
    });
  });

  it('20 SCADA clients at once each get the right values for their own requests', async () => {
    const units = [7, 8, 3];
    const slaveUnit: Record<number, number> = { 7: 1, 8: 2, 3: 3 };
    const clients = await Promise.all(
      Array.from({ length: 20 }, (_, i) => modbusClient(gw.port('scada'), units[i % 3])),
    );
    try {
      const results = await Promise.all(
        clients.map(async (client, i) => {
          const unit = units[i % 3]!;
          const seen: boolean[] = [];
          for (let k = 0; k < 5; k++) {
            const address = 100 + ((i * 7 + k * 13) % 90);
            const count = 1 + ((i + k) % 5);
            const { data } = await client.readHoldingRegisters(address, count);
            seen.push(data.every((v, j) => v === slaveUnit[unit]! * 1000 + address + j) && data.length === count);
          }
          return seen;
        }),
      );
      expect(results.flat()).toHaveLength(100);
      expect(results.flat().every(Boolean)).toBe(true);
    } finally {
      await Promise.all(clients.map(closeClient));
    }
  });

  it('answers 0B while the slave is gone, and recovers when it is back', async () => {
    await slave.stop();
    expect(await read(7, 0, 1)).toEqual(hex('83 0b'));
    expect(device.status().timeouts).toBeGreaterThanOrEqual(2);
    slave = await startSlave(paths.b, BAUD, [1, 2, 3]);
    // bounded loops: the unit that timed out may stay offline (0B at once) for a few seconds
    let reply = await read(8, 5, 1);
    for (let i = 0; i < 40 && !reply.equals(hex('03 02 07d5')); i++) reply = await read(8, 5, 1);
    expect(reply).toEqual(hex('03 02 07d5')); // 2005
    let unit7 = await read(7, 5, 1);
    const end = Date.now() + 15_000;
    while (!unit7.equals(hex('03 02 03ed')) && Date.now() < end) {
      await until(() => device.status().offlineUnits.length === 0 || Date.now() > end, 16_000, 'offline period over');
      unit7 = await read(7, 5, 1);
    }
    expect(unit7).toEqual(hex('03 02 03ed')); // 1005
  });

  it('answers 0A while the pty is gone, and reopens it when it comes back', async () => {
    await slave.stop();
    await socat.stop();
    await until(() => device.status().state !== 'up', 5000, 'device down');
    expect(await read(7, 0, 1)).toEqual(hex('83 0a'));
    expect(device.status().lastError).toBeTruthy();
    socat = await startSocat(paths);
    slave = await startSlave(paths.b, BAUD, [1, 2, 3]);
    await until(() => device.status().state === 'up', 10_000, 'port reopened');
    let reply = await read(8, 1, 2);
    for (let i = 0; i < 20 && !reply.equals(hex('03 04 07d1 07d2')); i++) reply = await read(8, 1, 2);
    expect(reply).toEqual(hex('03 04 07d1 07d2'));
  });
});
