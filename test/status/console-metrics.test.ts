/**
 * /metrics for the web console's event streams on a running gateway's status endpoint:
 * `fieldgate_console_streams` follows the open /events streams, `_refused_total` counts the 503s
 * past the stream limit, `_dropped_total` is read from the hub's counter; the status document's
 * `console.writes` is false without `writes: true`.
 */
import http from 'node:http';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defineConsoleMetrics } from '../../src/status/console-metrics.js';
import { EVENT_LIMITS } from '../../src/status/events.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { parsePrometheusText, sampleValue } from '../helpers/prom-text.js';

let rg: RunningGateway;
let base = '';

beforeAll(async () => {
  rg = await startGateway(`
status: { listen: 127.0.0.1:0 }
banks: { line: { holding: 4, points: [{ name: speed, table: holding, address: 0, type: uint16 }] } }
`);
  base = `http://127.0.0.1:${rg.gateway.statusPort}`;
});

afterAll(async () => {
  await rg?.stop();
});

/** Opens GET /events; resolves with the status code once the answer's head came. */
function openStream(): Promise<{ status: number; req: http.ClientRequest }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${base}/events`, { agent: false }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, req });
    });
    req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
  });
}

async function metric(name: string): Promise<number | undefined> {
  const text = await (await fetch(`${base}/metrics`)).text();
  return sampleValue(parsePrometheusText(text), name);
}

describe('console stream metrics', () => {
  it('counts open streams and refusals past the limit', async () => {
    expect(await metric('fieldgate_console_streams')).toBe(0);
    expect(await metric('fieldgate_console_streams_refused_total')).toBe(0);
    expect(await metric('fieldgate_console_streams_dropped_total')).toBe(0);
    const open: http.ClientRequest[] = [];
    try {
      for (let i = 0; i < EVENT_LIMITS.maxStreams; i++) {
        const s = await openStream();
        expect(s.status).toBe(200);
        open.push(s.req);
      }
      expect(await metric('fieldgate_console_streams')).toBe(EVENT_LIMITS.maxStreams);
      const over = await openStream();
      open.push(over.req);
      expect(over.status).toBe(503);
      expect(await metric('fieldgate_console_streams_refused_total')).toBe(1);
    } finally {
      for (const r of open) r.destroy();
    }
    await expect.poll(() => metric('fieldgate_console_streams'), { timeout: 5000 }).toBe(0);
    expect(await metric('fieldgate_console_streams_refused_total')).toBe(1);
  });

  it('the status document says writes are off without status.writes', async () => {
    const doc = (await (await fetch(`${base}/status`)).json()) as { console?: { writes: boolean } };
    expect(doc.console).toEqual({ writes: false });
  });

  it('reads the dropped counter from the hub', async () => {
    const registry = new Registry();
    const hub = { streams: 2, dropped: 3, refused: 4 };
    defineConsoleMetrics(registry, hub);
    const read = async (name: string) => sampleValue(parsePrometheusText(await registry.metrics()), name);
    expect(await read('fieldgate_console_streams_dropped_total')).toBe(3);
    hub.dropped = 5;
    expect(await read('fieldgate_console_streams_dropped_total')).toBe(5);
    expect(await read('fieldgate_console_streams')).toBe(2);
    expect(await read('fieldgate_console_streams_refused_total')).toBe(4);
  });
});
