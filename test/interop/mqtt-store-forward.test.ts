/**
 * Store and forward of the built daemon's Sparkplug B link against Debian's mosquitto: changes made
 * (Modbus writes from modbus-serial) while the broker is down are stored and, after the births of the
 * next session, sent in their original order as historical DDATA with the time of the write; a small
 * backlog keeps only the newest; a restart of the daemon keeps the backlog. Every payload is read with
 * the independent decoder (sparkplug-payload), never with fieldgate's codec.
 *
 * The daemon reaches the broker through a TCP gate (test/helpers/mqtt-daemon.ts) that is closed while
 * the broker restarts, so the watcher is subscribed before the daemon can connect and birth.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { closeClient } from '../helpers/clients.js';
import { MOSQUITTO } from '../helpers/mosquitto.js';
import {
  FLOW,
  gatewayYaml,
  LABEL,
  LABEL_CHARS,
  LEVEL,
  metric,
  newStoreDir,
  resources,
  sp,
  spType,
  stringRegisters,
  type SpMessage,
} from '../helpers/mqtt-daemon.js';
import { type Watch, type WatchedMessage } from '../helpers/mqtt-watch.js';
import { requireTool } from './tools.js';

requireTool(MOSQUITTO, 'mosquitto');

const TOPICS = 'spBv1.0/fieldgate/#';

const { broker: startBroker, gate, daemon, watcher: watchAt, modbus, cleanup } = resources();
afterEach(cleanup);
const broker = () => startBroker();
const watcher = (url: string) => watchAt(url, TOPICS);

const decoded = (m: WatchedMessage): SpMessage => {
  const d = sp(m);
  if (!d) throw new Error(`not a Sparkplug message: ${m.topic}`);
  return d;
};

/** The Sparkplug messages of node gw1 from the NBIRTH `birth` up to `last` (or on), in arrival order. */
function sessionFrom(w: Watch, birth: WatchedMessage, last?: WatchedMessage): SpMessage[] {
  const all = w.all();
  return all
    .slice(all.indexOf(birth), last ? all.indexOf(last) + 1 : undefined)
    .map(decoded)
    .filter((m) => m.node === 'gw1' && m.type !== 'NDEATH');
}

/** seq runs 0, 1, 2, ... (mod 256) over every message of a session from its NBIRTH. */
function expectSeqContinuous(session: readonly SpMessage[]): void {
  expect(session.map((m) => Number(m.payload.seq))).toEqual(session.map((_, i) => i % 256));
}

/** A DDATA of bank `line` whose first metric is `name`. */
const ddataOf = (name: string) => (m: WatchedMessage) =>
  spType('DDATA', 'line')(m) && decoded(m).payload.metrics?.[0]?.name === name;

