/**
 * `fieldgate simulate`'s roles, in process, over loopback: an FPGA board streaming into a TCP sink
 * (every frame valid, sequence unbroken, across a reconnection), a camera answering triggers, and a
 * PLC pushing its registers with FC16 into a Modbus pool port of a real gateway.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { decodeFrame } from '../../src/codec/profile/decode.js';
import type { ProfileConfig } from '../../src/config/types.js';
import { loadProfileOrThrow, startSimulation, type Say, type Simulation } from '../../src/simulate/index.js';
import { rawConnect } from '../helpers/clients.js';
import { startGateway, until, type RunningGateway } from '../helpers/gateway.js';
import { freePorts } from '../helpers/raw-peers.js';

const profile = (name: string): ProfileConfig => loadProfileOrThrow(name, process.cwd());
const said: string[] = [];
const say: Say = (event, fields) => said.push(`${event} ${JSON.stringify(fields ?? {})}`);
let sim: Simulation | undefined;
let gw: RunningGateway | undefined;
const cleanup: (() => void)[] = [];

afterEach(async () => {
  await sim?.stop();
  await gw?.stop();
  cleanup.splice(0).forEach((c) => c());
  sim = undefined;
  gw = undefined;
  said.length = 0;
});

/** A TCP sink that keeps what each connection sent; `cut` closes the first connection after n bytes. */
async function sink(cut?: number): Promise<{ port: number; connections: Buffer[][] }> {
  const connections: Buffer[][] = [];
  const server = net.createServer((socket) => {
    const chunks: Buffer[] = [];
    connections.push(chunks);
    let size = 0;
    socket.on('data', (c) => {
      chunks.push(c);
      size += c.length;
      if (cut !== undefined && connections.length === 1 && size >= cut) socket.destroy();
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  cleanup.push(() => server.close());
  return { port: (server.address() as net.AddressInfo).port, connections };
}

function sequence(bytes: Buffer, fpga: ProfileConfig): number[] {
  const seqs: number[] = [];
  for (let at = 0; at + 64 <= bytes.length; at += 64) {
    const decoded = decodeFrame(fpga, bytes.subarray(at, at + 64));
    if ('error' in decoded) throw new Error(`frame ${at / 64}: ${decoded.error}`);
    seqs.push(decoded.values[0] as number);
  }
  return seqs;
}

describe('stream (FPGA board)', () => {
  it('--every 0 --count 500: 500 valid frames as fast as the peer takes them, sequence 0..499', async () => {
    const fpga = profile('fpga-telemetry');
    const { port, connections } = await sink();
    sim = await startSimulation(
      fpga,
      { profile: 'fpga-telemetry', transport: { kind: 'connect', host: '127.0.0.1', port }, every: 0, count: 500 },
      say,
    );
    await sim.done;
    await sim.stop();
    await until(() => Buffer.concat(connections[0] ?? []).length >= 500 * 64, 3000, 'all frames');
    const bytes = Buffer.concat(connections[0] ?? []);
    expect(bytes.length).toBe(500 * 64);
    expect(sequence(bytes, fpga)).toEqual(Array.from({ length: 500 }, (_, i) => i));
    expect(sim.count()).toBe(500);
  });

  it('connects again when the connection is lost, and the sequence goes on', async () => {
    const fpga = profile('fpga-telemetry');
    const { port, connections } = await sink(64 * 10);
    sim = await startSimulation(
      fpga,
      { profile: 'fpga-telemetry', transport: { kind: 'connect', host: '127.0.0.1', port }, every: 10 },
      say,
    );
    await until(() => Buffer.concat(connections[1] ?? []).length >= 64 * 3, 5000, 'frames on a second connection');
    const second = sequence(Buffer.concat(connections[1] ?? []), fpga);
    const first = sequence(Buffer.concat(connections[0] ?? []), fpga);
    expect(second[0]).toBeGreaterThan(first.at(-1) ?? -1);
    expect(said.some((l) => l.startsWith('connection lost'))).toBe(true);
  });

  it('--listen: a client that connects gets frames every `every`', async () => {
    sim = await startSimulation(
      profile('fpga-telemetry'),
      { profile: 'fpga-telemetry', transport: { kind: 'listen', host: '127.0.0.1', port: 0 }, every: 5, count: 5 },
      say,
    );
    const client = await rawConnect(sim.port!);
    await client.waitFor(5 * 64);
    await sim.done;
    expect(sequence(client.received(), profile('fpga-telemetry'))).toEqual([0, 1, 2, 3, 4]);
    client.socket.destroy();
  });
});

describe('answer (camera)', () => {
  it('answers T1 with OK,<result>,A1 and a line it does not know with ER', async () => {
    sim = await startSimulation(
      profile('camera-trigger'),
      { profile: 'camera-trigger', transport: { kind: 'listen', host: '127.0.0.1', port: 0 } },
      say,
    );
    const camera = await rawConnect(sim.port!);
    camera.socket.write('T1\r\n');
    const first = (await camera.waitFor(6)).toString('latin1');
    await until(() => camera.received().toString('latin1').endsWith('\r\n'));
    expect(camera.received().toString('latin1')).toMatch(/^OK,\d+(\.\d+)?,A1\r\n$/);
    expect(first.startsWith('OK,')).toBe(true);
    camera.socket.write('\r\nHELLO\r\nT');
    camera.socket.write('42\r\n');
    await until(() => camera.received().toString('latin1').split('\r\n').length === 4, 3000, 'two more replies');
    const [, er, ok] = camera.received().toString('latin1').split('\r\n');
    expect(er).toBe('ER');
    expect(ok).toMatch(/^OK,\d+(\.\d+)?,A1$/);
    expect(sim.count()).toBe(3);
    camera.socket.destroy();
  });
});

describe('plc (Omron NJ press)', () => {
  it('writes its block with FC16 into a pool port of a gateway: the values land in the bank', async () => {
    const [port] = (await freePorts(1)) as [number];
    gw = await startGateway(`
banks:
  press1:
    holding: 16
    points:
      - { name: count, table: holding, address: 0, type: uint32, order: CDAB }
      - { name: speed, table: holding, address: 2, type: float32, order: CDAB }
      - { name: state, table: holding, address: 4, type: uint16 }
      - { name: recipe, table: holding, address: 5, type: string, length: 8 }
servers:
  - name: presses
    protocol: modbus
    listen: 127.0.0.1
    ports:
      ${port}: { units: { 1: { bank: press1 } } }
`);
    sim = await startSimulation(
      profile('omron-nj-press'),
      { profile: 'omron-nj-press', transport: { kind: 'connect', host: '127.0.0.1', port }, every: 20, count: 4 },
      say,
    );
    await sim.done;
    const bank = gw.gateway.banks.get('press1')!;
    expect(bank.point('recipe')?.get()).toBe('PART-A');
    expect(bank.point('count')?.get()).toBe(3); // the counter's 4th value: 0, 1, 2, 3
    const speed = bank.point('speed')?.get() as number;
    expect(speed).toBeGreaterThanOrEqual(0);
    expect(speed).toBeLessThanOrEqual(120);
    expect([1, 2]).toContain(bank.point('state')?.get());
    expect(said.filter((l) => l.startsWith('write refused'))).toEqual([]);
  });

  it('--unit and --address: the block lands at that register of that unit', async () => {
    gw = await startGateway(`
banks:
  other: { holding: 4 }
  line2:
    holding: 120
    points:
      - { name: count, table: holding, address: 100, type: uint32, order: CDAB }
      - { name: recipe, table: holding, address: 105, type: string, length: 8 }
servers:
  - name: scada
    protocol: modbus
    listen: 127.0.0.1:0
    units: { 1: { bank: other }, 7: { bank: line2 } }
`);
    const options = {
      profile: 'omron-nj-press',
      transport: { kind: 'connect', host: '127.0.0.1', port: gw.port('scada') },
      every: 20,
      count: 3,
      unit: 7,
      address: 100,
    } as const;
    sim = await startSimulation(profile('omron-nj-press'), options, say);
    expect(sim.what).toContain('connecting to');
    await sim.done;
    const bank = gw.gateway.banks.get('line2')!;
    expect(bank.point('recipe')?.get()).toBe('PART-A');
    expect(bank.point('count')?.get()).toBe(2);
    expect([...(gw.gateway.banks.get('other')!.holding ?? [])]).toEqual([0, 0, 0, 0]);
    expect(said.filter((l) => l.startsWith('write refused'))).toEqual([]);
  });

  it('--address that puts the layout past register 65535, or on a frame profile, is a usage error', async () => {
    const to = { kind: 'connect', host: '127.0.0.1', port: 9 } as const;
    await expect(
      startSimulation(profile('omron-nj-press'), { profile: 'p', transport: to, address: 65535 }, say),
    ).rejects.toThrow(/must start at 65\d+ at most/);
    await expect(
      startSimulation(profile('fpga-telemetry'), { profile: 'p', transport: to, address: 10 }, say),
    ).rejects.toThrow(/--address is for register profiles/);
    await expect(
      startSimulation(profile('fpga-telemetry'), { profile: 'p', transport: to, unit: 2 }, say),
    ).rejects.toThrow(/--unit is for plc and rtu-slave/);
  });

  it('a write the gateway refuses is reported once, with the exception', async () => {
    gw = await startGateway(`
banks:
  small: { holding: 4 }
servers:
  - name: scada
    protocol: modbus
    listen: 127.0.0.1:0
    bank: small
`);
    sim = await startSimulation(
      profile('omron-nj-press'),
      {
        profile: 'omron-nj-press',
        transport: { kind: 'connect', host: '127.0.0.1', port: gw.port('scada') },
        every: 10,
      },
      say,
    );
    await until(() => said.some((l) => l.startsWith('write refused')));
    await until(() => (gw?.gateway.findServer('scada')?.sessionStats()[0]?.requests ?? 0) >= 5, 3000, 'more writes');
    expect(said.filter((l) => l.startsWith('write refused'))).toHaveLength(1);
    expect(said.find((l) => l.startsWith('write refused'))).toMatch(/illegal data address/);
  });
});
