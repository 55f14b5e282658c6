/**
 * The web console of the built daemon (`fieldgate run`, dist/) in headless Chromium: a Modbus server,
 * a port pool, a device polled from a fake PLC, a bank with points, and `status:` with a token and
 * writes on. The page is opened as a browser opens it after the 401 (HTTP Basic, the token as
 * password). Checked on the page: the running config's servers, a pool port held by a client from
 * 127.0.0.3, the device going down and coming back, a point written over Modbus after the page loaded
 * (live, through /events), a write from the page (form, confirmation) read back with modbus-serial;
 * no console error, no page exception, every request to the gateway's origin.
 */
import { copyFileSync, mkdirSync, statSync, readdirSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeClient, modbusClient } from '../helpers/clients.js';
import { startDaemon, tempFile, type Daemon } from '../helpers/daemon.js';
import { startFakePlc, type FakePlc } from '../helpers/fake-plc.js';
import { launch, type Browser } from './browser.js';

const TOKEN = 'console-test-token-0123456789';
const CONSOLE_DIR = fileURLToPath(new URL('../../console/', import.meta.url));
const README_SHOT = fileURLToPath(new URL('../../docs/console.png', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/**
 * The device's address: a forwarder on a fixed port in front of the fake PLC, so the PLC can be
 * "switched off" (the port refuses, open connections drop) and on again at the same address.
 */
interface Switch {
  readonly port: number;
  off(): Promise<void>;
  on(): Promise<void>;
}

async function plcSwitch(plcPort: number): Promise<Switch> {
  const port = await freePort();
  const sockets = new Set<net.Socket>();
  let server: net.Server | undefined;
  const on = () =>
    new Promise<void>((resolve) => {
      server = net.createServer((inbound) => {
        const outbound = net.connect(plcPort, '127.0.0.1');
        for (const s of [inbound, outbound]) {
          sockets.add(s);
          s.on('error', () => undefined);
          s.on('close', () => sockets.delete(s));
        }
        inbound.pipe(outbound).pipe(inbound);
        inbound.on('close', () => outbound.destroy());
        outbound.on('close', () => inbound.destroy());
      });
      server.listen(port, '127.0.0.1', resolve);
    });
  const off = async () => {
    const s = server;
    server = undefined;
    for (const c of sockets) c.destroy();
    if (s) await new Promise((r) => s.close(r));
  };
  await on();
  return { port, on, off };
}

/** A socket connected from 127.0.0.3 (a PLC at its own address, on loopback). */
function connectFrom(port: number, localAddress: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1', localAddress });
    s.once('connect', () => resolve(s));
    s.once('error', reject);
  });
}

let daemon: Daemon;
let plc: FakePlc;
let sw: Switch;
let browser: Browser;
let base = '';
let scadaPort = 0;
let pool: [number, number];
const closers: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  plc = await startFakePlc();
  sw = await plcSwitch(plc.ports[0]!);
  pool = [await freePort(), await freePort()];
  const statusPort = await freePort();
  const config = `
gateway: { name: console-test }
status: { listen: 127.0.0.1:${statusPort}, writes: true, tokenFile: ${tempFile('status.token', `${TOKEN}\n`)} }
banks:
  plant:
    holding: 200
    coils: 16
    points:
      - { name: setpoint, table: holding, address: 10, type: int16 }
      - { name: speed, table: holding, address: 20, type: float32 }
      - { name: pump, table: coils, address: 3, type: bool }
servers:
  - { name: scada, protocol: modbus, listen: 127.0.0.1:0, bank: plant }
  - name: presses
    protocol: modbus
    listen: 127.0.0.1
    ports: { ${pool[0]}: { client: 127.0.0.3 }, ${pool[1]}: {} }
    bank: plant
devices:
  - { name: plc, type: modbus-tcp, host: 127.0.0.1, port: ${sw.port}, timeout: 300ms }
polls:
  - { device: plc, every: 200ms, read: { table: holding, address: 0, count: 4 }, into: { bank: plant } }
`;
  daemon = startDaemon(['run', '-c', tempFile('console.yaml', config)]);
  const status = await daemon.waitFor((l) => l['msg'] === 'status endpoint listening');
  base = `http://127.0.0.1:${status['port'] as number}`;
  scadaPort = (await daemon.waitFor((l) => l['msg'] === 'listening' && l['server'] === 'scada'))['port'] as number;
  await daemon.waitFor((l) => l['msg'] === 'started');
  browser = await launch({ httpCredentials: { username: 'engineer', password: TOKEN } });
}, 30_000);

