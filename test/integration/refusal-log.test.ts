/**
 * Refused connections are logged per source and window, not one line each: an attacker opening
 * hundreds of connections writes a bounded number of lines (the first refusal of each source in
 * full, the rest summed up in one line per source when the window closes, or when the server
 * stops). Every refusal is still counted in the server's totals.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import { Gateway } from '../../src/gateway/gateway.js';
import { CONDITION_WINDOW_MS as LOG_WINDOW_MS } from '../../src/log-limit.js';
import { Totals } from '../../src/status/totals.js';
import { until } from '../helpers/gateway.js';
import { captureLogger, type CapturedLog } from '../helpers/log.js';
import { connectPeer, freePorts } from '../helpers/raw-peers.js';

let gateway: Gateway | undefined;
afterEach(async () => {
  await gateway?.stop();
  gateway = undefined;
});

async function start(yaml: string): Promise<{ captured: CapturedLog; totals: Totals }> {
  const loaded = loadConfigText(yaml, 'test.yaml');
  if (!loaded.ok) throw new Error('test config is invalid');
  const captured = captureLogger('debug');
  const totals = new Totals();
  gateway = new Gateway(loaded.config, { log: captured.log, stopGraceMs: 200, observer: totals });
  await gateway.start();
  return { captured, totals };
}

/** Opens `count` connections to `port`, `parallel` at a time, source address i % sources; each is refused (closed). */
async function refusedConnections(port: number, count: number, sources: number, parallel = 10): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      const peer = await connectPeer(port, `127.0.0.${1 + (i % sources)}`);
      await peer.closed;
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
}

/**
 * How many lines a window of this length may write per source (the full line and a summary), however long the run took.
 */
function bound(sources: number, since: number): number {
  const windows = Math.floor((Date.now() - since) / LOG_WINDOW_MS) + 1;
  return sources * 2 * windows;
}

describe('refused connections: one summariser per source and window', () => {
  it('200 connections refused by the allow list from 10 sources: at most one full line and one summary per source', async () => {
    const { captured, totals } = await start(`
servers:
  - name: locked
    protocol: raw
    listen: 127.0.0.1:0
    handler: echo
    allow: [10.9.9.9]
`);
    const port = gateway!.findServer('locked')!.ports()[0]!.port;
    const since = Date.now();
    await refusedConnections(port, 200, 10);
    const full = captured.events('connection refused');
    expect(full.length).toBeGreaterThanOrEqual(10);
    expect(full.length).toBeLessThanOrEqual(bound(10, since) / 2);
    expect(full[0]).toMatchObject({ why: 'not-allowed', port });
    expect(totals.of('locked')?.refused).toBe(200);
    await gateway!.stop(); // what is still counted is summed up when the server stops
    gateway = undefined;
    const summaries = captured.events('connection refused (repeated)');
    expect(full.length + summaries.length).toBeLessThanOrEqual(bound(10, since));
    expect(new Set(summaries.map((s) => s['address']))).toEqual(
      new Set(Array.from({ length: 10 }, (_, i) => `127.0.0.${i + 1}`)),
    );
    // nothing is lost: the full lines and the summaries' counts add up to every refusal
    expect(full.length + summaries.reduce((n, s) => n + (s['count'] as number), 0)).toBe(200);
    expect(summaries[0]).toMatchObject({ seconds: LOG_WINDOW_MS / 1000, lastReason: 'not-allowed' });
  }, 30_000);

  it('a pool port reserved for another client and a held port: one line per source over both ports', async () => {
    const [reserved, held] = (await freePorts(2)) as [number, number];
    const { captured, totals } = await start(`
servers:
  - name: pool
    protocol: raw
    listen: 127.0.0.1
    handler: echo
    ports:
      ${reserved}: { client: 127.0.0.99 }
      ${held}: {}
`);
    const holder = await connectPeer(held, '127.0.0.50');
    await until(() => gateway!.findServer('pool')!.sessionCount === 1);
    const since = Date.now();
    await refusedConnections(reserved, 50, 2);
    await refusedConnections(held, 50, 2); // replace-same-client: another address is refused (port-busy)
    const refused = captured.events('connection refused');
    expect(refused.length).toBeGreaterThanOrEqual(2);
    expect(refused.length).toBeLessThanOrEqual(bound(2, since) / 2);
    expect(refused[0]).toMatchObject({ why: 'port-reserved', port: reserved });
    expect(totals.of('pool')?.refused).toBe(100);
    await gateway!.stop();
    gateway = undefined;
    const summaries = captured.events('connection refused (repeated)');
    expect(refused.length + summaries.reduce((n, s) => n + (s['count'] as number), 0)).toBe(100);
    expect(summaries.map((s) => s['lastReason'])).toContain('port-busy');
    holder.socket.destroy();
    await holder.closed;
  }, 30_000);
});
