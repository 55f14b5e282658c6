/**
 * The web console (console/) in headless Chromium against a stand-in gateway made in the test: the
 * console's files as they are, a canned status document, /events, /status, the register reads and
 * the point writes. What the daemon cannot be made to show on demand is checked here: the token form
 * (Bearer, kept for the session), a refused write's reason, float32 in four word orders, 1,000 points
 * paged, the poll fallback when /events refuses, a phone-width screenshot in dark mode, no set button
 * when the document says writes are off, and ages and uptime measured on the gateway's clock (two
 * hours behind the browser's here) and ticking between documents.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { launch, type Browser } from './browser.js';

const CONSOLE = new URL('../../console/', import.meta.url);
const TOKEN = 'canned-secret';
const TYPES: Record<string, string> = { html: 'text/html', js: 'text/javascript', css: 'text/css' };
/** The stand-in gateway's clock: two hours behind this machine's (a board without a real-time clock). */
const SKEW_MS = -2 * 3600_000;
const gwNow = () => Date.now() + SKEW_MS;
const iso = (ms: number) => new Date(ms).toISOString();

interface Stand {
  base: string;
  doc: Record<string, any>;
  holding: Uint16Array;
  writes: { point: string; body: unknown; auth: string | undefined }[];
  push(): void;
  close(): Promise<void>;
}

function baseDoc(points: number): Record<string, any> {
  return {
    gateway: 'canned-pi',
    version: '0.1.0',
    uptimeSeconds: 3725,
    startedAt: iso(gwNow() - 3725_000),
    servers: [
      {
        name: 'scada',
        protocol: 'modbus',
        state: 'listening',
        error: null,
        pool: false,
        ports: [{ port: 1502, address: '127.0.0.1', client: null, session: null }],
        sessions: [],
        totals: { sessionsOpened: 0, refused: 0, requests: 0, exceptions: 0, bytesIn: 0, bytesOut: 0 },
      },
      {
        name: 'hmi',
        protocol: 'modbus',
        state: 'down',
        error: 'listen EADDRINUSE 0.0.0.0:502',
        pool: false,
        ports: [{ port: 502, address: '0.0.0.0', client: null, session: null }],
        sessions: [],
        totals: { sessionsOpened: 0, refused: 0, requests: 0, exceptions: 0, bytesIn: 0, bytesOut: 0 },
      },
    ],
    devices: [
      {
        name: 'rs485',
        type: 'modbus-rtu',
        state: 'up',
        queue: 0,
        requests: 10,
        timeouts: 1,
        lastError: null,
        coalesced: 4,
        cacheHits: 2,
        crcErrors: 0,
        offlineUnits: [],
        polls: [
          {
            unit: 1,
            table: 'holding',
            address: 0,
            count: 4,
            into: 'plant.holding[0]',
            every: 1000,
            lastSuccess: null,
            lastError: 'timeout',
            latencyMs: null,
            stale: true,
          },
          {
            unit: 2,
            table: 'holding',
            address: 0,
            count: 4,
            into: 'plant.holding[4]',
            every: 1000,
            lastSuccess: iso(gwNow()),
            lastError: null,
            latencyMs: 21,
            stale: false,
          },
        ],
      },
    ],
    banks: [
      {
        name: 'plant',
        points: Array.from({ length: points }, (_, i) => ({
          name: `p${i}`,
          table: 'holding',
          address: i,
          type: 'uint16',
          value: i,
          // p0 was updated 90 s ago (gateway time), the rest never
          updatedAt: i === 0 ? iso(gwNow() - 90_000) : null,
          ageSeconds: i === 0 ? 90 : null,
        })),
      },
    ],
    commands: [],
    mqtt: null,
    warnings: [{ time: iso(gwNow()), level: 'warn', msg: 'device rs485: timeout', device: 'rs485' }],
    console: { writes: true },
  };
}

