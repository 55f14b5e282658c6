/**
 * Live reload, in process: a real Gateway on loopback, reloaded with configs from YAML text (the same
 * loader as SIGHUP). Unchanged servers keep their sessions; changed ones restart; bad files are refused.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import { closeClient, modbusClient, rawConnect } from '../helpers/clients.js';
import { startGateway, until, type RunningGateway } from '../helpers/gateway.js';

const yaml = (
  o: { readOnly?: boolean; extra?: boolean; holding?: number; initial?: string; level?: string; more?: string } = {},
) => `
gateway: { name: reload-test }
log: { level: ${o.level ?? 'info'} }
banks:
  plant: { holding: ${o.holding ?? 10}, values: { holding: { 0: ${o.initial ?? '[11, 22]'} } } }
  side: { holding: 4 }
servers:
  - { name: scada, protocol: modbus, listen: 127.0.0.1:0, bank: plant }
  - { name: hmi, protocol: modbus, listen: 127.0.0.1:0, bank: side, readOnly: ${o.readOnly ?? false} }
${o.extra ? '  - { name: extra, protocol: modbus, listen: 127.0.0.1:0, bank: side }\n' : ''}${o.more ?? ''}`;

const load = (text: string) => loadConfigText(text, 'reload.yaml');

let running: RunningGateway | undefined;
const clients: { close(cb: () => void): void; isOpen: boolean }[] = [];

async function start(text: string, options: Parameters<typeof startGateway>[1] = {}): Promise<RunningGateway> {
  running = await startGateway(text, options);
  return running;
}

afterEach(async () => {
  for (const c of clients.splice(0)) await closeClient(c as Parameters<typeof closeClient>[0]);
  await running?.stop();
  running = undefined;
});

async function client(port: number) {
  const c = await modbusClient(port);
  clients.push(c);
  return c;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

describe('reload', () => {
  it('a session on an unchanged server survives ten reloads and keeps answering', async () => {
    const rg = await start(yaml());
    const port = rg.port('scada');
    const c = await client(port);
    await c.writeRegister(5, 500);
    for (let i = 0; i < 10; i++) {
      const outcome = await rg.gateway.reload(load(yaml({ readOnly: i % 2 === 0, extra: i % 3 === 0 })));
      expect(outcome.result).toBe('applied');
      expect((await c.readHoldingRegisters(0, 2)).data).toEqual([11, 22]);
      expect((await c.readHoldingRegisters(5, 1)).data).toEqual([500]);
    }
    expect(rg.port('scada')).toBe(port);
    const scadaClosed = rg.captured.events('session closed').filter((l) => l['server'] === 'scada');
    expect(scadaClosed).toEqual([]);
    expect(rg.captured.events('reload applied')).toHaveLength(10);
    // hmi changed on every reload: it was restarted each time
    expect(
      rg.captured
        .events('reload applied')
        .every((l) => (l['servers'] as { restarted: string[] }).restarted.includes('hmi')),
    ).toBe(true);
  });

  it("a changed server's sessions close with reason reload, and its new settings apply", async () => {
    const rg = await start(yaml());
    const before = await client(rg.port('hmi'));
    await before.writeRegister(1, 7);
    const outcome = await rg.gateway.reload(load(yaml({ readOnly: true })));
    expect(outcome.summary).toBe('servers ~hmi (1 unchanged)');
    await until(
      () => rg.captured.events('session closed').some((l) => l['server'] === 'hmi' && l['reason'] === 'reload'),
      3000,
      'hmi session closed',
    );
    const after = await client(rg.port('hmi'));
    await expect(after.writeRegister(1, 8)).rejects.toMatchObject({ modbusCode: 1 });
    expect((await after.readHoldingRegisters(1, 1)).data).toEqual([7]);
  });

  it('a broken file is refused, every problem is logged, and the old config keeps serving', async () => {
    const rg = await start(yaml());
    const c = await client(rg.port('scada'));
    const running = rg.gateway.config;
    const broken = yaml().replace('bank: plant }', 'bank: nope }').replace('readOnly: false', 'readOnly: maybe');
    const outcome = await rg.gateway.reload(load(broken));
    expect(outcome.result).toBe('refused');
    const problems = rg.captured.events('reload: configuration problem').map((l) => String(l['problem']));
    expect(problems.some((p) => /servers\[0\]\.bank/.test(p))).toBe(true);
    expect(problems.some((p) => /servers\[1\]\.readOnly/.test(p))).toBe(true);
    expect(rg.captured.lines.some((l) => String(l['msg']).startsWith('reload refused'))).toBe(true);
    expect(rg.gateway.config).toBe(running);
    expect((await c.readHoldingRegisters(0, 2)).data).toEqual([11, 22]);
    expect(rg.gateway.reloads).toMatchObject({ applied: 0, refused: 1 });
  });

  it('a bank keeps its written values across reloads; a reshaped bank starts again from its initial values', async () => {
    const rg = await start(yaml());
    const c = await client(rg.port('scada'));
    await c.writeRegisters(0, [1000, 1001]);
    await c.writeRegister(9, 9009);
    // new initial values and a restarted server: the live values stay
    const kept = await rg.gateway.reload(load(yaml({ initial: '[5, 5]', readOnly: true })));
    expect(kept.summary).toContain('plant keeps its live values');
    expect((await c.readHoldingRegisters(0, 2)).data).toEqual([1000, 1001]);
    expect((await c.readHoldingRegisters(9, 1)).data).toEqual([9009]);
    // a new shape: the bank is built anew, and scada (which serves it) restarts
    const reshaped = await rg.gateway.reload(load(yaml({ holding: 20, initial: '[5, 5]' })));
    expect(reshaped.summary).toContain('reshaped plant');
    const c2 = await client(rg.port('scada'));
    expect((await c2.readHoldingRegisters(0, 2)).data).toEqual([5, 5]);
    expect((await c2.readHoldingRegisters(19, 1)).data).toEqual([0]);
  });

  it('removed servers close, added servers open', async () => {
    const rg = await start(yaml({ extra: true }));
    const oldPort = rg.port('extra');
    const conn = await rawConnect(oldPort);
    await rg.gateway.reload(load(yaml({ extra: false })));
    await conn.closed;
    expect(rg.gateway.findServer('extra')).toBeUndefined();
    await expect(rawConnect(oldPort)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    await rg.gateway.reload(load(yaml({ extra: true })));
    const c = await client(rg.port('extra'));
    expect((await c.readHoldingRegisters(0, 1)).data).toEqual([0]);
    expect(rg.gateway.servers.map((s) => s.name)).toEqual(['scada', 'hmi', 'extra']);
  });

  it('a port that cannot be bound leaves that server down, applies the rest, and is tried again by the next reload', async () => {
    const busy = await freePort();
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(busy, '127.0.0.1', () => r()));
    const more = `  - { name: late, protocol: modbus, listen: 127.0.0.1:${busy}, bank: side }\n`;
    // the bind retry (bind-retry.test.ts) is kept from coming first here
    const rg = await start(yaml() + 'status: { listen: 127.0.0.1:0 }\n', {
      bindRetry: { min: 60_000, max: 60_000, jitter: 0 },
    });
    try {
      const outcome = await rg.gateway.reload(load(yaml({ extra: true, more }) + 'status: { listen: 127.0.0.1:0 }\n'));
      expect(outcome.result).toBe('applied');
      expect(outcome.down).toEqual(['late']);
      expect(rg.captured.events('server down: it could not be started on reload')[0]).toMatchObject({ server: 'late' });
      const c = await client(rg.port('extra'));
      expect((await c.readHoldingRegisters(0, 1)).data).toEqual([0]);
      const doc = rg.gateway.statusDocument();
      const late = doc?.servers.find((s) => s.name === 'late');
      expect(late).toMatchObject({ state: 'down', ports: [{ port: busy, session: null }] });
      expect(late?.error).toContain('already in use');
      const health = await fetch(`http://127.0.0.1:${rg.gateway.statusPort}/health`);
      expect(health.status).toBe(503);
      expect(((await health.json()) as { problems: string[] }).problems).toEqual([
        expect.stringMatching(
          /^server late is down: .*already in use.*; binding is retried \(0 failed so far, next in \d+\.\d s\)$/,
        ),
      ]);
    } finally {
      await new Promise<void>((r) => blocker.close(() => r()));
    }
    const retried = await rg.gateway.reload(load(yaml({ extra: true, more }) + 'status: { listen: 127.0.0.1:0 }\n'));
    expect(retried.down).toEqual([]);
    expect(retried.summary).toContain('started again: late');
    const c = await client(busy);
    expect((await c.readHoldingRegisters(0, 1)).data).toEqual([0]);
    expect(rg.gateway.statusDocument()?.servers.find((s) => s.name === 'late')?.state).toBe('listening');
  });

  it('the log level changes at once', async () => {
    const rg = await start(yaml());
    await rg.gateway.reload(load(yaml({ level: 'warn' })));
    expect(rg.captured.log.level).toBe('warn');
    const seen = rg.captured.lines.length;
    const c = await client(rg.port('scada'));
    await c.readHoldingRegisters(0, 1);
    // "session opened" is info: no longer logged
    expect(rg.captured.lines.slice(seen).filter((l) => l['msg'] === 'session opened')).toEqual([]);
    await rg.gateway.reload(load(yaml({ level: 'debug' })));
    expect(rg.captured.log.level).toBe('debug');
    expect(rg.captured.events('reload applied').at(-1)).toMatchObject({
      logLevel: 'debug',
      summary: 'log level debug',
    });
  });

  it('the status endpoint can be added, moved and removed by a reload', async () => {
    const rg = await start(yaml());
    expect(rg.gateway.statusPort).toBe(0);
    await rg.gateway.reload(load(yaml() + 'status: { listen: 127.0.0.1:0 }\n'));
    const port = rg.gateway.statusPort;
    expect(port).toBeGreaterThan(0);
    const health = await fetch(`http://127.0.0.1:${port}/health`);
    expect(health.status).toBe(200);
    await rg.gateway.reload(load(yaml()));
    expect(rg.gateway.statusPort).toBe(0);
    await expect(rawConnect(port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it('a changed device reconnects; an unchanged one keeps its connection', async () => {
    // a stand-in PLC: it only accepts connections and counts them
    const accepted: net.Socket[] = [];
    const plc = net.createServer((s) => accepted.push(s.on('error', () => undefined)));
    await new Promise<void>((r) => plc.listen(0, '127.0.0.1', () => r()));
    const port = (plc.address() as net.AddressInfo).port;
    const device = (timeout: string) =>
      `devices:\n  - { name: plc, type: modbus-tcp, host: 127.0.0.1, port: ${port}, timeout: ${timeout} }\n`;
    try {
      const rg = await start(yaml() + device('1s'));
      await until(() => accepted.length === 1, 3000, 'the device connects');
      expect((await rg.gateway.reload(load(yaml({ readOnly: true }) + device('1s')))).summary).toBe(
        'servers ~hmi (1 unchanged)',
      );
      expect(accepted).toHaveLength(1);
      expect(accepted[0]?.destroyed).toBe(false);
      const changed = await rg.gateway.reload(load(yaml({ readOnly: true }) + device('2s')));
      expect(changed.summary).toBe('devices ~plc (0 unchanged)');
      await until(() => accepted.length === 2, 3000, 'the changed device connects again');
      await until(
        () => accepted[0]?.readableEnded === true || accepted[0]?.destroyed === true,
        3000,
        'the old connection is closed',
      );
      expect(rg.gateway.devices.get('plc')?.config).toMatchObject({ timeout: 2000 });
      expect(rg.gateway.deviceLinks().map((d) => d.name)).toEqual(['plc']);
    } finally {
      for (const s of accepted) s.destroy();
      await new Promise<void>((r) => plc.close(() => r()));
    }
  });
});
