/**
 * The camera test, with the shipped pieces: config/examples/camera-trigger.yaml moved onto
 * loopback, and the camera played by `fieldgate simulate camera-trigger` (in process). A coil write
 * from modbus-serial makes the simulated camera receive the trigger, and its answer lands in the
 * result registers; the coil is back to 0.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { isRawLink } from '../../src/devices/raw-link.js';
import { loadProfileOrThrow, startSimulation, type Simulation } from '../../src/simulate/index.js';
import { closeClient, modbusClient } from '../helpers/clients.js';
import { startGateway, until, type RunningGateway } from '../helpers/gateway.js';

let gw: RunningGateway | undefined;
let sim: Simulation | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
  await sim?.stop();
  sim = undefined;
});

function replaceOnce(text: string, from: string | RegExp, to: string): string {
  const out = text.replace(from, to);
  if (out === text) throw new Error(`the example no longer contains ${String(from)}: update this test`);
  return out;
}

/** The shipped example, on loopback: SCADA on a free port, the camera at the simulator's port. */
function example(cameraPort: number): string {
  let text = readFileSync(new URL('../../config/examples/camera-trigger.yaml', import.meta.url), 'utf8');
  text = replaceOnce(text, /\nstatus:\n {2}listen: [^\n]+\n/, '\n');
  text = replaceOnce(text, 'listen: 0.0.0.0:502', 'listen: 127.0.0.1:0');
  text = replaceOnce(text, 'host: 192.168.1.50', 'host: 127.0.0.1');
  return replaceOnce(text, 'port: 3000', `port: ${cameraPort}`);
}

describe('camera triggered from a coil (shipped example + simulated camera)', () => {
  it('the camera receives the trigger and its answer lands in status, result and code', async () => {
    const profile = loadProfileOrThrow('camera-trigger', process.cwd());
    sim = await startSimulation(
      profile,
      { profile: 'camera-trigger', transport: { kind: 'listen', host: '127.0.0.1', port: 0 } },
      () => undefined,
    );
    gw = await startGateway(example(sim.port ?? 0));
    const link = gw.gateway.devices.get('camera');
    if (!isRawLink(link)) throw new Error('camera is not a raw link');
    await until(() => link.state === 'up', 3000, 'camera connected');
    const client = await modbusClient(gw.port('scada'));
    try {
      await client.writeRegister(0, 3);
      for (let shot = 1; shot <= 3; shot++) {
        await client.writeCoil(0, true);
        await until(() => gw!.gateway.commandStatus()[0]?.replies === shot, 3000, `reply ${shot} stored`);
        expect((await client.readCoils(0, 1)).data[0]).toBe(false);
      }
      expect(sim.count()).toBe(3);
      const regs = await client.readHoldingRegisters(1, 7);
      expect(regs.data[0]).toBe(1); // OK
      const result = regs.buffer.readFloatBE(2);
      expect(result).toBeGreaterThanOrEqual(0);
      expect(result).toBeLessThanOrEqual(100);
      expect(regs.buffer.subarray(6, 14).toString('latin1').replace(/\0+$/, '')).toBe('A1');
      expect(gw.gateway.commandStatus()[0]).toMatchObject({
        name: 'capture',
        triggers: 3,
        sent: 3,
        replies: 3,
        refused: 0,
        timeouts: 0,
      });
    } finally {
      await closeClient(client);
    }
  });
});
