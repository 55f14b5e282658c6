/**
 * GET /events (EventHub) over a real loopback HTTP server: the document at once, coalesced to one
 * event per interval, nothing while it is unchanged, the heartbeat, the stream limit (503), a client
 * that stops reading dropped and counted, close() ending every stream and stopping the timer; a
 * document whose only changes are the clock's (uptime, points' ages) sends nothing, every event carries
 * `serverTime`. The hub's interval timer is faked (setInterval only), sockets are real.
 */
import http from 'node:http';
import net from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Bank } from '../../src/bank/bank.js';
import { buildDocument, type GatewayView, type StatusDocument } from '../../src/status/document.js';
import { EventHub, withoutClock, type EventHubOptions } from '../../src/status/events.js';
import { until } from '../helpers/gateway.js';
import { captureLogger, type CapturedLog } from '../helpers/log.js';

/**
 * A stand-in document: the hub only builds and serializes it. Its uptime and its point's age move on
 * every build, as a real one's do with the clock; `n` and `pad` are the rest of the document.
 */
let state: { n: number; pad: string };
let builds = 0;
const document = () => {
  builds++;
  return {
    ...state,
    uptimeSeconds: 100 + builds / 2,
    banks: [{ name: 'line', points: [{ name: 'speed', value: state.n, ageSeconds: builds / 2 }] }],
  } as unknown as StatusDocument;
};

/** An EventSource-like reader: the blocks of the stream (events and comments), in order. */
class Reader {
  readonly blocks: string[] = [];
  status = 0;
  headers: http.IncomingHttpHeaders = {};
  body = '';
  closed = false;
  /** The server ended the response cleanly (the last chunk came). */
  ended = false;
  private buf = '';
  private taken = 0;
  readonly req: http.ClientRequest;
  readonly ready: Promise<void>;

  constructor(port: number) {
    this.req = http.get({ host: '127.0.0.1', port, path: '/events', agent: false });
    this.ready = new Promise((resolve, reject) => {
      this.req.on('error', (err) => (this.closed ? undefined : reject(err)));
      this.req.on('response', (res) => {
        this.status = res.statusCode ?? 0;
        this.headers = res.headers;
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          if (this.status !== 200) {
            this.body += chunk;
            return;
          }
          this.buf += chunk;
          let end: number;
          while ((end = this.buf.indexOf('\n\n')) >= 0) {
            this.blocks.push(this.buf.slice(0, end + 2));
            this.buf = this.buf.slice(end + 2);
          }
        });
        res.on('close', () => (this.closed = true));
        res.on('end', () => (this.ended = true));
        resolve();
      });
    });
  }

  /** The next block not taken yet (waits for it). */
  async next(): Promise<string> {
    await until(() => this.blocks.length > this.taken, 5000, 'the next event');
    return this.blocks[this.taken++] ?? '';
  }

  /** The next block as a status event's document. */
  async event(): Promise<{ n: number; pad: string; serverTime: number; uptimeSeconds: number }> {
    const block = await this.next();
    expect(block.startsWith('event: status\ndata: ')).toBe(true);
    return JSON.parse(block.slice('event: status\ndata: '.length)) as {
      n: number;
      pad: string;
      serverTime: number;
      uptimeSeconds: number;
    };
  }

  close(): void {
    this.closed = true;
    this.req.destroy();
  }
}

let server: http.Server;
let hub: EventHub;
let port: number;
let captured: CapturedLog;
const readers: Reader[] = [];

