/**
 * Commands across a reload: a changed frame is used at once, a device moved to another camera is
 * followed, a command removed sends nothing; the plan names commands that changed.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { describePlan, diffConfig } from '../../src/config/diff.js';
import { loadConfigText } from '../../src/config/load.js';
import type { GatewayConfig } from '../../src/config/types.js';
import { isRawLink } from '../../src/devices/raw-link.js';
import { closeClient, modbusClient } from '../helpers/clients.js';
import { startGateway, until, type RunningGateway } from '../helpers/gateway.js';
import { fakeDevice, type FakeDevice } from '../helpers/raw-peers.js';

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

const yaml = (port: number, command: string) => `
banks:
  vision:
    coils: 8
    holding: 8
    points:
      - { name: trigger, table: coils, address: 0, type: bool }
      - { name: status, table: holding, address: 0, type: uint16 }
      - { name: result, table: holding, address: 1, type: float32 }
      - { name: code, table: holding, address: 3, type: string, length: 4 }
devices:
  - { name: camera, type: tcp, host: 127.0.0.1, port: ${port}, framing: { type: line, delimiter: "\\n" }, reconnect: { min: 20ms, max: 100ms } }
servers:
  - { name: scada, protocol: modbus, listen: 127.0.0.1:0, bank: vision }
${command}`;

const command = (frame: string) =>
  `commands:\n  - { name: capture, bank: vision, point: trigger, device: camera, frame: "${frame}\\n", reset: true }\n`;

function load(text: string): GatewayConfig {
  const r = loadConfigText(text, 'reload.yaml');
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.config;
}

async function linkUp(g: RunningGateway): Promise<void> {
  await until(
    () => {
      const link = g.gateway.devices.get('camera');
      return isRawLink(link) && link.state === 'up';
    },
    3000,
    'camera up',
  );
}

/** Sets the coil; the command sets it back to 0 (reset: true), so every pulse is a rising edge. */
async function pulse(c: Awaited<ReturnType<typeof modbusClient>>): Promise<void> {
  await c.writeCoil(0, true);
}

describe('commands on reload', () => {
  it('a changed frame is sent at once; a moved device is followed; a removed command sends nothing', async () => {
    const first = await fakeDevice();
    const second = await fakeDevice();
    devices.push(first, second);
    gw = await startGateway(yaml(first.port, command('A')));
    await linkUp(gw);
    const cam1 = await first.connection(1);
    const c = await modbusClient(gw.port('scada'));
    clients.push(c);
    await pulse(c);
    await cam1.until((t) => t === 'A\n');

    expect((await gw.gateway.reload({ ok: true, config: load(yaml(first.port, command('B'))) })).summary).toContain(
      'commands changed',
    );
    await pulse(c);
    await cam1.until((t) => t === 'A\nB\n');

    await gw.gateway.reload({ ok: true, config: load(yaml(second.port, command('C'))) });
    const cam2 = await second.connection(1);
    await linkUp(gw);
    await pulse(c);
    await cam2.until((t) => t === 'C\n');

    await gw.gateway.reload({ ok: true, config: load(yaml(second.port, '')) });
    await c.writeCoil(0, true);
    expect((await c.readCoils(0, 1)).data[0]).toBe(true);
    expect(gw.gateway.commandStatus()).toEqual([]);
    expect(cam2.text()).toBe('C\n');
  });

  it('a command awaiting its reply when the commands are rebuilt ends as dropped, and its coil is reset', async () => {
    const silent = await fakeDevice();
    devices.push(silent);
    const waiting = (frame: string) =>
      `commands:\n  - { name: capture, bank: vision, point: trigger, device: camera, frame: "${frame}\\n", reply: { profile: camera-trigger, timeout: 60s }, reset: true }\n`;
    gw = await startGateway(yaml(silent.port, waiting('A')));
    await linkUp(gw);
    const cam = await silent.connection(1);
    const c = await modbusClient(gw.port('scada'));
    clients.push(c);
    await pulse(c);
    await cam.until((t) => t === 'A\n');
    expect(gw.gateway.commandStatus()[0]).toMatchObject({ pending: true });
    expect((await c.readCoils(0, 1)).data[0]).toBe(true);
    await gw.gateway.reload({ ok: true, config: load(yaml(silent.port, waiting('B'))) });
    expect((await c.readCoils(0, 1)).data[0]).toBe(false);
    await pulse(c);
    await cam.until((t) => t === 'A\nB\n');
  });

  it('the plan says when only the commands changed', () => {
    const a = load(yaml(1000, command('A')));
    expect(diffConfig(a, load(yaml(1000, command('A')))).empty).toBe(true);
    const plan = diffConfig(a, load(yaml(1000, command('B'))));
    expect(plan).toMatchObject({ commands: true, empty: false });
    expect(describePlan(plan)).toBe('commands changed');
  });
});
