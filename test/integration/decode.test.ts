/**
 * Frame decoding end to end on loopback: a board streams FPGA telemetry frames to a raw server that
 * decodes them into a bank, modbus-serial reads the values from a Modbus server on that bank; bad
 * frames are counted and never stored; two boards on two pool ports fill two banks; a raw device
 * link decodes what the device sends.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeClient, modbusClient, rawConnect } from '../helpers/clients.js';
import { startGateway, until, type RunningGateway } from '../helpers/gateway.js';
import { connectPeer, fakeDevice, freePorts, type FakeDevice } from '../helpers/raw-peers.js';
import { fpgaBankYaml, fpgaFrame, fpgaProfile } from './decode-helpers.js';
import { buildDocument } from '../../src/status/document.js';
import { parsePrometheusText, sampleValue } from '../helpers/prom-text.js';

const profile = fpgaProfile();
let gw: RunningGateway | undefined;
let device: FakeDevice | undefined;
afterEach(async () => {
  await gw?.stop();
  await device?.stop();
  gw = undefined;
  device = undefined;
});

const seqOf = (bank: string) => () => gw!.gateway.banks.get(bank)?.point('seq')?.get();
const decodedFrames = () => gw!.captured.events('decoded frames')[0];

/** Sends `frames` in chunks of `step` bytes (frames split and joined at odd places). */
function stream(send: (b: Buffer) => void, frames: Buffer[], step = 100): void {
  const all = Buffer.concat(frames);
  for (let i = 0; i < all.length; i += step) send(all.subarray(i, i + step));
}

describe('decode handler', () => {
  const yaml = `
banks:
${fpgaBankYaml('b')}
servers:
  - { name: fpga, protocol: raw, listen: "127.0.0.1:0", handler: { decode: fpga-telemetry, bank: b } }
  - { name: scada, protocol: modbus, listen: "127.0.0.1:0", bank: b }
`;

  it('frames streamed by a board are read back by a Modbus client, scaled; bits land in coils', async () => {
    gw = await startGateway(yaml);
    const board = await rawConnect(gw.port('fpga'));
    stream(
      (b) => board.socket.write(b),
      Array.from({ length: 200 }, (_, i) => fpgaFrame(profile, 1000 + i)),
      37,
    );
    await until(() => seqOf('b')() === 1199, 3000, 'last frame stored');
    const client = await modbusClient(gw.port('scada'));
    try {
      const regs = (await client.readHoldingRegisters(0, 11)).data;
      expect(regs[0]! * 65536 + regs[1]!).toBe(1199);
      expect(regs[2]).toBe(199); // ch1 = 1.99 V at 0.01 V per count
      expect(regs[3]).toBe(65536 - 199); // ch2 = -1.99
      expect(regs[10]).toBe(405); // 40.5 degC at 0.1
      // running, fault (odd seq), overtemp
      expect((await client.readCoils(0, 3)).data.slice(0, 3)).toEqual([true, true, false]);
    } finally {
      await closeClient(client);
    }
    expect(gw.gateway.banks.get('b')?.point('ch1')?.updatedAt).toBeGreaterThan(Date.now() - 5000);
    board.socket.destroy();
    await gw.stop();
    expect(decodedFrames()).toMatchObject({ stored: 200, refused: 0 });
    gw = undefined;
  });

  it('a bad CRC, a wrong sync and a stream knocked out of step by a short frame: nothing stored, counted, logged once', async () => {
    gw = await startGateway(yaml);
    const board = await rawConnect(gw.port('fpga'));
    board.socket.write(fpgaFrame(profile, 5));
    await until(() => seqOf('b')() === 5, 3000, 'good frame stored');
    const badCrc = fpgaFrame(profile, 6);
    badCrc[10] = (badCrc[10] as number) ^ 0xff;
    const badSync = fpgaFrame(profile, 7);
    badSync[0] = 0x00;
    const short = fpgaFrame(profile, 8).subarray(0, 40); // the next frames are read 24 bytes late
    stream(
      (b) => board.socket.write(b),
      [badCrc, badSync, short, ...Array.from({ length: 10 }, (_, i) => fpgaFrame(profile, 9 + i))],
    );
    await until(() => gw!.captured.events('frame refused').length > 0, 3000, 'refusal logged');
    const first = gw.captured.events('frame refused')[0];
    expect(first).toMatchObject({
      level: 40,
      reason: expect.stringMatching(/^bad crc16-modbus checksum/),
      bytes: badCrc.subarray(0, 16).toString('hex'),
    });
    // 13 frames' worth of bytes minus the 24 missing = 12 whole frames refused; wait for them all
    await until(() => gw!.gateway.findServer('fpga')?.decoded?.()?.refused === 12, 3000, '12 frames refused');
    const doc = buildDocument(gw.gateway, 'test', undefined);
    expect(doc.servers.find((s) => s.name === 'fpga')?.decoded).toEqual({ stored: 1, refused: 12 });
    expect(doc.servers.find((s) => s.name === 'scada')?.decoded).toBeUndefined();
    board.socket.end();
    await board.closed;
    await gw.stop();
    expect(decodedFrames()).toMatchObject({ stored: 1, refused: 12 });
    expect(gw.captured.events('frame refused')).toHaveLength(1);
    expect(gw.captured.events('frame refused (repeated)')[0]).toMatchObject({ count: 11 });
    expect(gw.gateway.banks.get('b')?.point('seq')?.get()).toBe(5);
    gw = undefined;
  });
});

