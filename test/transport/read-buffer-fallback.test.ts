/**
 * When an accepted socket's internals are not what the reused-read-buffer fast path expects (another
 * Node version), the connection still works with Node's own buffers, the first such fallback in the
 * process is logged with the reason and the Node version, and every one is counted in /metrics.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayView } from '../../src/status/document.js';
import { Metrics } from '../../src/status/metrics.js';
import { Totals } from '../../src/status/totals.js';
import { readBufferFallbacks, withReadBuffer } from '../../src/transport/accepted-socket.js';
import { captureLogger } from '../helpers/log.js';
import { parsePrometheusText, sampleValue } from '../helpers/prom-text.js';

const WARNING =
  "accepted connections fall back to Node's own read buffers (more CPU per byte and per request): unexpected socket internals";

/** The accepted socket as a Node whose TCP handles have no useUserBuffer() would give it. */
function withoutUserBuffer(accepted: net.Socket): net.Socket {
  const handle = (accepted as unknown as { _handle: { useUserBuffer?: unknown } })._handle;
  handle.useUserBuffer = undefined;
  return accepted;
}

const view: GatewayView = {
  name: 'fallback-test',
  startedAt: new Date(),
  configFile: undefined,
  reloads: { applied: 0, refused: 0, last: null },
  serverViews: () => [],
  deviceLinks: () => [],
};

const closers: (() => void)[] = [];
afterEach(() => {
  closers.splice(0).forEach((close) => close());
});

describe('withReadBuffer when the fast path does not fit', () => {
  it('keeps the accepted socket working, warns once with the reason and the Node version, and counts each', async () => {
    const captured = captureLogger();
    const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true });
    const used: { accepted: net.Socket; socket: net.Socket }[] = [];
    server.on('connection', (accepted) => {
      const socket = withReadBuffer(withoutUserBuffer(accepted), server, true, captured.log);
      used.push({ accepted, socket });
      socket.on('data', (c: Buffer) => socket.write(c)); // echo
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    closers.push(() => server.close());
    const before = readBufferFallbacks();

    for (const text of ['one', 'two']) {
      const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
      closers.push(() => client.destroy());
      const echoed = new Promise<string>((r) => client.once('data', (c: Buffer) => r(c.toString())));
      client.write(text);
      expect(await echoed).toBe(text);
    }

    expect(used).toHaveLength(2);
    for (const u of used) expect(u.socket).toBe(u.accepted); // used as accepted, not moved
    expect(readBufferFallbacks()).toBe(before + 2);
    expect(captured.events(WARNING)).toEqual([
      expect.objectContaining({ level: 40, reason: 'its handle has no useUserBuffer()', node: process.version }),
    ]);
    const metrics = new Metrics(view, new Totals(), 'test');
    const families = parsePrometheusText(await metrics.render());
    expect(families.get('fieldgate_read_buffer_fallbacks_total')?.type).toBe('counter');
    expect(sampleValue(families, 'fieldgate_read_buffer_fallbacks_total')).toBe(readBufferFallbacks());
    for (const u of used) u.socket.destroy();
  });
});