afterAll(async () => {
  for (const c of closers.reverse()) await c();
  await browser?.close();
  daemon?.child.kill('SIGTERM');
  if (daemon) expect(await daemon.exited).toBe(0);
  await sw?.off();
  await plc?.close();
});

describe('web console on the built daemon', () => {
  it('weighs at most 150 KB, uncompressed', () => {
    const total = readdirSync(CONSOLE_DIR)
      .filter((f) => !f.startsWith('.'))
      .reduce((n, f) => n + statSync(CONSOLE_DIR + f).size, 0);
    expect(total).toBeGreaterThan(1000);
    expect(total).toBeLessThanOrEqual(150 * 1024);
  });

  it('shows the servers, a pool port held from 127.0.0.3, a device down and back, live points and a write', async () => {
    const { page } = browser;
    await page.goto(base + '/');
    await expect.poll(() => page.textContent('#gw-name')).toBe('console-test');
    await expect.poll(() => page.textContent('#gw-link')).toBe('live');

    // the running config's servers
    const serverNames = await page.locator('#servers tbody tr td:first-child').allTextContents();
    expect(serverNames).toEqual(['scada', 'presses']);
    expect(await page.locator('#servers tr', { hasText: 'scada' }).textContent()).toContain(`127.0.0.1:${scadaPort}`);
    expect(await page.locator('#servers tr', { hasText: 'presses' }).textContent()).toContain('listening');

    // a pool port held by a client connected from 127.0.0.3
    const held = await connectFrom(pool[0], '127.0.0.3');
    closers.push(() => void held.destroy());
    const row = page.locator('#pools tbody tr', { hasText: String(pool[0]) });
    await expect.poll(() => row.textContent(), { timeout: 5000 }).toContain(`held 127.0.0.3:${held.localPort}`);
    expect(await row.textContent()).toContain('127.0.0.3'); // reserved for
    expect(await page.locator('#pools tbody tr', { hasText: String(pool[1]) }).textContent()).toContain('free');
    expect(await page.locator('#sessions tbody').textContent()).toContain(`127.0.0.3:${held.localPort}`);

    // the device: up, then the PLC switched off (down, with why), then on again (up)
    const device = page.locator('#devices tbody tr', { hasText: 'plc' });
    await expect.poll(() => device.textContent(), { timeout: 5000 }).toContain('up');
    await sw.off();
    await expect.poll(() => device.locator('.badge').textContent(), { timeout: 8000 }).toBe('down');
    expect(await page.textContent('#gw-health')).toMatch(/problem/);
    await browser.screenshot('console-device-down.png');
    await sw.on();
    await expect.poll(() => device.locator('.badge').textContent(), { timeout: 10_000 }).toBe('up');
    await expect.poll(() => page.textContent('#gw-health')).toBe('healthy');

    // a point written over Modbus after the page loaded shows up live
    const client = await modbusClient(scadaPort);
    closers.push(() => closeClient(client));
    await client.writeRegister(10, 0xffff - 1233); // int16 -1234
    const setpoint = page.locator('#banks tbody tr', { hasText: 'setpoint' });
    await expect.poll(() => setpoint.locator('.value').textContent(), { timeout: 5000 }).toBe('-1234');

    // the register grid reads the bank (plant/holding from 10)
    await expect.poll(() => page.textContent('#grid tbody tr:first-child td:first-child')).toBe('10');
    expect(await page.textContent('#grid tbody tr:first-child td:nth-child(2)')).toBe(String(0xffff - 1233));

    // a write from the page (form, confirmation), read back over Modbus
    await page.click('#banks button.set[data-point="setpoint"]');
    await page.fill('#write-value', '777');
    await page.click('#write-next');
    expect(await page.textContent('#write-question')).toBe('Write 777 to plant.setpoint (holding[10])?');
    await page.click('#write-ok');
    await page.locator('#write-result', { hasText: 'written: 777' }).waitFor();
    expect((await client.readHoldingRegisters(10, 1)).data).toEqual([777]);
    await page.click('#write-cancel');
    await expect.poll(() => setpoint.locator('.value').textContent(), { timeout: 5000 }).toBe('777');
    // the write was logged with the client address
    await daemon.waitFor((l) => JSON.stringify(l).includes('setpoint') && JSON.stringify(l).includes('127.0.0.1'));

    const shot = await browser.screenshot('console-laptop.png');
    mkdirSync(fileURLToPath(new URL('../../docs/', import.meta.url)), { recursive: true });
    if (process.env['CONSOLE_SCREENSHOT']) copyFileSync(shot, README_SHOT);

    expect(browser.consoleErrors).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
    expect(browser.requests.length).toBeGreaterThan(3);
    for (const u of browser.requests) expect(new URL(u).origin).toBe(base);
  }, 60_000);
});