async function start(options: EventHubOptions = {}): Promise<void> {
  captured = captureLogger();
  hub = new EventHub(document, captured.log, options);
  server = http.createServer((req, res) => hub.attach(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const addr = server.address();
  port = addr && typeof addr === 'object' ? addr.port : 0;
}

async function open(): Promise<Reader> {
  const r = new Reader(port);
  readers.push(r);
  await r.ready;
  return r;
}

beforeEach(() => {
  state = { n: 0, pad: '' };
  builds = 0;
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
});

afterEach(async () => {
  for (const r of readers.splice(0)) r.close();
  hub?.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  vi.useRealTimers();
});

describe('EventHub', () => {
  it('sends the document at once with the SSE headers, then only when it changed, at most once per interval', async () => {
    await start();
    const r = await open();
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(r.headers['cache-control']).toMatch(/no-cache/);
    expect(r.headers['x-accel-buffering']).toBe('no');
    expect(await r.event()).toMatchObject({ n: 0, pad: '' });
    expect(hub.streams).toBe(1);
    expect(vi.getTimerCount()).toBe(1);

    // Many changes within one interval: one event, with the last.
    for (let i = 1; i <= 10; i++) state = { n: i, pad: '' };
    vi.advanceTimersByTime(499);
    vi.advanceTimersByTime(1);
    // Unchanged for three intervals: no event (the next one received is the next change).
    vi.advanceTimersByTime(1500);
    state = { n: 11, pad: '' };
    vi.advanceTimersByTime(500);
    expect(await r.event()).toMatchObject({ n: 10 });
    expect(await r.event()).toMatchObject({ n: 11 });
    expect(r.blocks).toHaveLength(3);
  });

  it('sends nothing while only the clock moves (uptime, ages); an event carries the full document and serverTime', async () => {
    await start();
    const r = await open();
    const before = Date.now();
    const first = await r.event();
    expect(first).toMatchObject({ n: 0, uptimeSeconds: 100.5 });
    expect(first.serverTime).toBeGreaterThanOrEqual(before - 1000);
    expect(first.serverTime).toBeLessThanOrEqual(Date.now());
    builds = 0;
    // Five ticks: five builds, each with another uptime and age, and no event, no ping.
    vi.advanceTimersByTime(2500);
    expect(builds).toBe(5);
    // A change (a point written): one event, the whole document with the clock fields as built.
    state = { n: 1, pad: '' };
    vi.advanceTimersByTime(500);
    const next = await r.event();
    expect(next).toMatchObject({ n: 1, uptimeSeconds: 103, banks: [{ points: [{ value: 1, ageSeconds: 3 }] }] });
    expect(next.serverTime).toBeGreaterThanOrEqual(first.serverTime);
    // Nothing was written in between: the two events are all the stream got.
    expect(r.blocks).toHaveLength(2);
    // A page opened later gets the document at once with its own serverTime.
    const late = await open();
    expect(await late.event()).toMatchObject({ n: 1 });
    vi.advanceTimersByTime(1500);
    state = { n: 2, pad: '' };
    vi.advanceTimersByTime(500);
    expect(await r.event()).toMatchObject({ n: 2 });
    expect(await late.event()).toMatchObject({ n: 2 });
    expect(r.blocks).toHaveLength(3);
    expect(late.blocks).toHaveLength(2);
  });

  it('withoutClock leaves out uptimeSeconds and every ageSeconds, and keeps everything else', () => {
    const doc = {
      gateway: 'gw',
      uptimeSeconds: 12.3,
      startedAt: '2026-01-01T00:00:00.000Z',
      banks: [
        {
          name: 'b',
          points: [{ name: 'p', value: 7, updatedAt: '2026-01-01T00:00:01.000Z', ageSeconds: 1.5 }],
        },
      ],
      warnings: [],
    } as unknown as StatusDocument;
    expect(withoutClock(doc)).toEqual({
      gateway: 'gw',
      startedAt: '2026-01-01T00:00:00.000Z',
      banks: [{ name: 'b', points: [{ name: 'p', value: 7, updatedAt: '2026-01-01T00:00:01.000Z' }] }],
      warnings: [],
    });
    // the document itself is not changed
    expect(doc.uptimeSeconds).toBe(12.3);
    expect(doc.banks[0]?.points[0]?.ageSeconds).toBe(1.5);
  });

  it('a real document built 10 s later is the same without its clock fields; a point write changes it', () => {
    const bank = new Bank({
      name: 'line',
      tables: { holding: 4 },
      values: {},
      points: [{ name: 'speed', table: 'holding', address: 0, type: 'uint16', order: 'ABCD', scale: 1, offset: 0 }],
    });
    const t0 = new Date('2026-01-01T10:00:00Z');
    bank.point('speed')?.set(5, t0.getTime() - 1000);
    const view: GatewayView = {
      name: 'gw',
      startedAt: new Date(t0.getTime() - 60_000),
      configFile: undefined,
      reloads: { applied: 0, refused: 0, last: null },
      serverViews: () => [],
      deviceLinks: () => [],
      banks: new Map([['line', bank]]),
    };
    const a = buildDocument(view, '0.1.0', undefined, t0);
    const b = buildDocument(view, '0.1.0', undefined, new Date(t0.getTime() + 10_000));
    expect([a.uptimeSeconds, b.uptimeSeconds]).toEqual([60, 70]);
    expect([a.banks[0]?.points[0]?.ageSeconds, b.banks[0]?.points[0]?.ageSeconds]).toEqual([1, 11]);
    expect(JSON.stringify(withoutClock(b))).toBe(JSON.stringify(withoutClock(a)));
    bank.point('speed')?.set(6, t0.getTime() + 10_000);
    const c = buildDocument(view, '0.1.0', undefined, new Date(t0.getTime() + 10_000));
    expect(JSON.stringify(withoutClock(c))).not.toBe(JSON.stringify(withoutClock(b)));
  });

  it('builds and serializes the document once per interval however many streams are open', async () => {
    await start();
    const rs = [await open(), await open(), await open()];
    for (const r of rs) await r.event();
    builds = 0;
    state = { n: 1, pad: '' };
    vi.advanceTimersByTime(500);
    expect(builds).toBe(1);
    for (const r of rs) expect(await r.event()).toMatchObject({ n: 1 });
    vi.advanceTimersByTime(500);
    expect(builds).toBe(2);
  });

  it('sends a heartbeat comment after 15 s without output, not before', async () => {
    await start();
    const r = await open();
    await r.event();
    vi.advanceTimersByTime(14_500);
    state = { n: 1, pad: '' }; // the event resets the idle time
    vi.advanceTimersByTime(500);
    expect(await r.event()).toMatchObject({ n: 1 });
    vi.advanceTimersByTime(14_500);
    state = { n: 2, pad: '' };
    vi.advanceTimersByTime(500);
    expect(await r.event()).toMatchObject({ n: 2 });
    vi.advanceTimersByTime(15_000);
    expect(await r.next()).toBe(': ping\n\n');
    vi.advanceTimersByTime(15_000);
    expect(await r.next()).toBe(': ping\n\n');
  });

  it('answers a HEAD with the event-stream headers and no stream', async () => {
    await start();
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http
        .request({ host: '127.0.0.1', port, path: '/events', method: 'HEAD', agent: false }, resolve)
        .on('error', reject)
        .end();
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(hub.streams).toBe(0);
    expect(builds).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('refuses the 17th stream with 503 and a reason, and takes one again when a stream closes', async () => {
    await start();
    const rs: Reader[] = [];
    for (let i = 0; i < 16; i++) rs.push(await open());
    expect(hub.streams).toBe(16);
    const over = await open();
    expect(over.status).toBe(503);
    await until(() => over.closed, 5000, 'the 503 body');
    expect(over.body).toMatch(/too many event streams open \(16\)/);
    expect(hub.refused).toBe(1);
    expect(captured.events('event stream refused: too many streams')).toHaveLength(1);
    rs[0]?.close();
    await until(() => hub.streams === 15, 5000, 'the closed stream to be forgotten');
    const again = await open();
    expect(again.status).toBe(200);
    expect(await again.event()).toMatchObject({ n: 0 });
    expect(hub.streams).toBe(16);
  });

  it('forgets a client that goes away and stops the timer with the last stream', async () => {
    await start();
    const a = await open();
    const b = await open();
    expect(vi.getTimerCount()).toBe(1);
    a.close();
    await until(() => hub.streams === 1, 5000, 'a to be forgotten');
    expect(vi.getTimerCount()).toBe(1);
    b.close();
    await until(() => hub.streams === 0, 5000, 'b to be forgotten');
    expect(vi.getTimerCount()).toBe(0);
    builds = 0;
    vi.advanceTimersByTime(5000);
    expect(builds).toBe(0);
  });

  it('close() ends every stream cleanly and stops the timer; the hub takes streams again after', async () => {
    await start();
    const rs = [await open(), await open()];
    for (const r of rs) await r.event();
    hub.close();
    expect(hub.streams).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
    await until(() => rs.every((r) => r.ended), 5000, 'the streams to end');
    const again = await open();
    expect(await again.event()).toMatchObject({ n: 0 });
    expect(vi.getTimerCount()).toBe(1);
  });

  it('drops a stream whose client stopped reading (counted, logged once), and keeps serving a reading one', async () => {
    await start();
    // A client that sends its request and never reads.
    const stalled = net.connect(port, '127.0.0.1');
    await new Promise<void>((resolve) => stalled.once('connect', resolve));
    stalled.pause();
    stalled.write('GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    await until(() => hub.streams === 1, 5000, 'the stalled stream to open');
    const reading = await open();
    await reading.event();
    const big = 'x'.repeat(1024 * 1024);
    let n = 0;
    while (hub.dropped === 0 && n < 200) {
      state = { n: ++n, pad: big };
      vi.advanceTimersByTime(500);
      // Let the reading client take its event (and the kernel move bytes) before the next one.
      expect(await reading.event()).toMatchObject({ n });
    }
    expect(hub.dropped).toBe(1);
    expect(hub.streams).toBe(1);
    const dropped = captured.events('event stream dropped: the client does not read');
    expect(dropped).toHaveLength(1);
    expect(dropped[0]).toMatchObject({ limit: 512 * 1024 });
    stalled.destroy();
    state = { n: ++n, pad: '' };
    vi.advanceTimersByTime(500);
    expect(await reading.event()).toMatchObject({ n });
  });
});