async function stand(o: { points: number; token: boolean; events: boolean }): Promise<Stand> {
  const doc = baseDoc(o.points);
  const holding = new Uint16Array(2000);
  const streams = new Set<http.ServerResponse>();
  const writes: Stand['writes'] = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/' || url.pathname.startsWith('/console/')) {
      const name = url.pathname === '/' ? 'index.html' : url.pathname.slice('/console/'.length);
      res.writeHead(200, { 'Content-Type': TYPES[name.split('.').pop() ?? ''] ?? 'application/octet-stream' });
      res.end(readFileSync(new URL(name, CONSOLE)));
      return;
    }
    if (o.token && req.headers.authorization !== `Bearer ${TOKEN}`) return json(401, { error: 'token needed' });
    // as the daemon: /status has the uptime now, an event has the serverTime it was built at
    const live = () => ({ ...doc, uptimeSeconds: (gwNow() - Date.parse(doc['startedAt'] as string)) / 1000 });
    if (url.pathname === '/status') return json(200, live());
    if (url.pathname === '/events') {
      if (!o.events) return json(503, { error: 'too many streams' });
      res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store' });
      res.write(`event: status\ndata: ${JSON.stringify({ ...live(), serverTime: gwNow() })}\n\n`);
      streams.add(res);
      req.on('close', () => streams.delete(res));
      return;
    }
    const grid = /^\/banks\/plant\/holding$/.exec(url.pathname);
    if (grid && req.method === 'GET') {
      const start = Number(url.searchParams.get('start'));
      const count = Number(url.searchParams.get('count'));
      if (start + count > holding.length) return json(400, { error: 'past the end of the table' });
      return json(200, {
        bank: 'plant',
        table: 'holding',
        start,
        count,
        values: [...holding.subarray(start, start + count)],
      });
    }
    const point = /^\/banks\/plant\/points\/(\w+)$/.exec(url.pathname);
    if (point && req.method === 'POST') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const parsed = JSON.parse(body) as { value: number };
        writes.push({ point: point[1]!, body: parsed, auth: req.headers.authorization });
        if (parsed.value > 65535) return json(400, { error: 'value 70000 out of range for uint16' });
        json(200, { ok: true });
      });
      return;
    }
    json(404, { error: 'not found' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    doc,
    holding,
    writes,
    push: () => {
      const event = { ...doc, uptimeSeconds: (gwNow() - Date.parse(doc['startedAt'] as string)) / 1000 };
      for (const s of streams) s.write(`event: status\ndata: ${JSON.stringify({ ...event, serverTime: gwNow() })}\n\n`);
    },
    close: async () => {
      for (const s of streams) s.destroy();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

let browser: Browser | undefined;
let gw: Stand | undefined;

afterEach(async () => {
  await browser?.close();
  await gw?.close();
  browser = undefined;
  gw = undefined;
});

const onlyGateway = (b: Browser, base: string) => {
  expect(b.requests.length).toBeGreaterThan(0);
  for (const u of b.requests) expect(new URL(u).origin).toBe(base);
};

describe('web console against a stand-in gateway', () => {
  it('asks for the token once on a 401, goes live with it, shows a refused write and writes with Bearer', async () => {
    gw = await stand({ points: 3, token: true, events: true });
    browser = await launch();
    const { page } = browser;
    await page.goto(gw.base + '/');
    // EventSource cannot send a token: it fails with 401, the page reads /events with fetch and asks.
    await page.locator('#token-dialog').waitFor({ state: 'visible' });
    await page.fill('#token-value', TOKEN);
    await page.click('#token-ok');
    await expect.poll(() => page.textContent('#gw-name')).toBe('canned-pi');
    await expect.poll(() => page.textContent('#gw-link')).toBe('live');
    expect(await page.evaluate("sessionStorage.getItem('fieldgate.token')")).toBe(TOKEN);

    // ages and uptime on the gateway's clock (2 h behind the browser's), moving without a new event
    const p0age = () => page.textContent('#banks tbody tr:first-child td:nth-child(5)');
    expect(await p0age()).toMatch(/^1 min 3\d s ago$/);
    expect(await page.textContent('#gw-uptime')).toBe('up 1 h 2 min');
    const first = await p0age();
    await expect.poll(p0age, { timeout: 5000 }).not.toBe(first);
    expect(await p0age()).toMatch(/^1 min 3\d s ago$/);
    expect(await page.textContent('#banks tbody tr:nth-child(2) td:nth-child(5)')).toBe('never');

    // live: a value changed in the document appears without a reload
    gw.doc['banks'][0].points[1].value = 4321;
    gw.push();
    await page.locator('#banks td', { hasText: '4321' }).waitFor();

    // the servers: one listening, one down with why
    const hmi = page.locator('#servers tr', { hasText: 'hmi' });
    expect(await hmi.textContent()).toContain('down');
    expect(await hmi.textContent()).toContain('EADDRINUSE');
    expect(await page.textContent('#gw-health')).toBe('1 problem');

    // a write refused by the gateway shows its reason; one accepted is sent with the token
    await page.click('#banks button.set[data-point="p2"]');
    await page.fill('#write-value', '70000');
    await page.click('#write-next');
    expect(await page.textContent('#write-question')).toContain('Write 70000 to plant.p2');
    await page.click('#write-ok');
    await page.locator('#write-result', { hasText: 'refused (400): value 70000 out of range for uint16' }).waitFor();
    await page.click('#write-back');
    await page.fill('#write-value', '1234');
    await page.click('#write-next');
    await page.click('#write-ok');
    await page.locator('#write-result', { hasText: 'written: 1234' }).waitFor();
    expect(gw.writes).toEqual([
      { point: 'p2', body: { value: 70000 }, auth: `Bearer ${TOKEN}` },
      { point: 'p2', body: { value: 1234 }, auth: `Bearer ${TOKEN}` },
    ]);
    // the token was asked for once
    expect(await page.locator('#token-dialog').isVisible()).toBe(false);

    // what Chromium logs for the answers that were meant (the EventSource's and the first fetch's
    // 401, the refused write's 400), nothing else; no exception; nothing but the gateway asked
    const expected = /^Failed to load resource: the server responded with a status of (401|400)/;
    expect(browser.consoleErrors.filter((m) => !expected.test(m))).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
    onlyGateway(browser, gw.base);
  });

  it('register grid: decimal, hex and float32 in the four word orders', async () => {
    gw = await stand({ points: 3, token: false, events: true });
    // 12.5f = 0x41480000 laid out ABCD at 0, CDAB at 2, BADC at 4, DCBA at 6
    gw.holding.set([0x4148, 0x0000, 0x0000, 0x4148, 0x4841, 0x0000, 0x0000, 0x4841], 0);
    browser = await launch();
    const { page } = browser;
    await page.goto(gw.base + '/');
    await page.locator('#grid tbody tr').first().waitFor();
    const cell = (col: number) => page.textContent(`#grid tbody tr:first-child td:nth-child(${col + 2})`);
    expect(await cell(0)).toBe(String(0x4148));
    await page.selectOption('#grid-format', 'hex');
    await expect.poll(() => cell(0)).toBe('0x4148');
    expect(await cell(3)).toBe('0x4148');
    const floats: Record<string, number> = { ABCD: 0, CDAB: 2, BADC: 4, DCBA: 6 };
    for (const [order, at] of Object.entries(floats)) {
      await page.selectOption('#grid-format', order);
      await expect.poll(() => cell(at)).toBe('12.5');
    }
    expect(await page.textContent('#grid tbody tr:first-child td:first-child')).toBe('0');
    await page.click('#grid-next');
    await expect.poll(() => page.textContent('#grid tbody tr:first-child td:first-child')).toBe('100');
    expect(browser.consoleErrors).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
    onlyGateway(browser, gw.base);
  });

  it('1,000 points are paged by 100; /events refused: polls /status; a stale poll is red and says so (phone, dark); writes off: no set button', async () => {
    gw = await stand({ points: 1000, token: false, events: false });
    gw.doc['console'] = { writes: false };
    browser = await launch({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    const { page } = browser;
    await page.goto(gw.base + '/');
    await expect.poll(() => page.textContent('#gw-link')).toBe('polling every 2 s');
    await page.locator('#banks .pager', { hasText: 'rows 1–100 of 1000' }).waitFor();
    expect(await page.locator('#banks tbody tr').count()).toBe(100);
    // the document says writes are off: no set button on a holding point
    expect(await page.locator('#banks button.set').count()).toBe(0);
    // /status has no serverTime: the gateway's clock from startedAt + uptimeSeconds
    expect(await page.textContent('#banks tbody tr:first-child td:nth-child(5)')).toMatch(/^1 min 3\d s ago$/);
    await page.click('#banks .pager button[data-page="1"]');
    await page.locator('#banks .pager', { hasText: 'rows 101–200 of 1000' }).waitFor();
    expect(await page.textContent('#banks tbody tr:first-child td:first-child')).toBe('p100');
    // a new document (polled) keeps the page the user chose
    gw.doc['banks'][0].points[150].value = 999_999;
    await page.locator('#banks td', { hasText: '999999' }).waitFor();
    expect(await page.textContent('#banks tbody tr:first-child td:first-child')).toBe('p100');

    const stale = page.locator('#polls tbody tr').first();
    expect(await stale.getAttribute('class')).toBe('bad');
    expect(await stale.textContent()).toContain('stale');
    const color = await stale
      .locator('td')
      .first()
      .evaluate((e) => (globalThis as any).getComputedStyle(e).color as string);
    expect(color).toBe('rgb(255, 123, 114)'); // --bad in the dark scheme
    expect(await page.locator('#polls tbody tr').nth(1).textContent()).toContain('fresh');
    expect(await page.locator('#devices tr', { hasText: 'rs485' }).textContent()).toContain('coalesced 4');
    expect(await page.textContent('#warnings tbody')).toContain('device rs485: timeout');
    await browser.screenshot('console-phone-dark.png');

    const expected = /^Failed to load resource: the server responded with a status of 503/;
    expect(browser.consoleErrors.filter((m) => !expected.test(m))).toEqual([]);
    expect(browser.pageErrors).toEqual([]);
    onlyGateway(browser, gw.base);
  });
});
