/**
 * End to end on loopback: two simulated FPGA boards (`fieldgate simulate fpga-telemetry`, in
 * process) stream to a raw port pool that decodes them, each port into its own bank; modbus-serial
 * reads the decoded values back from a Modbus server.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadProfileOrThrow, startSimulation, type Simulation } from '../../src/simulate/index.js';
import { closeClient, modbusClient } from '../helpers/clients.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { freePorts } from '../helpers/raw-peers.js';
import { readUntil } from './read-until.js';

let gw: RunningGateway | undefined;
const sims: Simulation[] = [];
afterEach(async () => {
  await Promise.all(sims.splice(0).map((s) => s.stop()));
  await gw?.stop();
  gw = undefined;
});

const channels = [1, 2, 3, 4, 5, 6, 7, 8]
  .map((n) => `      - { name: ch${n}, table: input, address: ${n + 1}, type: int16, scale: 0.01 }`)
  .join('\n');
const points = `
    input: 16
    discrete: 4
    points:
      - { name: seq, table: input, address: 0, type: uint32 }
${channels}
      - { name: board_temp, table: input, address: 10, type: int16, scale: 0.1 }
      - { name: running, table: discrete, address: 0, type: bool }
      - { name: fault, table: discrete, address: 1, type: bool }
      - { name: overtemp, table: discrete, address: 2, type: bool }`;

describe('fieldgate simulate fpga-telemetry -> raw pool with decode -> Modbus', () => {
  it('two boards on two pool ports fill two banks, read back with modbus-serial', async () => {
    const [p1, p2] = (await freePorts(2)) as [number, number];
    gw = await startGateway(`
banks:
  board1:${points}
  board2:${points}
servers:
  - name: boards
    protocol: raw
    listen: 127.0.0.1
    ports:
      ${p1}: { bank: board1 }
      ${p2}: { bank: board2 }
    framing: { type: fixed, size: 64 }
    handler: { decode: fpga-telemetry }
  - name: scada
    protocol: modbus
    listen: 127.0.0.1:0
    units: { 1: { bank: board1 }, 2: { bank: board2 } }
`);
    const fpga = loadProfileOrThrow('fpga-telemetry', process.cwd());
    for (const [port, every] of [
      [p1, 5],
      [p2, 20],
    ] as const) {
      sims.push(
        await startSimulation(
          fpga,
          { profile: 'fpga-telemetry', transport: { kind: 'connect', host: '127.0.0.1', port }, every },
          () => undefined,
        ),
      );
    }
    const client = await modbusClient(gw.port('scada'));
    try {
      for (const unit of [1, 2]) {
        client.setID(unit);
        const first = await readUntil(
          async () => (await client.readInputRegisters(0, 9)).data,
          (r) => (r[1] ?? 0) > 0,
          3000,
          `board ${unit}'s sequence`,
        );
        const later = await readUntil(
          async () => (await client.readInputRegisters(0, 9)).data,
          (r) => (r[1] ?? 0) > (first[1] ?? 0) + 2,
          3000,
          `board ${unit} streaming on`,
        );
        expect(later[7]).toBe(150); // ch6: the profile's constant 1.5 V, scale 0.01
        expect(later[8]).toBe(0x10000 - 225); // ch7: -2.25 V
        const ch1 = ((later[2] ?? 0) << 16) >> 16;
        expect(Math.abs(ch1)).toBeLessThanOrEqual(1000); // a sine within -10..10 V
        expect((await client.readDiscreteInputs(0, 2)).data.slice(0, 2)).toEqual([true, false]); // running, not fault
      }
    } finally {
      await closeClient(client);
    }
  });
});
