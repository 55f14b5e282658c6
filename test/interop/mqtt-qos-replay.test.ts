/**
 * The built daemon's northbound link against Debian's mosquitto, for what the other MQTT interop
 * files leave out: store and forward in the JSON format (retained current values first, then the
 * stored changes, historical and not retained), `qos: 1` data (and store and forward with it),
 * `protocol: 5` (births, DDATA, a DCMD write read back over Modbus) and `minInterval` batching.
 * Sparkplug payloads are read with the independent decoder (sparkplug-payload); Modbus writes and
 * reads come from modbus-serial.
 *
 * Where the broker restarts, the daemon reaches it through a TCP gate (test/helpers/mqtt-daemon.ts)
 * that stays closed until the new watcher has subscribed.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MOSQUITTO } from '../helpers/mosquitto.js';
import {
  gatewayYaml,
  LEVEL,
  metric,
  newStoreDir,
  resources,
  sp,
  spType,
  TEMP,
  type SpMessage,
} from '../helpers/mqtt-daemon.js';
import { encodeSparkplug, type WatchedMessage } from '../helpers/mqtt-watch.js';
import { requireTool } from './tools.js';

requireTool(MOSQUITTO, 'mosquitto');

const SP_TOPICS = 'spBv1.0/fieldgate/#';
const ROOT = 'fg/replay';
const POINTS = ['flow', 'label', 'level', 'run', 'temp'];

const { broker, gate, daemon, watcher, modbus, cleanup } = resources();
afterEach(cleanup);

const decoded = (m: WatchedMessage): SpMessage => {
  const d = sp(m);
  if (!d) throw new Error(`not a Sparkplug message: ${m.topic}`);
  return d;
};

const json = (m: WatchedMessage) => JSON.parse(m.payload.toString('utf8')) as Record<string, unknown>;

/** A write made over Modbus: the value as published, and the time span it was made in. */
interface Write {
  readonly point: 'level' | 'temp';
  readonly value: number;
  readonly before: number;
  readonly after: number;
}

const register = (value: number) => (value < 0 ? 0x10000 + value : value);
const address = (point: Write['point']) => (point === 'level' ? LEVEL : TEMP);

