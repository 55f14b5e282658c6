/**
 * Omron-style port pools over loopback: one session per port, reserved clients (127.0.0.2 vs
 * 127.0.0.1: both loopback), onBusy, the allocation table, and Modbus pools whose ports decide which
 * bank a PLC's writes land in.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import { Gateway } from '../../src/gateway/gateway.js';
import { LOG_WINDOW_MS } from '../../src/log-limit.js';
import { Totals } from '../../src/status/totals.js';
import { closeClient, modbusClient } from '../helpers/clients.js';
import { startGateway, until, type RunningGateway } from '../helpers/gateway.js';
import { captureLogger } from '../helpers/log.js';
import { connectPeer, freePorts, type Peer } from '../helpers/raw-peers.js';
import { createRequire } from 'node:module';
import type { ModbusRTU as ModbusClient } from 'modbus-serial/ModbusRTU.js';

let gw: RunningGateway | undefined;
afterEach(async () => {
  vi.useRealTimers();
  await gw?.stop();
  gw = undefined;
});

function rawPool(ports: string, extra = ''): string {
  return `
servers:
  - name: pool
    protocol: raw
    listen: 127.0.0.1
    handler: echo
    ports:
${ports}
${extra}`;
}

const server = () => gw!.gateway.findServer('pool')!;

describe('port pool (raw)', () => {
  it('two clients on two ports are both served; the allocation table shows who holds which port', async () => {
    const [p1, p2] = (await freePorts(2)) as [number, number];
    gw = await startGateway(rawPool(`      ${p1}: {}\n      ${p2}: { client: 127.0.0.1 }`));
    // the table is in port order
    const order = (rows: unknown[][]) => rows.sort((x, y) => (x[0] as number) - (y[0] as number));
    const a = await connectPeer(p1);
    const b = await connectPeer(p2);
    a.send('a');
    b.send('b');
    await Promise.all([a.until((t) => t === 'a'), b.until((t) => t === 'b')]);
    const table = server().ports();
    expect(table.map((e) => [e.port, e.address, e.client, e.session?.remote])).toEqual(
      order([
        [p1, '127.0.0.1', null, `127.0.0.1:${a.socket.localPort}`],
        [p2, '127.0.0.1', '127.0.0.1', `127.0.0.1:${b.socket.localPort}`],
      ]),
    );
    expect(gw.captured.events('port allocated').map((l) => [l['port'], l['peer']])).toEqual([
      [p1, `127.0.0.1:${a.socket.localPort}`],
      [p2, `127.0.0.1:${b.socket.localPort}`],
    ]);
    await a.end();
    await until(
      () =>
        server()
          .ports()
          .find((e) => e.port === p1)?.session === null,
    );
    expect(gw.captured.events('port released')[0]).toMatchObject({ port: p1 });
  });

  it('reject: a connection to a busy port is refused and logged; the holder goes on', async () => {
    const [p1] = (await freePorts(1)) as [number];
    gw = await startGateway(rawPool(`      ${p1}: {}`, '    onBusy: reject'));
    const holder = await connectPeer(p1);
    await until(() => server().sessionCount === 1);
    const second = await connectPeer(p1);
    const from = second.socket.localPort;
    await second.closed;
    expect(gw.captured.events('connection refused').at(-1)).toMatchObject({
      port: p1,
      why: 'port-busy',
      peer: `127.0.0.1:${from}`,
    });
    holder.send('still mine');
    await holder.until((t) => t === 'still mine');
  });

  it('replace-same-client (the default): the same address reconnecting replaces its old (half-open) session', async () => {
    const [p1] = (await freePorts(1)) as [number];
    gw = await startGateway(rawPool(`      ${p1}: {}`));
    const old = await connectPeer(p1);
    const oldPort = old.socket.localPort;
    await until(() => server().sessionCount === 1);
    const rebooted = await connectPeer(p1); // the PLC rebooted: its old connection is still there
    await old.closed;
    rebooted.send('new');
    await rebooted.until((t) => t === 'new');
    expect(gw.captured.events('port session replaced')[0]).toMatchObject({
      port: p1,
      peer: `127.0.0.1:${rebooted.socket.localPort}`,
      previous: `127.0.0.1:${oldPort}`,
    });
    await until(() => gw!.captured.events('session closed').length === 1);
    expect(gw.captured.events('session closed')[0]).toMatchObject({ reason: 'replaced' });
    expect(server().ports()[0]?.session?.remote).toBe(`127.0.0.1:${rebooted.socket.localPort}`);
    // another address does not take a held port under replace-same-client
    const other = await connectPeer(p1, '127.0.0.2');
    await other.closed;
    expect(gw.captured.events('connection refused').at(-1)).toMatchObject({ port: p1, why: 'port-busy' });
  });

  it('replace: any newcomer takes the port', async () => {
    const [p1] = (await freePorts(1)) as [number];
    gw = await startGateway(rawPool(`      ${p1}: {}`, '    onBusy: replace'));
    const first = await connectPeer(p1, '127.0.0.2');
    await until(() => server().sessionCount === 1);
    const second = await connectPeer(p1);
    await first.closed;
    second.send('x');
    await second.until((t) => t === 'x');
  });

  it('a port reserved for a client refuses every other address', async () => {
    const [p1] = (await freePorts(1)) as [number];
    gw = await startGateway(rawPool(`      ${p1}: { client: 127.0.0.2 }`));
    const wrong = await connectPeer(p1);
    await wrong.closed;
    expect(gw.captured.events('connection refused').at(-1)).toMatchObject({ port: p1, why: 'port-reserved' });
    const right = await connectPeer(p1, '127.0.0.2');
    right.send('ok');
    await right.until((t) => t === 'ok');
    expect(server().ports()[0]).toMatchObject({
      client: '127.0.0.2',
      session: { remote: `127.0.0.2:${right.socket.localPort}` },
    });
  });

  it('idleTimeout frees a port held by a silent (half-open) session', async () => {
    const [p1] = (await freePorts(1)) as [number];
    gw = await startGateway(rawPool(`      ${p1}: {}`, '    onBusy: reject\n    idleTimeout: 150ms'));
    const silent = await connectPeer(p1, '127.0.0.2');
    await silent.closed;
    await until(() => server().ports()[0]?.session === null);
    const next = await connectPeer(p1);
    next.send('mine now');
    await next.until((t) => t === 'mine now');
  });
});

describe('port pool: two clients from one address fighting over a port (replace-same-client)', () => {
  /** A one-port raw pool whose refusals are counted as /status counts them. */
  async function flapPool(): Promise<{ port: number; totals: Totals }> {
    const [port] = (await freePorts(1)) as [number];
    const totals = new Totals();
    const captured = captureLogger('debug');
    const loaded = loadConfigText(rawPool(`      ${port}: {}`), 'test.yaml');
    if (!loaded.ok) throw new Error('test config is invalid');
    const gateway = new Gateway(loaded.config, { log: captured.log, stopGraceMs: 200, observer: totals });
    await gateway.start();
    gw = { gateway, captured, port: () => port, stop: () => gateway.stop() };
    return { port, totals };
  }

  /** A client connecting from 127.0.0.1; resolves once the pool took it (true) or refused it (false). */
  async function dial(port: number, open: Peer[]): Promise<boolean> {
    const peer = await connectPeer(port);
    let closed = false;
    void peer.closed.then(() => (closed = true));
    const me = `127.0.0.1:${peer.socket.localPort}`;
    await until(() => closed || server().ports()[0]?.session?.remote === me);
    if (!closed) open.push(peer);
    return !closed;
  }

  const replaced = () => gw!.captured.events('port session replaced').length;
  const holdDowns = () => gw!.captured.events('port flapping: hold-down');

  it('two clients that reconnect as soon as they lose the port: 3 replacements, then the address is held off; logged once', async () => {
    const realNow = Date.now;
    vi.useFakeTimers({ toFake: ['Date'] }); // the hold-down's clock stands still: it does not end during this test
    const { port, totals } = await flapPool();
    const sockets = new Set<Peer>();
    let attempts = 0;
    let stopped = false;
    /** Connects again each time its connection is closed (replaced or refused), up to `max` times. */
    const client = async (max: number) => {
      for (let n = 0; n < max && !stopped; n++) {
        attempts++;
        const peer = await connectPeer(port);
        sockets.add(peer);
        await peer.closed;
        sockets.delete(peer);
      }
    };
    const since = realNow(); // the real clock: the refusal log's window is a real timer
    const a = client(100);
    const b = client(100);
    try {
      // one of them keeps the port; the other runs through its attempts, each refused
      await Promise.race([a, b]);
      expect(replaced()).toBe(3);
      expect(holdDowns()).toEqual([
        expect.objectContaining({ port, address: '127.0.0.1', replacements: 3, seconds: 10, holdMs: 1000 }),
      ]);
      expect(sockets.size).toBe(1);
      const holder = [...sockets][0]!;
      expect(server().ports()[0]?.session?.remote).toBe(`127.0.0.1:${holder.socket.localPort}`);
      expect(totals.of('pool')?.refused).toBe(attempts - 4); // 1 allocation, 3 replacements, the rest refused
      // the refusals of that address: one line per (real) 10 s window, the rest counted
      const refusedLines = gw!.captured.events('connection refused');
      expect(refusedLines[0]).toMatchObject({ why: 'hold-down', port });
      expect(refusedLines.length).toBeLessThanOrEqual(1 + Math.floor((realNow() - since) / LOG_WINDOW_MS));
    } finally {
      stopped = true;
      for (const p of sockets) p.socket.destroy();
      await Promise.all([a, b]).catch(() => undefined);
    }
  }, 20_000);

  it('the hold-down: 1 s, doubling while the fight goes on, back to 1 s after a quiet minute; refusals counted', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { port, totals } = await flapPool();
    const open: Peer[] = [];
    try {
      const first = [];
      for (let i = 0; i < 10; i++) first.push(await dial(port, open));
      // the port is taken 1 + 3 times, then the address is held off: the 4th replacement is refused
      expect(first).toEqual([true, true, true, true, false, false, false, false, false, false]);
      expect(replaced()).toBe(3);
      expect(holdDowns().map((l) => l['holdMs'])).toEqual([1000]);
      expect(totals.of('pool')?.refused).toBe(6);
      expect(server().ports()[0]?.session?.remote).toBe(`127.0.0.1:${open.at(-1)!.socket.localPort}`); // the last to take it keeps it
      vi.advanceTimersByTime(1000); // the hold-down is over: the fight resumes, and the next hold-down is longer
      const second = [];
      for (let i = 0; i < 5; i++) second.push(await dial(port, open));
      expect(second).toEqual([true, true, true, false, false]);
      expect(replaced()).toBe(6);
      expect(holdDowns().map((l) => l['holdMs'])).toEqual([1000, 2000]);
      vi.advanceTimersByTime(1999);
      expect(await dial(port, open)).toBe(false);
      vi.advanceTimersByTime(1);
      expect(await dial(port, open)).toBe(true);
      vi.advanceTimersByTime(60_000); // a quiet minute: the next hold-down starts at 1 s again
      const third = [];
      for (let i = 0; i < 4; i++) third.push(await dial(port, open));
      expect(third).toEqual([true, true, true, false]);
      expect(holdDowns().map((l) => l['holdMs'])).toEqual([1000, 2000, 1000]);
      expect(replaced()).toBe(10);
      expect(totals.of('pool')?.refused).toBe(6 + 2 + 1 + 1);
    } finally {
      for (const p of open) p.socket.destroy();
    }
  });

  it('the hold-down keeps the address off a held port only: once its holder is gone, the address takes the port at once', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const { port } = await flapPool();
    const open: Peer[] = [];
    try {
      for (let i = 0; i < 4; i++) expect(await dial(port, open)).toBe(true);
      expect(await dial(port, open)).toBe(false);
      expect(holdDowns()).toHaveLength(1);
      await open.at(-1)!.end();
      await until(() => server().ports()[0]?.session === null);
      expect(await dial(port, open)).toBe(true);
      open.at(-1)!.send('mine');
      await open.at(-1)!.until((t) => t === 'mine');
    } finally {
      for (const p of open) p.socket.destroy();
    }
  });
});

