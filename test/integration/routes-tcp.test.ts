/**
 * Routes to a Modbus TCP device (a fake PLC on loopback): raw PDUs forwarded and answered with the
 * client's transaction id, lanes (one connection per port), a slow device filling the queue (06),
 * a device replying with a wrong transaction id (reset, never misdelivered), 0A / 0B, readOnly.
 */
import { createRequire } from 'node:module';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeAdu } from '../../src/codec/mbap.js';
import { closeClient, modbusClient, rawConnect } from '../helpers/clients.js';
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

function yaml(ports: number[], extra = '', server = '') {
  return `
devices:
  - { name: plc, type: modbus-tcp, host: 127.0.0.1, ports: [${ports.join(', ')}]${extra.includes('timeout') ? '' : ', timeout: 300ms'}${extra} }
servers:
  - name: scada
    protocol: modbus
    listen: 127.0.0.1:0
    units: { 7: { device: plc, unit: 3 }, 8: { device: plc }, 9: { device: down } }${server}
  - name: ro
    protocol: modbus
    listen: 127.0.0.1:0
    readOnly: true
    units: { 7: { device: plc, unit: 3 } }
`;
}

/** A port nothing listens on (free a moment ago): a device that is down. */
async function deadPort(): Promise<number> {
  const p = await startFakePlc(1);
  await p.close();
  return p.ports[0]!;
}

async function withDown(ports: number[], extra = '') {
  const dead = await deadPort();
  return yaml(ports, extra).replace(
    'servers:',
    `  - { name: down, type: modbus-tcp, host: 127.0.0.1, port: ${dead}, timeout: 300ms }\nservers:`,
  );
}