describe('store and forward (sparkplug-b)', () => {
  it('stores writes while the broker is down and replays them after the births, historical, in order', async () => {
    const b = await broker();
    const g = await gate(b.port);
    const dir = newStoreDir();
    let w = await watcher(b.url);
    const fg = await daemon(gatewayYaml({ url: g.url, banks: ['line'], storeForward: { dir } }));
    const firstBirth = decoded(await w.next(spType('NBIRTH'), 10_000));
    await w.next(spType('DBIRTH', 'line'));
    const online = await fg.until((m) => m.state === 'online', 'state online');
    expect(online.broker).toBe(g.url);
    expect(Number(metric(firstBirth.payload, 'bdSeq').value)).toBe(online.bdSeq);
    const mb = await modbus(fg.modbusPort);

    // broker gone: the daemon says so and keeps serving Modbus
    await b.stop();
    const down = await fg.until((m) => m.state === 'down' && m.backlog.records === 0, 'state down');
    expect(down.lastError).not.toBeNull();
    expect(down.broker).toBeNull();

    const writes: { value: number; before: number; after: number }[] = [];
    for (let i = 0; i < 5; i++) {
      const value = 1000 + 37 * i;
      const before = Date.now();
      await mb.writeRegisters(LEVEL, [value]);
      const after = Date.now();
      writes.push({ value, before, after });
      const s = await fg.until((m) => m.backlog.records === i + 1, `backlog.records ${i + 1}`);
      expect(['down', 'connecting']).toContain(s.state);
    }
    expect((await mb.readHoldingRegisters(LEVEL, 1)).data).toEqual([writes[4]!.value]);
    const stored = await fg.mqtt();
    expect(stored.stored).toBe(5);
    expect(stored.backlog.bytes).toBeGreaterThan(0);

    // broker back on its port; the watcher subscribes before the gate lets the daemon in
    g.close();
    await b.restart();
    w = await watcher(b.url);
    g.open();

    const birthMsg = await w.next(spType('NBIRTH'), 10_000);
    const nbirth = decoded(birthMsg);
    const dbirth = decoded(await w.next(spType('DBIRTH', 'line')));
    const replayed: SpMessage[] = [];
    for (let i = 0; i < writes.length; i++) replayed.push(decoded(await w.next(spType('DDATA', 'line'))));
    const replayedDone = await fg.until((m) => m.state === 'online' && m.backlog.records === 0, 'replay done');

    expect(Number(metric(nbirth.payload, 'bdSeq').value)).toBe(replayedDone.bdSeq);
    expect(Number(metric(nbirth.payload, 'bdSeq').value)).not.toBe(Number(metric(firstBirth.payload, 'bdSeq').value));
    // DBIRTH: current values, not historical
    const level = metric(dbirth.payload, 'level');
    expect(level.value).toBe(writes[4]!.value);
    expect(level.isHistorical ?? false).toBe(false);
    expect(Number(level.timestamp)).toBeGreaterThanOrEqual(writes[4]!.before);
    expect(Number(level.timestamp)).toBeLessThanOrEqual(writes[4]!.after);
    expect(metric(dbirth.payload, 'temp').value).toBe(-5);

    // the stored DDATA: one per write, in order, historical, stamped with the time of the write
    replayed.forEach((m, i) => {
      const write = writes[i]!;
      expect(m.payload.metrics?.map((x) => x.name)).toEqual(['level']);
      const x = metric(m.payload, 'level');
      expect(x.value).toBe(write.value);
      expect(x.isHistorical).toBe(true);
      expect(Number(x.timestamp)).toBeGreaterThanOrEqual(write.before);
      expect(Number(x.timestamp)).toBeLessThanOrEqual(write.after);
      expect(Number(x.timestamp)).toBeLessThan(birthMsg.at); // not the time of the replay
    });

    // then live data: not historical, stamped now
    const before = Date.now();
    await mb.writeRegisters(FLOW, [0x42f6, 0xe979]); // float32 123.456
    const liveMsg = await w.next(ddataOf('flow'));
    const live = decoded(liveMsg);
    const flow = metric(live.payload, 'flow');
    expect(flow.value).toBeCloseTo(123.456, 3);
    expect(flow.isHistorical ?? false).toBe(false);
    expect(Number(flow.timestamp)).toBeGreaterThanOrEqual(before);

    // births first, then the replay, then live; seq continuous over all of it (NDATA included)
    const session = sessionFrom(w, birthMsg, liveMsg);
    const kinds = session.filter((m) => m.type !== 'NDATA').map((m) => m.type);
    expect(kinds).toEqual(['NBIRTH', 'DBIRTH', ...writes.map(() => 'DDATA'), 'DDATA']);
    expectSeqContinuous(session);
    expect(w.all().filter((m) => spType('DDATA')(m) && decoded(m).node === 'gw1')).toHaveLength(writes.length + 1);
  });

  it('a small backlog keeps the newest records only; a restart of the daemon keeps the backlog', async () => {
    const b = await broker();
    const g = await gate(b.port);
    const dir = newStoreDir();
    const yaml = gatewayYaml({ url: g.url, banks: ['line'], storeForward: { dir, maxSize: '64KiB' } });
    let w = await watcher(b.url);
    let fg = await daemon(yaml);
    await w.next(spType('DBIRTH', 'line'), 10_000);
    await fg.until((m) => m.state === 'online', 'state online');
    let mb = await modbus(fg.modbusPort);

    await b.stop();
    await fg.until((m) => m.state === 'down', 'state down');

    // 240-character labels: about 290 bytes stored per write, 400 writes are well past 64 KiB
    const N = 400;
    const label = (i: number) =>
      `#${String(i).padStart(4, '0')} `.padEnd(LABEL_CHARS, String.fromCharCode(65 + (i % 26)));
    for (let i = 0; i < N; i++) await mb.writeRegisters(LABEL, stringRegisters(label(i), LABEL_CHARS / 2));
    const full = await fg.until((m) => m.backlog.records + m.backlog.dropped === N, `${N} records stored or dropped`);
    expect(full.backlog.dropped).toBeGreaterThan(0);
    expect(full.backlog.bytes).toBeLessThanOrEqual(64 * 1024);
    // a record is at least its 240 characters: at most 65536 / 240 of them fit
    expect(full.backlog.records).toBeGreaterThan(0);
    expect(full.backlog.records).toBeLessThanOrEqual(Math.floor((64 * 1024) / LABEL_CHARS));
    expect(full.stored).toBe(N);

    // the daemon restarts while the broker is still down: the backlog is still there
    await closeClient(mb);
    expect(await fg.stop()).toBe(0);
    fg = await daemon(yaml);
    await fg.daemon.waitFor((l) => l['msg'] === 'mqtt: stored changes from before');
    const reopened = await fg.until((m) => m.state === 'down' || m.state === 'connecting', 'not online');
    expect(reopened.backlog.records).toBe(full.backlog.records);
    expect(reopened.backlog.dropped).toBe(0); // counted since this start
    mb = await modbus(fg.modbusPort);
    expect((await mb.readHoldingRegisters(LABEL, 1)).data).toEqual([0]); // registers are not kept: a fresh bank

    g.close();
    await b.restart();
    w = await watcher(b.url);
    g.open();

    const birthMsg = await w.next(spType('NBIRTH'), 10_000);
    const dbirth = decoded(await w.next(spType('DBIRTH', 'line')));
    expect(metric(dbirth.payload, 'label').value).toBe('');
    const kept = full.backlog.records;
    const replayed: SpMessage[] = [];
    for (let i = 0; i < kept; i++) replayed.push(decoded(await w.next(spType('DDATA', 'line'))));
    await fg.until((m) => m.state === 'online' && m.backlog.records === 0, 'replay done');

    // exactly the newest `kept` writes, oldest of them first; everything older is gone
    const first = N - kept;
    expect(first).toBe(full.backlog.dropped);
    expect(replayed.map((m) => metric(m.payload, 'label').value)).toEqual(
      Array.from({ length: kept }, (_, i) => label(first + i)),
    );
    expect(replayed.every((m) => metric(m.payload, 'label').isHistorical === true)).toBe(true);
    const times = replayed.map((m) => Number(metric(m.payload, 'label').timestamp));
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(times.at(-1)).toBeLessThan(birthMsg.at);
    expectSeqContinuous(sessionFrom(w, birthMsg).slice(0, 2 + kept));
  });
});