describe('port pool (modbus)', () => {
  it("each port's writes land in its own bank, read back through an ordinary server on another port", async () => {
    const [p1, p2] = (await freePorts(2)) as [number, number];
    gw = await startGateway(`
banks:
  press1: { holding: 10 }
  press2: { holding: 10 }
servers:
  - name: presses
    protocol: modbus
    listen: 127.0.0.1
    ports:
      ${p1}: { client: 127.0.0.1, units: { 1: { bank: press1 } } }
      ${p2}: { client: 127.0.0.2, units: { 1: { bank: press2 } } }
  - name: scada
    protocol: modbus
    listen: 127.0.0.1:0
    units: { 1: { bank: press1 }, 2: { bank: press2 } }
`);
    const plc1 = await modbusClient(p1);
    const plc2 = await modbusClientFrom(p2, '127.0.0.2');
    await plc1.writeRegisters(0, [11, 12, 13]);
    await plc2.writeRegisters(0, [21, 22, 23]);
    const scada = await modbusClient(gw.port('scada'));
    scada.setID(1);
    expect((await scada.readHoldingRegisters(0, 3)).data).toEqual([11, 12, 13]);
    scada.setID(2);
    expect((await scada.readHoldingRegisters(0, 3)).data).toEqual([21, 22, 23]);
    const table = gw.gateway.findServer('presses')!.ports(); // in port order
    expect(table.map((e) => [e.port, e.client, e.session?.remote.split(':')[0]])).toEqual(
      [
        [p1, '127.0.0.1', '127.0.0.1'],
        [p2, '127.0.0.2', '127.0.0.2'],
      ].sort((x, y) => (x[0] as number) - (y[0] as number)),
    );
    await Promise.all([closeClient(plc1), closeClient(plc2), closeClient(scada)]);
  });

  it("a pool port without units uses the server's bank; per-port units take precedence", async () => {
    const [p1, p2] = (await freePorts(2)) as [number, number];
    gw = await startGateway(`
banks:
  common: { holding: 4, values: { holding: { 0: 100 } } }
  own: { holding: 4, values: { holding: { 0: 200 } } }
servers:
  - name: pool
    protocol: modbus
    listen: 127.0.0.1
    bank: common
    ports:
      ${p1}: {}
      ${p2}: { units: { 1: { bank: own } } }
`);
    const a = await modbusClient(p1);
    const b = await modbusClient(p2);
    expect((await a.readHoldingRegisters(0, 1)).data).toEqual([100]);
    expect((await b.readHoldingRegisters(0, 1)).data).toEqual([200]);
    b.setID(2); // not in the port's units: the server's bank
    expect((await b.readHoldingRegisters(0, 1)).data).toEqual([100]);
    await Promise.all([closeClient(a), closeClient(b)]);
  });
});

/** modbus-serial can connect from a given local address through its socket options. */
async function modbusClientFrom(port: number, localAddress: string): Promise<ModbusClient> {
  const ModbusRTU = createRequire(import.meta.url)('modbus-serial') as typeof ModbusClient;
  const client = new ModbusRTU();
  await client.connectTCP('127.0.0.1', { port, localAddress });
  client.setID(1);
  client.setTimeout(2000);
  return client;
}
