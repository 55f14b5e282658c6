/**
 * A server whose port is busy on reload is bound again with backoff until the port frees, without
 * another reload; meanwhile /status shows it down with the reason and the next attempt, and /health
 * answers 503. A reload or stop cancels the retry. Real gateway on loopback; the backoff is made
 * short for the test, every wait is bounded.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import { closeClient, modbusClient, rawConnect } from '../helpers/clients.js';
import { startGateway, until, type RunningGateway } from '../helpers/gateway.js';

const STATUS = 'status: { listen: 127.0.0.1:0 }\n';
const yaml = (late?: number) => `
gateway: { name: retry-test }
banks:
  plant: { holding: 4, values: { holding: { 0: [7, 8] } } }
servers:
  - { name: scada, protocol: modbus, listen: 127.0.0.1:0, bank: plant }
${late === undefined ? '' : `  - { name: late, protocol: modbus, listen: 127.0.0.1:${late}, bank: plant }\n`}${STATUS}`;

const load = (text: string) => loadConfigText(text, 'retry.yaml');
const RETRY = { bindRetry: { min: 20, max: 80, jitter: 0 } };

let running: RunningGateway | undefined;
let blocker: net.Server | undefined;

afterEach(async () => {
  await running?.stop();
  running = undefined;
  if (blocker?.listening) await new Promise<void>((r) => blocker!.close(() => r()));
  blocker = undefined;
});

/** A port held by another program (a plain listener). */
async function busyPort(): Promise<number> {
  blocker = net.createServer();
  await new Promise<void>((r) => blocker!.listen(0, '127.0.0.1', () => r()));
  return (blocker.address() as net.AddressInfo).port;
}

const freeBlocker = () => new Promise<void>((r) => blocker!.close(() => r()));
const lateEntry = (rg: RunningGateway) => rg.gateway.statusDocument()?.servers.find((s) => s.name === 'late');
const health = async (rg: RunningGateway) => {
  const r = await fetch(`http://127.0.0.1:${rg.gateway.statusPort}/health`);
  return { status: r.status, body: (await r.json()) as { ok: boolean; problems: string[] } };
};

describe('binding again a port that was busy on reload', () => {
  it('retries with backoff, reports it meanwhile, and serves once the port frees, without another reload', async () => {
    const port = await busyPort();
    const rg = (running = await startGateway(yaml(), RETRY));
    const outcome = await rg.gateway.reload(load(yaml(port)));
    expect(outcome).toMatchObject({ result: 'applied', down: ['late'] });
    // several attempts fail while the port is held; they are not logged one by one
    await until(() => (lateEntry(rg)?.retry?.attempts ?? 0) >= 3, 3000, 'three attempts');
    const entry = lateEntry(rg);
    expect(entry).toMatchObject({ state: 'down', ports: [{ port, session: null }] });
    expect(entry?.error).toContain('already in use');
    expect(Date.parse(entry?.retry?.nextAttemptAt ?? '')).toBeGreaterThan(Date.now() - 1000);
    const h = await health(rg);
    expect(h.status).toBe(503);
    expect(h.body.problems).toHaveLength(1);
    expect(h.body.problems[0]).toMatch(
      new RegExp(
        `^server late is down: .*already in use.*; binding is retried \\(\\d+ failed so far, next in \\d+\\.\\d s\\)$`,
      ),
    );
    expect(rg.captured.events('server down: it could not be started on reload')).toHaveLength(1);
    expect(rg.captured.events('server down: it could not be started on reload')[0]).toMatchObject({
      server: 'late',
      retry: true,
    });

    await freeBlocker();
    await until(() => rg.gateway.findServer('late') !== undefined, 3000, 'late listening');
    const c = await modbusClient(port);
    try {
      expect((await c.readHoldingRegisters(0, 2)).data).toEqual([7, 8]);
    } finally {
      await closeClient(c);
    }
    expect(lateEntry(rg)).toMatchObject({ state: 'listening', error: null });
    expect(lateEntry(rg)?.retry).toBeUndefined();
    expect((await health(rg)).status).toBe(200);
    expect(rg.captured.events('server listening again: its port is free')).toHaveLength(1);
    expect(rg.captured.events('server listening again: its port is free')[0]).toMatchObject({ server: 'late' });
    expect(rg.gateway.servers.map((s) => s.name)).toEqual(['scada', 'late']);
  });

  it('a reload that removes the server, or a stop, cancels the retry', async () => {
    const port = await busyPort();
    const rg = (running = await startGateway(yaml(), RETRY));
    await rg.gateway.reload(load(yaml(port)));
    await until(() => (lateEntry(rg)?.retry?.attempts ?? 0) >= 1, 3000, 'an attempt');
    await rg.gateway.reload(load(yaml()));
    expect(lateEntry(rg)).toBeUndefined();
    expect(rg.gateway.down.size).toBe(0);
    await freeBlocker();
    // ten backoff periods later nothing took the port
    await new Promise((r) => setTimeout(r, 800));
    await expect(rawConnect(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(rg.gateway.findServer('late')).toBeUndefined();

    const again = await busyPort();
    await rg.gateway.reload(load(yaml(again)));
    await until(() => (lateEntry(rg)?.retry?.attempts ?? 0) >= 1, 3000, 'an attempt');
    await rg.stop();
    await freeBlocker();
    await new Promise((r) => setTimeout(r, 800));
    await expect(rawConnect(again)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    expect(rg.captured.events('server listening again: its port is free')).toHaveLength(0);
  });

  it('an unchanged server still down is tried at once by a reload, and left to retry if its port is still busy', async () => {
    const port = await busyPort();
    const rg = (running = await startGateway(yaml(), { bindRetry: { min: 60_000, max: 60_000, jitter: 0 } }));
    await rg.gateway.reload(load(yaml(port)));
    expect(lateEntry(rg)?.retry?.attempts).toBe(0);
    const still = await rg.gateway.reload(load(yaml(port)));
    expect(still.down).toEqual(['late']);
    expect(lateEntry(rg)?.retry).toMatchObject({ attempts: 0 });
    await freeBlocker();
    const retried = await rg.gateway.reload(load(yaml(port)));
    expect(retried).toMatchObject({ down: [], summary: 'started again: late' });
    expect(lateEntry(rg)).toMatchObject({ state: 'listening' });
  });
});