describe('json format: store and forward', () => {
  it('after the broker is back: every point retained with its current value first, then the stored changes, historical', async () => {
    const b = await broker();
    const g = await gate(b.port);
    let w = await watcher(b.url, `${ROOT}/#`);
    const fg = await daemon(
      gatewayYaml({ url: g.url, format: 'json', topic: ROOT, banks: ['line'], storeForward: { dir: newStoreDir() } }),
    );
    await fg.until((m) => m.state === 'online', 'state online');
    await w.next((m) => m.topic === `${ROOT}/line/run`);
    const mb = await modbus(fg.modbusPort);

    await b.stop();
    await fg.until((m) => m.state === 'down' && m.backlog.records === 0, 'state down');

    // two points, interleaved, every value distinct
    const plan: [Write['point'], number][] = [
      ['level', 1000],
      ['temp', -20],
      ['level', 1037],
      ['temp', -21],
      ['level', 1074],
      ['level', 1111],
    ];
    const writes: Write[] = [];
    for (const [point, value] of plan) {
      const before = Date.now();
      await mb.writeRegisters(address(point), [register(value)]);
      writes.push({ point, value, before, after: Date.now() });
      await fg.until((m) => m.backlog.records === writes.length, `backlog.records ${writes.length}`);
    }
    expect((await fg.mqtt()).stored).toBe(plan.length);

    // an MQTT 5 subscriber with retain-as-published: the retain flag is the one the daemon set
    // (its own subscription: mosquitto 2.0.11 keeps the options of a filter subscribed again)
    g.close();
    await b.restart();
    w = await watcher(b.url, `${ROOT}/nothing`, { protocolVersion: 5 });
    await w.client.subscribeAsync(`${ROOT}/#`, { qos: 1, rap: true });
    g.open();

    const isHistorical = (m: WatchedMessage) => m.topic.startsWith(`${ROOT}/line/`) && 'historical' in json(m);
    for (let i = 0; i < writes.length; i++) await w.next(isHistorical, 10_000);
    const done = await fg.until((m) => m.state === 'online' && m.backlog.records === 0, 'replay done');
    expect(done.stored).toBe(plan.length);

    const all = w.all();
    expect(all.map((m) => m.topic)).toEqual([
      `${ROOT}/status`,
      ...all.slice(1, 1 + POINTS.length).map((m) => m.topic), // the points in the bank's order, checked below
      ...writes.map((x) => `${ROOT}/line/${x.point}`),
    ]);
    expect(json(all[0]!)).toMatchObject({ online: true });
    expect(all[0]!.retain).toBe(true);

    // first: every point, retained, its current value and the time it was written (null: never)
    const current = all.slice(1, 1 + POINTS.length);
    expect(current.map((m) => m.topic).sort()).toEqual(POINTS.map((p) => `${ROOT}/line/${p}`));
    expect(current.every((m) => m.retain)).toBe(true);
    const now = new Map(current.map((m) => [m.topic.slice(`${ROOT}/line/`.length), json(m)]));
    const lastLevel = writes[5]!;
    const lastTemp = writes[3]!;
    expect(now.get('level')).toEqual({ value: 1111, timestamp: expect.any(Number) as number });
    expect(now.get('level')!['timestamp']).toBeGreaterThanOrEqual(lastLevel.before);
    expect(now.get('level')!['timestamp']).toBeLessThanOrEqual(lastLevel.after);
    expect(now.get('temp')).toEqual({ value: -21, timestamp: expect.any(Number) as number });
    expect(now.get('temp')!['timestamp']).toBeGreaterThanOrEqual(lastTemp.before);
    expect(now.get('temp')!['timestamp']).toBeLessThanOrEqual(lastTemp.after);
    expect(now.get('flow')).toEqual({ value: 0, timestamp: null });
    expect(now.get('label')).toEqual({ value: '', timestamp: null });
    expect(now.get('run')).toEqual({ value: false, timestamp: null });

    // then the stored changes, in the order written, not retained, with the time of the write
    const replayed = all.slice(1 + POINTS.length);
    replayed.forEach((m, i) => {
      const write = writes[i]!;
      expect(m.retain, `replayed ${i} retained`).toBe(false);
      const body = json(m);
      expect(body).toEqual({ value: write.value, timestamp: expect.any(Number) as number, historical: true });
      expect(body['timestamp']).toBeGreaterThanOrEqual(write.before);
      expect(body['timestamp']).toBeLessThanOrEqual(write.after);
    });

    // a new subscriber gets the current values as retained ones, not a historical one
    const late = await watcher(b.url, `${ROOT}/line/+`);
    const retained = new Map<string, Record<string, unknown>>();
    for (let i = 0; i < POINTS.length; i++) {
      const m = await late.next();
      expect(m.retain).toBe(true);
      retained.set(m.topic.slice(`${ROOT}/line/`.length), json(m));
    }
    expect(retained.get('level')).toEqual(now.get('level'));
    expect(retained.get('temp')).toEqual(now.get('temp'));
    expect([...retained.keys()].sort()).toEqual(POINTS);
    expect((await mb.readHoldingRegisters(LEVEL, 2)).data).toEqual([1111, register(-21)]);
  });
});

