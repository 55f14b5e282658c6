/**
 * Modbus devices honour `reconnect:` like raw devices: when the connection (modbus-tcp) or the serial
 * port (modbus-rtu) goes away, the first attempt to get it back waits `reconnect.min`, on a fake clock.
 */
import net from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ModbusRtuDeviceConfig, ModbusTcpDeviceConfig } from '../../src/config/types.js';
import { createRtuLink, createTcpLink } from '../../src/devices/factory.js';
import type { ModbusLink } from '../../src/devices/modbus/modbus-link.js';
import { captureLogger } from '../helpers/log.js';
import { mockLine } from '../helpers/mock-serial.js';

const RECONNECT = { min: 1000, max: 8000, jitter: 0 };
const links: ModbusLink[] = [];
const servers: net.Server[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(links.splice(0).map((l) => l.stop()));
  await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** Waits for I/O (turns of the event loop, which the fake clock leaves alone), at most 2 s of real time. */
async function settle(check: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 2000;
  while (!check()) {
    if (Date.now() > end) throw new Error(`${what} not met within 2000 ms`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const fakeClock = (): void => void vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });

describe('reconnect: of Modbus devices', () => {
  it('modbus-tcp: the first attempt after the device closed the connection waits reconnect.min', async () => {
    const peers: net.Socket[] = [];
    const server = net.createServer((s) => peers.push(s));
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as net.AddressInfo).port;
    const config: ModbusTcpDeviceConfig = {
      name: 'plc',
      type: 'modbus-tcp',
      host: '127.0.0.1',
      ports: [port],
      unit: 1,
      timeout: 100,
      retries: 0,
      queue: 8,
      maxInFlight: 1,
      reconnect: RECONNECT,
    };
    const link = createTcpLink(config, captureLogger('error').log);
    links.push(link);
    await link.start();
    await settle(() => link.status().state === 'up' && peers.length === 1, 'connected');
    fakeClock();
    peers[0]?.destroy();
    await settle(() => link.status().state === 'down', 'down');
    vi.advanceTimersByTime(RECONNECT.min - 1);
    expect(link.status().state).toBe('down');
    vi.advanceTimersByTime(1);
    expect(link.status().state).toBe('connecting');
    await settle(() => link.status().state === 'up' && peers.length === 2, 'connected again');
  });

  it('modbus-rtu: the first attempt to reopen a port that closed waits reconnect.min', async () => {
    const line = mockLine();
    const config: ModbusRtuDeviceConfig = {
      name: 'bus',
      type: 'modbus-rtu',
      path: line.path,
      baudRate: 115200,
      parity: 'none',
      dataBits: 8,
      stopBits: 1,
      timeout: 100,
      retries: 0,
      queue: 8,
      reconnect: RECONNECT,
    };
    const link = createRtuLink(config, captureLogger('error').log, { open: line.open });
    links.push(link);
    await link.start();
    await settle(() => link.status().state === 'up', 'port open');
    fakeClock();
    line.current()?.close();
    await settle(() => link.status().state === 'down', 'down');
    vi.advanceTimersByTime(RECONNECT.min - 1);
    expect(link.status().state).toBe('down');
    expect(line.opens()).toBe(1);
    vi.advanceTimersByTime(1);
    expect(link.status().state).toBe('connecting');
    await settle(() => link.status().state === 'up' && line.opens() === 2, 'port open again');
  });
});
