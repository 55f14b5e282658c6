/**
 * A `modbus-rtu` device with host and port: RTU frames over TCP to a serial device server in TCP
 * server mode. The peer is pymodbus' TCP server with its RTU framer (rtu_tcp_slave.py); SCADA
 * clients fieldgate did not write (mbpoll, pymodbus) read and write through fieldgate's routes.
 * The slave is killed and restarted on the same port: the device reconnects with its backoff.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModbusLink } from '../../src/devices/modbus/modbus-link.js';
import { startGateway, until, type RunningGateway } from '../helpers/gateway.js';
import { PYTHON, startPython, type Proc } from './pty.js';
import { requireTool, run } from './tools.js';

const MBPOLL = '/usr/bin/mbpoll';
const SLAVE = fileURLToPath(new URL('./rtu_tcp_slave.py', import.meta.url));
const PY_READS = fileURLToPath(new URL('./tcp_reads.py', import.meta.url));

let slave: Proc & { lines(): string[] };
let slavePort: number;
let gw: RunningGateway;
let device: ModbusLink;

async function startRtuTcpSlave(port = 0) {
  const p = await startPython(SLAVE, [`--port=${port}`, '1', '2'], 'pymodbus RTU-over-TCP slave');
  // the port's line is whole: "ready" comes after it
  const found = /^port (\d+)$/m.exec(p.lines().join('\n'));
  if (!found) throw new Error(`the slave did not say its port: ${p.lines().join('|')}`);
  return { proc: p, port: Number(found[1]) };
}

beforeAll(async () => {
  requireTool(MBPOLL, 'mbpoll');
  const s = await startRtuTcpSlave();
  slave = s.proc;
  slavePort = s.port;
  gw = await startGateway(`
devices:
  - name: nport
    type: modbus-rtu
    host: 127.0.0.1
    port: ${slavePort}
    timeout: 300ms
    retries: 1
    reconnect: { min: 50ms, max: 200ms }
servers:
  - name: scada
    protocol: modbus
    listen: "127.0.0.1:0"
    units: { 7: { device: nport, unit: 1 }, 2: { device: nport } }
`);
  device = gw.gateway.devices.get('nport') as ModbusLink;
  await until(() => device.status().state === 'up', 5000, 'connected to the device server');
});

afterAll(async () => {
  await gw?.stop();
  await slave?.stop();
});

function mbpoll(unit: number, args: string[], values: string[] = []) {
  const port = String(gw.port('scada'));
  return run(MBPOLL, ['-m', 'tcp', '-p', port, '-a', String(unit), '-1', '-o', '2', ...args, '127.0.0.1', ...values]);
}

const valuesOf = (stdout: string) =>
  Object.fromEntries([...stdout.matchAll(/^\[(\d+)\]:\s+(-?\d+)/gm)].map((m) => [m[1], Number(m[2])]));

describe('a modbus-rtu device behind a serial device server (RTU over TCP, pymodbus peer)', () => {
  it('mbpoll reads and writes through a route; the slave answers in RTU frames', async () => {
    const r = await mbpoll(7, ['-t', '4', '-r', '1', '-c', '3']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(valuesOf(r.stdout)).toEqual({ 1: 1000, 2: 1001, 3: 1002 });
    const w = await mbpoll(2, ['-t', '4', '-r', '11'], ['777', '778']);
    expect(w.code, w.stderr + w.stdout).toBe(0);
    expect(valuesOf((await mbpoll(2, ['-t', '4', '-r', '11', '-c', '2'])).stdout)).toEqual({ 11: 777, 12: 778 });
    const bad = await mbpoll(7, ['-t', '4', '-r', '400', '-c', '2']);
    expect(bad.stdout + bad.stderr).toMatch(/Illegal data address/i);
    expect(device.status().crcErrors).toBe(0);
  });

  it('a pymodbus TCP client reads and writes through the route', async () => {
    const r = await run(PYTHON, [PY_READS, String(gw.port('scada')), '2']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toEqual({
      read: [2000, 2001, 2002, 2003, 2004],
      written: [4321],
      bad_address: 2,
    });
  });

  it('answers 0A while the device server is away, and reconnects when it is back', async () => {
    await slave.stop();
    await until(() => device.status().state !== 'up', 5000, 'device down');
    const down = await mbpoll(7, ['-t', '4', '-r', '1', '-c', '1']);
    expect(down.stdout + down.stderr).toMatch(/Gateway path unavailable|Gateway Path Unavailable/i);
    slave = (await startRtuTcpSlave(slavePort)).proc;
    await until(() => device.status().state === 'up', 5000, 'reconnected');
    const r = await mbpoll(7, ['-t', '4', '-r', '6', '-c', '2']);
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(valuesOf(r.stdout)).toEqual({ 6: 1005, 7: 1006 });
  });
});