describe('routes to a Modbus TCP device', () => {
  it('forwards reads and writes to the mapped unit and returns the device reply', async () => {
    plc = await startFakePlc(1);
    gw = await startGateway(await withDown(plc.ports));
    const client = await modbusClient(gw.port('scada'), 7);
    try {
      expect((await client.readHoldingRegisters(10, 3)).data).toEqual([10, 11, 12]);
      await client.writeRegisters(20, [111, 222]);
      expect([plc.holding[20], plc.holding[21]]).toEqual([111, 222]);
      expect(plc.requests.every((r) => r.unit === 3)).toBe(true);
      client.setID(8);
      expect((await client.readHoldingRegisters(0, 1)).data).toEqual([0]);
      expect(plc.requests.at(-1)?.unit).toBe(8); // unit defaults to the same id
    } finally {
      await closeClient(client);
    }
  });

  it('passes any function code through, and the device exception back unchanged', async () => {
    plc = await startFakePlc(1);
    gw = await startGateway(await withDown(plc.ports));
    const conn = await rawConnect(gw.port('scada'));
    // FC 0x41 (not a function fieldgate knows) and FC3 outside the device's table
    conn.socket.write(Buffer.concat([encodeAdu(0x1111, 7, hex('41 0102')), encodeAdu(0x2222, 7, hex('03 ffff 0002'))]));
    const got = await conn.waitFor(18);
    expect(got.subarray(0, 9)).toEqual(hex('1111 0000 0003 07 c1 01'));
    expect(got.subarray(9, 18)).toEqual(hex('2222 0000 0003 07 83 02'));
    expect(plc.requests.map((r) => r.pdu.toString('hex'))).toEqual(['410102', '03ffff0002']);
    conn.socket.destroy();
  });

  it('answers 0A for a device that is down, and 01 for a write on a read-only server (the device never sees it)', async () => {
    plc = await startFakePlc(1);
    gw = await startGateway(await withDown(plc.ports));
    const conn = await rawConnect(gw.port('scada'));
    conn.socket.write(encodeAdu(1, 9, hex('03 0000 0001')));
    expect((await conn.waitFor(9)).subarray(7)).toEqual(hex('83 0a'));
    const ro = await rawConnect(gw.port('ro'));
    ro.socket.write(encodeAdu(2, 7, hex('06 0001 0005')));
    expect((await ro.waitFor(9)).subarray(7)).toEqual(hex('86 01'));
    expect(plc.requests).toHaveLength(0);
    conn.socket.destroy();
    ro.socket.destroy();
  });

  it('answers 0B when the device does not answer in time', async () => {
    plc = await startFakePlc(1, { silent: true });
    gw = await startGateway(await withDown(plc.ports));
    const conn = await rawConnect(gw.port('scada'));
    conn.socket.write(encodeAdu(5, 7, hex('03 0000 0001')));
    expect((await conn.waitFor(9, 3000)).subarray(0, 9)).toEqual(hex('0005 0000 0003 07 83 0b'));
    expect(gw.gateway.devices.get('plc')?.status()).toMatchObject({ timeouts: 1 });
    conn.socket.destroy();
  });

  it('spreads requests over two lanes, one connection per port', async () => {
    plc = await startFakePlc(2, { hold: true });
    gw = await startGateway(await withDown(plc.ports));
    const conn = await rawConnect(gw.port('scada'));
    await until(() => plc!.open(plc!.ports[0]!) === 1 && plc!.open(plc!.ports[1]!) === 1, 3000, 'both lanes connected');
    const frames = [0, 1, 2, 3].map((i) => encodeAdu(i, 7, hex(`03 000${i} 0001`)));
    conn.socket.write(Buffer.concat(frames));
    // both lanes busy at once while the device holds its replies
    await until(() => plc!.requests.length === 2, 3000, 'two requests in flight');
    expect(new Set(plc.requests.map((r) => r.port))).toEqual(new Set(plc.ports));
    plc.release();
    const got = await conn.waitFor(4 * 11);
    for (let i = 0; i < 4; i++)
      expect(got.subarray(11 * i, 11 * i + 11)).toEqual(hex(`000${i} 0000 0005 07 03 02 000${i}`));
    expect(plc.connections(plc.ports[0]!)).toBe(1);
    expect(plc.connections(plc.ports[1]!)).toBe(1);
    conn.socket.destroy();
  });

  it('pipelines up to maxInFlight requests on one lane, each reply matched by transaction id', async () => {
    plc = await startFakePlc(1, { hold: true });
    gw = await startGateway(await withDown(plc.ports, ', maxInFlight: 4'));
    const conn = await rawConnect(gw.port('scada'));
    conn.socket.write(Buffer.concat([0, 1, 2, 3, 4, 5].map((i) => encodeAdu(0x100 + i, 7, hex(`03 000${i} 0001`)))));
    await until(() => plc!.requests.length === 4, 3000, 'four requests in flight');
    expect(new Set(plc.requests.map((r) => r.conn)).size).toBe(1);
    plc.release();
    const got = await conn.waitFor(6 * 11);
    for (let i = 0; i < 6; i++)
      expect(got.subarray(11 * i, 11 * i + 11)).toEqual(hex(`010${i} 0000 0005 07 03 02 000${i}`));
    conn.socket.destroy();
  });

  it('drops a late reply to a request that timed out, without resetting the connection', async () => {
    plc = await startFakePlc(1, { hold: true });
    gw = await startGateway(await withDown(plc.ports, ', timeout: 100ms'));
    const conn = await rawConnect(gw.port('scada'));
    conn.socket.write(encodeAdu(1, 7, hex('03 0001 0001')));
    expect((await conn.waitFor(9)).subarray(7, 9)).toEqual(hex('83 0b'));
    plc.release(); // the late reply to tid 1
    conn.socket.write(encodeAdu(2, 7, hex('03 0002 0001')));
    expect((await conn.waitFor(9 + 11)).subarray(9)).toEqual(hex('0002 0000 0005 07 03 02 0002'));
    expect(plc.connections(plc.ports[0]!)).toBe(1);
    expect(gw.captured.events('device connection reset')).toHaveLength(0);
    conn.socket.destroy();
  });

  it('answers 06 when a slow device lets its queue fill up', async () => {
    plc = await startFakePlc(1, { hold: true });
    gw = await startGateway(await withDown(plc.ports, ', queue: 2, timeout: 5s'));
    const conn = await rawConnect(gw.port('scada'));
    // 1 in flight, 2 queued, the 4th and 5th find the queue full (different reads: identical ones share one job)
    conn.socket.write(Buffer.concat([0, 1, 2, 3, 4].map((i) => encodeAdu(i, 7, hex(`03 000${i} 0001`)))));
    await until(
      () => plc!.requests.length === 1 && gw!.gateway.devices.get('plc')!.status().queue === 2,
      3000,
      'queue full',
    );
    plc.release();
    const got = await conn.waitFor(3 * 11 + 2 * 9, 3000);
    const codes = [];
    let o = 0;
    for (let i = 0; i < 5; i++) {
      const len = got.readUInt16BE(o + 4) + 6;
      codes.push(got.subarray(o + 7, o + len).toString('hex'));
      o += len;
    }
    expect(codes).toEqual(['03020000', '03020001', '03020002', '8306', '8306']);
    conn.socket.destroy();
  });

  it('resets a connection whose replies carry the wrong transaction id, and never delivers them', async () => {
    plc = await startFakePlc(1, { wrongTid: 1 });
    gw = await startGateway(await withDown(plc.ports));
    const conn = await rawConnect(gw.port('scada'));
    conn.socket.write(encodeAdu(0x0a0a, 7, hex('03 0005 0001')));
    expect((await conn.waitFor(9)).subarray(0, 9)).toEqual(hex('0a0a 0000 0003 07 83 0b'));
    await until(() => plc!.connections(plc!.ports[0]!) === 2, 3000, 'reconnected');
    conn.socket.write(encodeAdu(0x0b0b, 7, hex('03 0005 0001')));
    expect((await conn.waitFor(9 + 11)).subarray(9)).toEqual(hex('0b0b 0000 0005 07 03 02 0005'));
    expect(gw.captured.events('device connection reset')).toHaveLength(1);
    conn.socket.destroy();
  });

  it('survives a device that answers garbage: the connection is reset and the client gets 0B', async () => {
    let accepted = 0;
    const liar = net.createServer((socket) => {
      accepted++;
      socket.on('error', () => undefined);
      socket.on('data', () => socket.write(hex('0001 0007 ffff 01 03 02 0000 dead beef'))); // protocol id 7, length 65535
    });
    await new Promise<void>((resolve) => liar.listen(0, '127.0.0.1', resolve));
    const port = (liar.address() as net.AddressInfo).port;
    try {
      gw = await startGateway(await withDown([port]));
      const conn = await rawConnect(gw.port('scada'));
      conn.socket.write(encodeAdu(3, 7, hex('03 0000 0001')));
      expect((await conn.waitFor(9)).subarray(0, 9)).toEqual(hex('0003 0000 0003 07 83 0b'));
      await until(() => accepted === 2, 3000, 'reconnected');
      expect(gw.captured.events('device connection reset').length).toBeGreaterThanOrEqual(1);
      conn.socket.destroy();
    } finally {
      await gw?.stop();
      gw = undefined;
      await new Promise((r) => liar.close(r));
    }
  });

  it("routes to modbus-serial's ServerTCP as the PLC (a peer fieldgate did not write)", async () => {
    const { ServerTCP } = createRequire(import.meta.url)('modbus-serial') as typeof import('modbus-serial');
    const holding = Array.from({ length: 100 }, (_, i) => 500 + i);
    const port = await deadPort(); // free a moment ago: ServerTCP takes it
    const server = new ServerTCP(
      {
        getHoldingRegister: (addr: number) => holding[addr] ?? 0,
        setRegister: (addr: number, value: number) => {
          holding[addr] = value;
        },
      },
      { host: '127.0.0.1', port, unitID: 3 },
    );
    server.on('socketError', () => undefined);
    await new Promise<void>((resolve) => server.on('initialized', () => resolve()));
    try {
      gw = await startGateway(await withDown([port]));
      const client = await modbusClient(gw.port('scada'), 7);
      try {
        expect((await client.readHoldingRegisters(4, 3)).data).toEqual([504, 505, 506]);
        await client.writeRegister(9, 4242);
        expect(holding[9]).toBe(4242);
      } finally {
        await closeClient(client);
      }
    } finally {
      await gw?.stop();
      gw = undefined;
      await new Promise((r) => server.close(r));
    }
  });
});