describe('sparkplug-b, qos: 1', () => {
  it('DDATA arrive with QoS 1 at a QoS 1 subscriber; store and forward replays them in order, QoS 1, historical', async () => {
    const b = await broker();
    const g = await gate(b.port);
    let w = await watcher(b.url, SP_TOPICS, { subscribeQos: 1 });
    const fg = await daemon(gatewayYaml({ url: g.url, qos: 1, banks: ['line'], storeForward: { dir: newStoreDir() } }));
    await w.next(spType('DBIRTH', 'line'), 10_000);
    await fg.until((m) => m.state === 'online', 'state online');
    const mb = await modbus(fg.modbusPort);

    await mb.writeRegisters(LEVEL, [500]);
    const live = await w.next(spType('DDATA', 'line'));
    expect(live.qos).toBe(1);
    expect(metric(decoded(live).payload, 'level').value).toBe(500);

    await b.stop();
    await fg.until((m) => m.state === 'down', 'state down');
    const writes: Write[] = [];
    for (let i = 0; i < 4; i++) {
      const value = 600 + 11 * i;
      const before = Date.now();
      await mb.writeRegisters(LEVEL, [value]);
      writes.push({ point: 'level', value, before, after: Date.now() });
      await fg.until((m) => m.backlog.records === i + 1, `backlog.records ${i + 1}`);
    }

    g.close();
    await b.restart();
    w = await watcher(b.url, SP_TOPICS, { subscribeQos: 1 });
    g.open();

    const birth = await w.next(spType('NBIRTH'), 10_000);
    const dbirth = decoded(await w.next(spType('DBIRTH', 'line')));
    expect(metric(dbirth.payload, 'level').value).toBe(writes[3]!.value);
    const replayed: WatchedMessage[] = [];
    for (let i = 0; i < writes.length; i++) replayed.push(await w.next(spType('DDATA', 'line')));
    await fg.until((m) => m.state === 'online' && m.backlog.records === 0, 'replay done');

    replayed.forEach((m, i) => {
      const write = writes[i]!;
      expect(m.qos, `replayed ${i} qos`).toBe(1);
      const x = metric(decoded(m).payload, 'level');
      expect(x.value).toBe(write.value);
      expect(x.isHistorical).toBe(true);
      expect(Number(x.timestamp)).toBeGreaterThanOrEqual(write.before);
      expect(Number(x.timestamp)).toBeLessThanOrEqual(write.after);
      expect(Number(x.timestamp)).toBeLessThan(birth.at);
    });

    // live again: QoS 1, not historical
    await mb.writeRegisters(LEVEL, [777]);
    const after = await w.next(spType('DDATA', 'line'));
    expect(after.qos).toBe(1);
    const x = metric(decoded(after).payload, 'level');
    expect(x.value).toBe(777);
    expect(x.isHistorical ?? false).toBe(false);
    expect(w.all().filter(spType('DDATA', 'line'))).toHaveLength(writes.length + 1);
  });
});

