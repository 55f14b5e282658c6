/**
 * RTU replies that come late or twice, from a real slave process over a socat pty pair
 * (rtu_fault_slave.py: byte-paced, half duplex as on RS-485): a reply is never handed to another
 * client's request, which gets its own registers.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { encodeAdu } from '../../src/codec/mbap.js';
import type { ModbusLink } from '../../src/devices/modbus/modbus-link.js';
import { rawConnect } from '../helpers/clients.js';
import { startGateway, until, type RunningGateway } from '../helpers/gateway.js';
import { hex } from '../helpers/hex.js';
import { ptyPaths, startFaultSlave, startSocat, type Proc } from './pty.js';

const running: Proc[] = [];
let gw: RunningGateway | undefined;

afterEach(async () => {
  await gw?.stop();
  gw = undefined;
  for (const p of running.splice(0).reverse()) await p.stop();
});

/** A pty pair, the fault slave (unit 1) on one end, fieldgate's device `bus` on the other. */
async function setup(
  mode: 'late' | 'twice',
  ms: number,
  baud: number,
  device: string,
): Promise<{ slave: Awaited<ReturnType<typeof startFaultSlave>> }> {
  const paths = ptyPaths();
  running.push(await startSocat(paths));
  const slave = await startFaultSlave(paths.b, baud, 1, mode, ms);
  running.push(slave);
  gw = await startGateway(`
devices:
  - { name: bus, type: modbus-rtu, path: ${paths.a}, baudRate: ${baud}, parity: none, ${device} }
servers:
  - { name: scada, protocol: modbus, listen: "127.0.0.1:0", units: { 1: { device: bus, unit: 1 } } }
`);
  const link = gw.gateway.devices.get('bus') as ModbusLink;
  await until(() => link.status().state === 'up', 5000, 'serial port open');
  return { slave };
}

/** One FC3 read through the route on its own connection (its own client); the response PDU. */
async function read(address: number, count: number): Promise<Buffer> {
  const conn = await rawConnect(gw!.port('scada'));
  try {
    conn.socket.write(
      encodeAdu(1, 1, hex(`03 ${address.toString(16).padStart(4, '0')} ${count.toString(16).padStart(4, '0')}`)),
    );
    const got = await conn.waitFor(9, 10_000);
    const len = got.readUInt16BE(4) + 6;
    return (await conn.waitFor(len, 10_000)).subarray(7, len);
  } finally {
    conn.socket.destroy();
  }
}

/** The reply the slave gives for `count` registers at `address` of unit 1 (register a = 1000 + a). */
function registers(address: number, count: number): Buffer {
  const data = Buffer.alloc(2 * count);
  for (let i = 0; i < count; i++) data.writeUInt16BE(1000 + address + i, 2 * i);
  return Buffer.concat([Buffer.from([3, 2 * count]), data]);
}

describe('RTU replies that come late or twice (socat pty + a misbehaving slave)', () => {
  it('a reply after the timeout goes to nobody: A gets 0B, B then gets its own registers (timeout 300 ms, slave at 1 s)', async () => {
    const { slave } = await setup('late', 1000, 115200, 'timeout: 300ms, retries: 1');
    expect(await read(0, 2)).toEqual(hex('83 0b'));
    expect(await read(100, 2)).toEqual(registers(100, 2));
    expect(slave.lines()).toContain('req 100 2');
  });

  it('a reply sent twice goes to its own request only: each client gets its own registers', async () => {
    // 600 baud: the duplicate takes 150 ms on the line, longer than t3.5 (58 ms): the next request
    // must wait for its end (the slave, half duplex, would not hear it)
    const { slave } = await setup('twice', 0, 600, 'timeout: 1s, retries: 0');
    const addresses = [0, 100, 150];
    const replies = await Promise.all(addresses.map((a) => read(a, 2)));
    expect(replies).toEqual(addresses.map((a) => registers(a, 2)));
    expect(slave.lines().filter((l) => l.startsWith('req '))).toHaveLength(addresses.length);
  });

  it('at 115200 baud (both copies at once), many clients: each gets its own registers', async () => {
    await setup('twice', 0, 115200, 'timeout: 300ms, retries: 0');
    const addresses = Array.from({ length: 20 }, (_, i) => (i * 37) % 190);
    const replies = await Promise.all(addresses.map((a) => read(a, 1 + (a % 5))));
    expect(replies).toEqual(addresses.map((a) => registers(a, 1 + (a % 5))));
  });
});
