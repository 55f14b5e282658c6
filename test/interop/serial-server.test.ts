/**
 * A Modbus server with `serial:`: fieldgate as an RTU slave on a serial port (an HMI on RS-485 reads
 * its banks). The cable is a socat pty pair; the masters are mbpoll (`-m rtu`) and pymodbus' serial
 * client, neither written by fieldgate. Broadcast writes are executed on every bank without a reply;
 * a unit the server does not serve gets no reply (the master times out); a bad CRC is dropped and
 * counted; the pty going away and coming back reopens the port.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRtuFrame } from '../../src/codec/rtu/frame.js';
import type { GatewayServer } from '../../src/servers/server.js';
import { openSerialPort, type SerialPortLike } from '../../src/transport/serial-opener.js';
import { startGateway, until, type RunningGateway } from '../helpers/gateway.js';
import { hex } from '../helpers/hex.js';
import { PYTHON, ptyPaths, startSocat, type Proc } from './pty.js';
import { requireTool, run } from './tools.js';

const MBPOLL = '/usr/bin/mbpoll';
const MASTER = fileURLToPath(new URL('./serial_master.py', import.meta.url));

const paths = ptyPaths();
let socat: Proc;
let gw: RunningGateway;
let server: GatewayServer;

beforeAll(async () => {
  requireTool(MBPOLL, 'mbpoll');
  socat = await startSocat(paths);
  gw = await startGateway(`
banks:
  plant:
    holding: 100
    values: { holding: { 0: [11, 12, 13, 14, 15] } }
  line2:
    holding: 100
    values: { holding: { 0: [21, 22] } }
servers:
  - name: hmi
    protocol: modbus
    serial: { path: ${paths.a}, baudRate: 19200, parity: even }
    units: { 1: { bank: plant }, 2: { bank: line2 } }
`);
  server = gw.gateway.findServer('hmi')!;
  await until(() => server.serialLine?.().state === 'up', 5000, 'serial port open');
});

afterAll(async () => {
  await gw?.stop();
  await socat?.stop();
});

function mbpoll(unit: number, args: string[], values: string[] = []) {
  return run(MBPOLL, [
    ...['-m', 'rtu', '-b', '19200', '-P', 'even', '-a', String(unit), '-1', '-o', '0.5'],
    ...args,
    paths.b,
    ...values,
  ]);
}

const valuesOf = (stdout: string) =>
  Object.fromEntries([...stdout.matchAll(/^\[(\d+)\]:\s+(-?\d+)/gm)].map((m) => [m[1], Number(m[2])]));

describe('serial: an RTU slave on a serial port (socat pty pair)', () => {
  it('mbpoll -m rtu reads and writes the banks of units 1 and 2', async () => {
    const r = await mbpoll(1, ['-t', '4', '-r', '1', '-c', '3']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(valuesOf(r.stdout)).toEqual({ 1: 11, 2: 12, 3: 13 });
    const w = await mbpoll(2, ['-t', '4', '-r', '11'], ['777', '778']);
    expect(w.code, w.stderr + w.stdout).toBe(0);
    expect(valuesOf((await mbpoll(2, ['-t', '4', '-r', '11', '-c', '2'])).stdout)).toEqual({ 11: 777, 12: 778 });
    const bad = await mbpoll(1, ['-t', '4', '-r', '400', '-c', '2']);
    expect(bad.stdout + bad.stderr).toMatch(/Illegal data address/i);
  });

  it('a unit the server does not serve gets no reply: mbpoll times out', async () => {
    const before = server.serialLine!().ignored;
    const r = await mbpoll(9, ['-t', '4', '-r', '1', '-c', '1']);
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toMatch(/timed out/i);
    expect(server.serialLine!().ignored).toBeGreaterThan(before);
  });

  it('pymodbus serial client: reads, writes, exception, broadcast executed on both banks, unit 9 silent', async () => {
    const r = await run(PYTHON, [MASTER, paths.b, '19200', 'E']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toEqual({
      read: [11, 12, 13, 14, 15],
      written: [4321],
      bad_address: 2,
      broadcast: [[99], [99]],
      unit9: 'no reply',
    });
    expect(server.serialLine!().broadcasts).toBeGreaterThanOrEqual(1);
  });

  it('a broadcast write is executed without a reply; a bad CRC is dropped and counted', async () => {
    const port = await new Promise<SerialPortLike>((resolve, reject) => {
      const p = openSerialPort({ path: paths.b, baudRate: 19200, parity: 'even', dataBits: 8, stopBits: 1 }, (err) =>
        err ? reject(err) : resolve(p),
      );
    });
    const write = (frame: Buffer) =>
      new Promise<void>((resolve) => port.write(frame, () => port.drain(() => resolve())));
    try {
      const replies: Buffer[] = [];
      port.on('data', (c: Buffer) => replies.push(Buffer.from(c)));
      const crcBefore = server.crcErrors!() ?? 0;
      // broadcast FC6: holding 40 = 0x1234 on every bank; then a read of unit 1 with a bad CRC
      await write(encodeRtuFrame(0, hex('06 0028 1234')));
      await until(() => gw.gateway.banks.get('line2')?.holding?.[40] === 0x1234, 3000, 'broadcast executed');
      expect(gw.gateway.banks.get('plant')?.holding?.[40]).toBe(0x1234);
      const bad = encodeRtuFrame(1, hex('03 0000 0001'));
      bad.writeUInt8(bad.at(-1)! ^ 0x01, bad.length - 1);
      await write(bad);
      await until(() => (server.crcErrors!() ?? 0) === crcBefore + 1, 3000, 'bad CRC counted');
      // a good request afterwards is answered, and it is the only reply that came
      await write(encodeRtuFrame(1, hex('03 0001 0001')));
      await until(() => Buffer.concat(replies).length >= 7, 3000, 'reply');
      expect(Buffer.concat(replies)).toEqual(encodeRtuFrame(1, hex('03 02 000c')));
    } finally {
      await new Promise((resolve) => port.close(resolve));
    }
  });

  it('the pty going away and coming back: the port is reopened', async () => {
    await socat.stop();
    await until(() => server.serialLine!().state !== 'up', 5000, 'port lost');
    socat = await startSocat(paths);
    await until(() => existsSync(paths.a), 5000, 'pty back');
    await until(() => server.serialLine!().state === 'up', 10_000, 'port reopened');
    const r = await mbpoll(1, ['-t', '4', '-r', '1', '-c', '2']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(valuesOf(r.stdout)).toEqual({ 1: 11, 2: 12 });
  });
});
