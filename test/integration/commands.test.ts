/**
 * Commands end to end on loopback: a Modbus client (modbus-serial) writes into a bank point, the
 * gateway sends a frame to a camera (a TCP server the test runs), and the coil is set back to 0.
 * Timeouts, a device that is down, `on: change` on a register and a binary frame, byte for byte.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isRawLink } from '../../src/devices/raw-link.js';
import { closeClient, modbusClient } from '../helpers/clients.js';
import { startGateway, until, type RunningGateway } from '../helpers/gateway.js';
import { fakeDevice, type FakeDevice, type Peer } from '../helpers/raw-peers.js';
import { buildDocument } from '../../src/status/document.js';
import { VISION_POINTS } from '../helpers/vision.js';

let gw: RunningGateway | undefined;
let devices: FakeDevice[] = [];
const clients: Awaited<ReturnType<typeof modbusClient>>[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map(closeClient));
  await gw?.stop();
  gw = undefined;
  await Promise.all(devices.map((d) => d.stop()));
  devices = [];
});

/** A camera that answers `T<n>\r\n` with `OK,<n * 1.5>,A1\r\n`, or says nothing when `silent`. */
async function camera(silent = false): Promise<FakeDevice> {
  const device = await fakeDevice((peer: Peer) => {
    let text = '';
    peer.socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('latin1');
      let end: number;
      while ((end = text.indexOf('\r\n')) >= 0) {
        const line = text.slice(0, end);
        text = text.slice(end + 2);
        const m = /^T(\d+)$/.exec(line);
        if (m && !silent) peer.socket.write(`OK,${Number(m[1]) * 1.5},A1\r\n`);
      }
    });
  });
  devices.push(device);
  return device;
}

function yaml(port: number, commands: string, framing = '{ type: line, delimiter: "\\r\\n" }'): string {
  return `
banks:
  vision:
    coils: 8
    holding: 20
    points:
${VISION_POINTS}      - { name: recipe, table: holding, address: 10, type: uint16 }
devices:
  - { name: camera, type: tcp, host: 127.0.0.1, port: ${port}, framing: ${framing}, reconnect: { min: 20ms, max: 100ms } }
servers:
  - { name: scada, protocol: modbus, listen: 127.0.0.1:0, bank: vision }
commands:
${commands}`;
}

async function start(text: string): Promise<RunningGateway> {
  gw = await startGateway(text);
  const link = gw.gateway.devices.get('camera');
  if (isRawLink(link)) await until(() => link.state === 'up', 3000, 'camera link up');
  return gw;
}

async function client(g: RunningGateway) {
  const c = await modbusClient(g.port('scada'));
  clients.push(c);
  return c;
}

const status = (g: RunningGateway, name: string) => g.gateway.commandStatus().find((s) => s.name === name);