describe('port pool: two boards, two banks', () => {
  it('each board on its own port fills the bank its port names', async () => {
    const [p1, p2] = (await freePorts(2)) as [number, number];
    gw = await startGateway(`
banks:
${fpgaBankYaml('board1')}
${fpgaBankYaml('board2')}
servers:
  - name: boards
    protocol: raw
    listen: 127.0.0.1
    handler: { decode: fpga-telemetry }
    ports:
      ${p1}: { bank: board1 }
      ${p2}: { bank: board2 }
  - { name: scada, protocol: modbus, listen: "127.0.0.1:0", units: { 1: { bank: board1 }, 2: { bank: board2 } } }
`);
    const [a, b] = await Promise.all([connectPeer(p1), connectPeer(p2)]);
    stream(
      (x) => a.send(x),
      Array.from({ length: 50 }, (_, i) => fpgaFrame(profile, i, 1)),
    );
    stream(
      (x) => b.send(x),
      Array.from({ length: 80 }, (_, i) => fpgaFrame(profile, 100 + i, 2)),
    );
    await until(() => seqOf('board1')() === 49 && seqOf('board2')() === 179, 3000, 'both boards stored');
    const client = await modbusClient(gw.port('scada'));
    try {
      client.setID(1);
      expect((await client.readHoldingRegisters(0, 3)).data).toEqual([0, 49, 149]); // ch1 = 0.49 + board 1
      client.setID(2);
      expect((await client.readHoldingRegisters(0, 3)).data).toEqual([0, 179, 379]); // ch1 = 1.79 + board 2
    } finally {
      await closeClient(client);
    }
    await Promise.all([a.end(), b.end()]);
  });
});

describe('raw device with decode:', () => {
  it('what the device sends lands in the bank (framing from the profile)', async () => {
    device = await fakeDevice((peer) =>
      stream(
        (x) => peer.send(x),
        Array.from({ length: 30 }, (_, i) => fpgaFrame(profile, 500 + i)),
        50,
      ),
    );
    gw = await startGateway(`
status: { listen: "127.0.0.1:0" }
banks:
${fpgaBankYaml('b')}
devices:
  - { name: board, type: tcp, host: 127.0.0.1, port: ${device.port}, decode: { profile: fpga-telemetry, bank: b } }
`);
    await until(() => seqOf('b')() === 529, 5000, 'device frames stored');
    expect(gw.gateway.banks.get('b')?.point('ch2')?.get()).toBeCloseTo(-5.29, 5);
    expect(buildDocument(gw.gateway, 'test', undefined).devices[0]).toMatchObject({
      name: 'board',
      decoded: { stored: 30, refused: 0 },
    });
    const metrics = parsePrometheusText(
      await (await fetch(`http://127.0.0.1:${gw.gateway.statusPort}/metrics`)).text(),
    );
    expect(sampleValue(metrics, 'fieldgate_frames_decoded_total', { source: 'board', result: 'stored' })).toBe(30);
    expect(sampleValue(metrics, 'fieldgate_frames_decoded_total', { source: 'board', result: 'refused' })).toBe(0);
    expect(sampleValue(metrics, 'fieldgate_point_age_seconds', { bank: 'b', point: 'seq' })).toBeGreaterThanOrEqual(0);
  });
});
