/**
 * Read coalescing and the route cache over a real serial line: a socat pty pair as the cable, a
 * counting RTU slave (rtu_count_slave.py: one line per request it serves) on the far end, SCADA
 * clients (modbus-serial) on the near end through fieldgate's routes. What reached the bus is what
 * the slave printed.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModbusLink } from '../../src/devices/modbus/modbus-link.js';
import { closeClient, modbusClient } from '../helpers/clients.js';
import { startGateway, until, type RunningGateway } from '../helpers/gateway.js';
import { PYTHON, ptyPaths, startSocat, type Proc } from './pty.js';
import { requireTool } from './tools.js';

const SLAVE = fileURLToPath(new URL('./rtu_count_slave.py', import.meta.url));
/** The slow bus: a 10-register reply is 13 ms on the wire (the slave takes that long). */
const BAUD = 19200;
/** The slave answers writes at address 100 and above this late: past fieldgate's 300 ms timeout. */
const SLOW_WRITE_MS = 600;

const paths = ptyPaths();
let socat: Proc;
let slave: Proc & { lines(): string[] };
let gw: RunningGateway;
let device: ModbusLink;

async function startCountSlave(path: string, units: number[]): Promise<Proc & { lines(): string[] }> {
  requireTool(PYTHON, 'python3');
  const child = spawn(PYTHON, [SLAVE, path, String(BAUD), String(SLOW_WRITE_MS), ...units.map(String)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  await until(() => out.includes('ready') || child.exitCode !== null, 10_000, 'count slave ready');
  if (!out.includes('ready')) throw new Error(`count slave exited: ${err}`);
  return {
    child,
    lines: () => out.split('\n').filter((l) => l.startsWith('req ')),
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** Requests the slave served for `unit` with function `fc`. */
const served = (unit: number, fc: number) => slave.lines().filter((l) => l.startsWith(`req ${unit} ${fc} `)).length;

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

beforeAll(async () => {
  socat = await startSocat(paths);
  slave = await startCountSlave(paths.b, [1, 2, 3]);
  gw = await startGateway(`
devices:
  - { name: rs485, type: modbus-rtu, path: ${paths.a}, baudRate: ${BAUD}, parity: none, timeout: 300ms, retries: 2 }
servers:
  - name: scada
    protocol: modbus
    listen: "127.0.0.1:0"
    units:
      1: { device: rs485 }
      2: { device: rs485, cache: 10s }
      3: { device: rs485, cache: 150ms }
`);
  device = gw.gateway.devices.get('rs485') as ModbusLink;
  await until(() => device.status().state === 'up', 5000, 'serial port open');
});

afterAll(async () => {
  await gw?.stop();
  await slave?.stop();
  await socat?.stop();
});

describe('read coalescing and the route cache on an RTU bus', () => {
  it('10 clients in lock-step reading the same block: one read per round on the bus, every reply right', async () => {
    const clients = await Promise.all(range(0, 10).map(() => modbusClient(gw.port('scada'), 1)));
    try {
      // every session open and served once first (a connection the gateway has not accepted yet
      // would make its first request a straggler)
      for (const c of clients) await c.readHoldingRegisters(0, 1);
      const rounds = 5;
      const reads = served(1, 3);
      const before = device.status();
      for (let round = 0; round < rounds; round++) {
        const replies = await Promise.all(clients.map((c) => c.readHoldingRegisters(10, 10)));
        for (const r of replies) expect(r.data).toEqual(range(1010, 10));
      }
      expect(served(1, 3) - reads).toBe(rounds);
      const after = device.status();
      expect(after.coalesced - before.coalesced).toBe(9 * rounds);
      expect(after.requests - before.requests).toBe(rounds);
    } finally {
      await Promise.all(clients.map(closeClient));
    }
  });

  it('clients reading different blocks are not coalesced: each read goes on the bus', async () => {
    const clients = await Promise.all(range(0, 4).map(() => modbusClient(gw.port('scada'), 1)));
    try {
      const before = served(1, 3);
      const replies = await Promise.all(clients.map((c, i) => c.readHoldingRegisters(20 + 10 * i, 10)));
      replies.forEach((r, i) => expect(r.data).toEqual(range(1020 + 10 * i, 10)));
      expect(served(1, 3) - before).toBe(4);
    } finally {
      await Promise.all(clients.map(closeClient));
    }
  });

  it('cache: a repeated read is answered from the cache until a write through the gateway drops it', async () => {
    const client = await modbusClient(gw.port('scada'), 2);
    try {
      expect((await client.readHoldingRegisters(10, 4)).data).toEqual(range(2010, 4));
      for (let i = 0; i < 5; i++) expect((await client.readHoldingRegisters(10, 4)).data).toEqual(range(2010, 4));
      expect(served(2, 3)).toBe(1);
      expect(device.status().cacheHits).toBe(5);
      await client.writeRegister(11, 7);
      expect(served(2, 6)).toBe(1);
      expect((await client.readHoldingRegisters(10, 4)).data).toEqual([2010, 7, 2012, 2013]);
      expect(served(2, 3)).toBe(2);
      expect((await client.readHoldingRegisters(10, 4)).data).toEqual([2010, 7, 2012, 2013]);
      expect(served(2, 3)).toBe(2);
    } finally {
      await closeClient(client);
    }
  });

  it('cache: an entry older than the cache age is read again from the device', async () => {
    const client = await modbusClient(gw.port('scada'), 3);
    try {
      const first = served(3, 3);
      let answers = 0;
      while (served(3, 3) < first + 3) {
        expect((await client.readHoldingRegisters(0, 2)).data).toEqual([3000, 3001]);
        answers++;
        if (answers > 20_000) throw new Error('the cache never expired');
      }
      // when the slave read each request (its clock): a read went to the bus only once the previous
      // one was 150 ms old (the cache age counts from when a read was sent); the rest came from the
      // cache. The slave's clock reading lags the send by its scheduling (ms on a loaded machine): the
      // exact age is held in test/devices/read-sharing.test.ts on a fake clock
      const seen = slave
        .lines()
        .filter((l) => l.startsWith('req 3 3 '))
        .map((l) => Number(l.split(' ')[5]));
      expect(seen).toHaveLength(first + 3);
      expect(answers).toBeGreaterThan(10);
      for (let i = 1; i < seen.length; i++) expect((seen[i] ?? 0) - (seen[i - 1] ?? 0)).toBeGreaterThanOrEqual(120);
      expect(answers).toBeGreaterThan(3 * seen.length);
    } finally {
      await closeClient(client);
    }
  });

  it('a slow write (no reply within the timeout) answers 0B and reaches the slave exactly once, retries or not', async () => {
    const client = await modbusClient(gw.port('scada'), 1);
    try {
      const writes = served(1, 6);
      const failed = await client.writeRegister(150, 42).then(
        () => 'answered',
        (e: { modbusCode?: number }) => e.modbusCode,
      );
      expect(failed).toBe(0x0b);
      // a retry would go out before this read (it waits for the late-reply guard, then goes)
      expect((await client.readHoldingRegisters(150, 1)).data).toEqual([42]);
      expect(served(1, 6) - writes).toBe(1);
    } finally {
      await closeClient(client);
    }
  });
});