describe('commands', () => {
  it("a coil set to 1 sends the trigger with another point's value, then the coil is back to 0", async () => {
    const cam = await camera();
    const g = await start(
      yaml(
        cam.port,
        '  - { name: capture, bank: vision, point: trigger, device: camera, frame: "T{program}\\r\\n", reset: true }',
      ),
    );
    const peer = await cam.connection(1);
    const c = await client(g);
    await c.writeRegister(0, 7);
    await c.writeCoil(0, true);
    await peer.until((t) => t === 'T7\r\n');
    await until(() => status(g, 'capture')?.sent === 1);
    expect((await c.readCoils(0, 1)).data[0]).toBe(false);
    expect(status(g, 'capture')).toMatchObject({ triggers: 1, sent: 1, dropped: 0, pending: false });
  });

  it("the camera's reply lands in status, result and code (read back with modbus-serial), then the coil is back to 0", async () => {
    const cam = await camera();
    const g = await start(
      yaml(
        cam.port,
        '  - { name: capture, bank: vision, point: trigger, device: camera, frame: "T{program}\\r\\n", reply: { profile: camera-trigger, timeout: 2s }, reset: true }',
      ),
    );
    const peer = await cam.connection(1);
    const c = await client(g);
    await c.writeRegister(0, 5);
    await c.writeCoil(0, true);
    await peer.until((t) => t === 'T5\r\n');
    await until(() => status(g, 'capture')?.replies === 1, 3000, 'the reply stored');
    expect((await c.readCoils(0, 1)).data[0]).toBe(false);
    const regs = await c.readHoldingRegisters(1, 7);
    expect(regs.data[0]).toBe(1);
    expect(regs.buffer.readFloatBE(2)).toBe(7.5);
    expect(regs.buffer.subarray(6, 14).toString('latin1').replace(/\0+$/, '')).toBe('A1');
    expect(status(g, 'capture')).toMatchObject({ triggers: 1, sent: 1, replies: 1, refused: 0, timeouts: 0 });
    expect(buildDocument(g.gateway, 'test', undefined).commands).toEqual([
      {
        name: 'capture',
        device: 'camera',
        pending: false,
        triggers: 1,
        sent: 1,
        replies: 1,
        refused: 0,
        timeouts: 0,
        dropped: 0,
        failed: 0,
        queued: 0,
      },
    ]);

    const link = g.gateway.devices.get('camera');
    if (!isRawLink(link)) throw new Error('camera is not a raw link');
    const framesIn = link.counters.framesIn;
    peer.send('garbage\r\n'); // unsolicited, while no reply is awaited: ignored, nothing stored
    await until(() => link.counters.framesIn === framesIn + 1, 3000, 'the unsolicited line received');
    await c.writeRegister(0, 8);
    await c.writeCoil(0, true);
    await until(() => status(g, 'capture')?.replies === 2, 3000, 'the second reply stored');
    expect((await c.readHoldingRegisters(2, 2)).buffer.readFloatBE(0)).toBe(12);
    expect(status(g, 'capture')?.refused).toBe(0);
  });

  it('a reply the profile refuses stores nothing, is counted and logged, and the coil is reset', async () => {
    const cam = await fakeDevice((peer) => peer.socket.on('data', () => peer.socket.write('XX,abc\r\n')));
    devices.push(cam);
    const g = await start(
      yaml(
        cam.port,
        '  - { name: capture, bank: vision, point: trigger, device: camera, frame: "T1\\r\\n", reply: { profile: camera-trigger, timeout: 2s }, reset: true }',
      ),
    );
    await cam.connection(1);
    const c = await client(g);
    await c.writeCoil(0, true);
    await until(() => status(g, 'capture')?.refused === 1, 3000, 'the reply refused');
    expect((await c.readCoils(0, 1)).data[0]).toBe(false);
    expect((await c.readHoldingRegisters(1, 7)).data).toEqual([0, 0, 0, 0, 0, 0, 0]);
    expect(g.captured.events('command reply refused: nothing stored')[0]).toMatchObject({ command: 'capture' });
  });

  it('rising: writing 1 to a coil that is already 1 sends nothing; 0 then 1 sends again', async () => {
    const cam = await camera();
    const g = await start(
      yaml(cam.port, '  - { name: capture, bank: vision, point: trigger, device: camera, frame: "T{value}\\r\\n" }'),
    );
    const peer = await cam.connection(1);
    const c = await client(g);
    await c.writeCoil(0, true);
    await c.writeCoil(0, true);
    await c.writeCoil(0, false);
    await c.writeCoil(0, true);
    await peer.until((t) => t === 'T1\r\nT1\r\n');
    expect(status(g, 'capture')?.triggers).toBe(2);
    expect((await c.readCoils(0, 1)).data[0]).toBe(true);
  });

  it('a silent camera: the reply times out, is counted, and the coil is reset', async () => {
    const cam = await camera(true);
    const g = await start(
      yaml(
        cam.port,
        '  - { name: capture, bank: vision, point: trigger, device: camera, frame: "T{program}\\r\\n", reply: { profile: camera-trigger, timeout: 1s }, reset: true }',
      ),
    );
    const peer = await cam.connection(1);
    const c = await client(g);
    await c.writeCoil(0, true);
    await peer.until((t) => t === 'T0\r\n');
    expect(status(g, 'capture')?.pending).toBe(true);
    expect((await c.readCoils(0, 1)).data[0]).toBe(true);
    await until(() => status(g, 'capture')?.timeouts === 1, 3000, 'a timeout');
    expect((await c.readCoils(0, 1)).data[0]).toBe(false);
    expect(status(g, 'capture')).toMatchObject({ sent: 1, replies: 0, timeouts: 1, pending: false });
    expect(g.captured.events('command reply timed out')[0]).toMatchObject({ command: 'capture', device: 'camera' });
  });

  it('the camera is down: the frame is dropped and counted, the coil reset, the gateway keeps serving', async () => {
    const cam = await camera();
    const g = await start(
      yaml(
        cam.port,
        '  - { name: capture, bank: vision, point: trigger, device: camera, frame: "T1\\r\\n", reply: { profile: camera-trigger, timeout: 2s }, reset: true }',
      ),
    );
    await cam.connection(1);
    await cam.stop();
    const link = g.gateway.devices.get('camera');
    if (!isRawLink(link)) throw new Error('camera is not a raw link');
    await until(() => link.state !== 'up', 3000, 'camera link down');
    const c = await client(g);
    for (let i = 0; i < 20; i++) {
      await c.writeCoil(0, true);
      expect((await c.readCoils(0, 1)).data[0]).toBe(false);
    }
    expect(status(g, 'capture')).toMatchObject({ triggers: 20, sent: 0, dropped: 20, pending: false });
    expect(g.captured.events('command frame dropped: the device is not up')).toHaveLength(1);
    expect((await c.readHoldingRegisters(0, 1)).data).toEqual([0]);
  });

  it('on: change with a holding register: the same value again sends nothing', async () => {
    const cam = await camera();
    const g = await start(
      yaml(
        cam.port,
        '  - { name: recipe, bank: vision, point: recipe, on: change, device: camera, frame: "R{value}\\r\\n" }',
      ),
    );
    const peer = await cam.connection(1);
    const c = await client(g);
    await c.writeRegister(10, 5);
    await c.writeRegister(10, 5);
    await c.writeRegisters(9, [0, 6]);
    await c.writeRegister(9, 1);
    await peer.until((t) => t === 'R5\r\nR6\r\n');
    expect(status(g, 'recipe')).toMatchObject({ triggers: 2, sent: 2 });
    expect((await c.readHoldingRegisters(10, 1)).data).toEqual([6]);
  });

  it('a binary frame is sent byte for byte', async () => {
    const cam = await camera();
    const frame =
      '[ { type: uint8, value: 0x02 }, { type: uint16, value: "{value}" }, { type: uint16, value: "{value}", endian: little }, { type: float32, value: "{result}" }, { type: int8, value: -2 }, { type: uint8, value: 0x03 } ]';
    const g = await start(
      yaml(
        cam.port,
        `  - { name: bin, bank: vision, point: program, on: write, device: camera, frame: ${frame} }`,
        'none',
      ),
    );
    const peer = await cam.connection(1);
    const c = await client(g);
    await c.writeRegisters(2, [0x42f6, 0xe979]); // result = 123.456 (float32, ABCD)
    await c.writeRegister(0, 0x1234);
    await peer.untilBytes(11);
    expect(peer.bytes().toString('hex')).toBe('02' + '1234' + '3412' + '42f6e979' + 'fe' + '03');
  });

  it('a binary frame with constant bytes and a CRC-16/MODBUS: an RTU request built from a written value', async () => {
    const cam = await camera();
    const frame = '[ { hex: "01 03 00 00" }, { type: uint16, value: "{value}" }, { checksum: crc16-modbus } ]';
    const g = await start(
      yaml(
        cam.port,
        `  - { name: rtu, bank: vision, point: recipe, on: write, device: camera, frame: ${frame} }`,
        'none',
      ),
    );
    const peer = await cam.connection(1);
    const c = await client(g);
    await c.writeRegister(10, 10);
    await peer.untilBytes(8);
    expect(peer.bytes().toString('hex')).toBe('01030000000a' + 'c5cd'); // the well-known CRC of this request
  });
});
