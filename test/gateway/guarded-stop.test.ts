/**
 * Stopping the gateway is guarded step by step: a server or device whose stop() throws is logged,
 * the other servers and devices are still stopped, and stop() then reports the failure.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';

const YAML = `
banks:
  line:
    holding: 8
    points:
      - { name: level, table: holding, address: 0, type: uint16 }
servers:
  - name: first
    protocol: modbus
    listen: 127.0.0.1:0
    bank: line
  - name: second
    protocol: modbus
    listen: 127.0.0.1:0
    bank: line
  - name: third
    protocol: modbus
    listen: 127.0.0.1:0
    bank: line
devices:
  - name: sim-a
    type: simulator
    bank: line
    every: 1s
    signals:
      level: { signal: ramp, min: 0, max: 100, period: 60s }
  - name: sim-b
    type: simulator
    bank: line
    every: 1s
    signals:
      level: { signal: ramp, min: 0, max: 100, period: 60s }
`;

let gw: RunningGateway | undefined;
afterEach(async () => {
  // Already stopped by the test; a second stop finds nothing left to stop.
  await gw?.stop().catch(() => undefined);
  gw = undefined;
});

/** Resolves true when something listens on the port, false when the connection is refused. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('guarded stop', () => {
  it('a server whose stop() throws: the others still stop, the error is logged and reported', async () => {
    gw = await startGateway(YAML);
    const ports = ['first', 'second', 'third'].map((n) => gw?.port(n) ?? 0);
    const second = gw.gateway.findServer('second');
    if (!second) throw new Error('no server second');
    const realStop = second.stop.bind(second);
    second.stop = async () => {
      await realStop('shutdown', 0);
      throw new Error('server boom');
    };
    const stopped: string[] = [];
    for (const device of gw.gateway.devices.values()) {
      const stop = device.stop.bind(device);
      device.stop = async () => {
        await stop();
        stopped.push(device.name);
      };
    }
    await expect(gw.stop()).rejects.toThrow('server boom');
    expect(await Promise.all(ports.map(listening))).toEqual([false, false, false]);
    expect(stopped.sort()).toEqual(['sim-a', 'sim-b']);
    const failed = gw.captured.events('server failed to stop');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ server: 'second', err: { message: 'server boom' } });
  });

  it('a device whose stop() throws: the other devices still stop, the error is logged and reported', async () => {
    gw = await startGateway(YAML);
    const ports = ['first', 'second', 'third'].map((n) => gw?.port(n) ?? 0);
    const stopped: string[] = [];
    for (const device of gw.gateway.devices.values()) {
      const stop = device.stop.bind(device);
      device.stop = async () => {
        await stop();
        if (device.name === 'sim-b') throw new Error('device boom');
        stopped.push(device.name);
      };
    }
    await expect(gw.stop()).rejects.toThrow('device boom');
    expect(stopped).toEqual(['sim-a']);
    expect(await Promise.all(ports.map(listening))).toEqual([false, false, false]);
    const failed = gw.captured.events('device failed to stop');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ device: 'sim-b', err: { message: 'device boom' } });
  });
});