describe('sparkplug-b, protocol: 5', () => {
  it('connects with MQTT 5: births and DDATA arrive; a DCMD writes the register', async () => {
    const b = await broker();
    const w = await watcher(b.url, SP_TOPICS); // MQTT 3.1.1: the only p5 client is the daemon
    const fg = await daemon(
      gatewayYaml({ url: b.url, protocol: 5, banks: ['line'], storeForward: { dir: newStoreDir() } }),
    );
    const nbirth = decoded(await w.next(spType('NBIRTH'), 10_000));
    expect(nbirth.node).toBe('gw1');
    expect(Number(nbirth.payload.seq)).toBe(0);
    const dbirth = decoded(await w.next(spType('DBIRTH', 'line')));
    expect(metric(dbirth.payload, 'level').value).toBe(7);
    expect(metric(dbirth.payload, 'temp').value).toBe(-5);
    await fg.until((m) => m.state === 'online', 'state online');
    await vi.waitFor(() => expect(b.log()).toMatch(/ as gw1 \(p5, /), { timeout: 5_000, interval: 25 });

    const mb = await modbus(fg.modbusPort);
    await mb.writeRegisters(TEMP, [register(-7)]);
    const data = decoded(await w.next(spType('DDATA', 'line')));
    expect(data.payload.metrics?.map((m) => [m.name, m.value])).toEqual([['temp', -7]]);

    const dcmd = encodeSparkplug({ timestamp: Date.now(), metrics: [{ name: 'level', type: 'UInt16', value: 4321 }] });
    await w.client.publishAsync('spBv1.0/fieldgate/DCMD/gw1/line', dcmd, { qos: 1 });
    const written = decoded(await w.next(spType('DDATA', 'line')));
    expect(written.payload.metrics?.map((m) => [m.name, m.value])).toEqual([['level', 4321]]);
    const status = await fg.until((m) => m.commandsAccepted === 1, 'commandsAccepted 1');
    expect(status.commandsRefused).toBe(0);
    expect((await mb.readHoldingRegisters(LEVEL, 2)).data).toEqual([4321, register(-7)]);
  });
});

describe('sparkplug-b, minInterval: 500ms', () => {
  const INTERVAL = 500;
  /** setTimeout and Date.now may disagree by a millisecond. */
  const SLACK = 5;

  it('a burst of writes is batched: at most one DDATA per interval, the points written meanwhile in one, the last value', async () => {
    const b = await broker();
    const w = await watcher(b.url, SP_TOPICS);
    const fg = await daemon(
      gatewayYaml({ url: b.url, minInterval: `${INTERVAL}ms`, banks: ['line'], storeForward: { dir: newStoreDir() } }),
    );
    await w.next(spType('DBIRTH', 'line'), 10_000);
    await fg.until((m) => m.state === 'online', 'state online');
    const mb = await modbus(fg.modbusPort);
    const ddata = spType('DDATA', 'line');

    /** Five writes of one point, one after the other; the span they took. */
    const burst = async (first: number) => {
      const start = Date.now();
      let lastBefore = 0;
      for (let v = first; v < first + 5; v++) {
        lastBefore = Date.now();
        await mb.writeRegisters(LEVEL, [v]);
      }
      const end = Date.now();
      expect(end - start, 'the burst took too long to mean anything').toBeLessThan(INTERVAL - 100);
      return { start, lastBefore, end };
    };
    const levels = (m: WatchedMessage) => decoded(m).payload.metrics?.map((x) => [x.name, x.value]);
    const sentAt = (m: WatchedMessage) => Number(decoded(m).payload.timestamp);
    /** The metric carries the time of the burst's last write. */
    const expectWrittenIn = (m: WatchedMessage, span: { lastBefore: number; end: number }) => {
      const at = Number(metric(decoded(m).payload, 'level').timestamp);
      expect(at).toBeGreaterThanOrEqual(span.lastBefore);
      expect(at).toBeLessThanOrEqual(span.end);
    };

    // a first message (whenever it goes), then burst 1 at once: within the interval, so the five
    // writes go as one DDATA with the last value, an interval after that first message
    await mb.writeRegisters(LEVEL, [1000]);
    const first = await w.next(ddata, INTERVAL + 2_000);
    expect(levels(first)).toEqual([['level', 1000]]);
    const one = await burst(2001);
    const batched = await w.next(ddata, INTERVAL + 2_000);
    expect(levels(batched)).toEqual([['level', 2005]]);
    expectWrittenIn(batched, one);
    expect(sentAt(batched) - sentAt(first)).toBeGreaterThanOrEqual(INTERVAL - SLACK);

    // burst 2 right after that message: again exactly one DDATA, the last value
    const two = await burst(3001);
    const second = await w.next(ddata, INTERVAL + 2_000);
    expect(levels(second)).toEqual([['level', 3005]]);
    expectWrittenIn(second, two);
    expect(sentAt(second) - sentAt(batched)).toBeGreaterThanOrEqual(INTERVAL - SLACK);

    // nothing more; after this second of silence the bank has sent nothing for over an interval,
    // so the first write of burst 3 goes at once (next turn) and the four after it as one, later
    await expect(w.next(ddata, 1_000)).rejects.toThrow(/no matching message/);
    const three = await burst(4001);
    const leading = await w.next(ddata, INTERVAL + 2_000);
    expect(levels(leading)).toEqual([['level', 4001]]);
    expect(sentAt(leading) - three.start).toBeLessThan(INTERVAL / 2);
    const trailing = await w.next(ddata, INTERVAL + 2_000);
    expect(levels(trailing)).toEqual([['level', 4005]]);
    expectWrittenIn(trailing, three);
    expect(sentAt(trailing) - sentAt(leading)).toBeGreaterThanOrEqual(INTERVAL - SLACK);

    // and nothing more: the values in between were never published
    await expect(w.next(ddata, 1_000)).rejects.toThrow(/no matching message/);
    expect(w.all().filter(ddata).map(levels)).toEqual([1000, 2005, 3005, 4001, 4005].map((v) => [['level', v]]));
    expect((await mb.readHoldingRegisters(LEVEL, 1)).data).toEqual([4005]);
  });
});
