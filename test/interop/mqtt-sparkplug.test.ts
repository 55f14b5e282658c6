/**
 * fieldgate (the built daemon) as a Sparkplug B edge node against Debian's mosquitto; every message
 * is read back with the INDEPENDENT decoder (sparkplug-payload), never fieldgate's own codec:
 * births and their datatypes, DDATA after a Modbus write, a simulator tick and a decoded frame (only
 * the points that changed, deadband), seq continuity and its wrap, /status and `fieldgate status`.
 */
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeClient, modbusClient } from '../helpers/clients.js';
import { runCommand } from '../helpers/daemon.js';
import { MOSQUITTO, startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import type { Watch } from '../helpers/mqtt-watch.js';
import {
  LINE_BANK,
  LINE_BIRTH,
  metric,
  nextOf,
  published,
  rawUInt32,
  shape,
  startNode,
  watchNode,
  workDir,
  type NodeMessage,
  type RunningNode,
} from '../helpers/sparkplug-daemon.js';
import { requireTool } from './tools.js';

requireTool(MOSQUITTO, 'mosquitto');

const BODY = `
banks:${LINE_BANK}
  cam:
    holding: 8
    points:
      - { name: status, table: holding, address: 0, type: uint16 }
      - { name: result, table: holding, address: 1, type: float32 }
      - { name: code, table: holding, address: 3, type: string, length: 2 }
  sim:
    input: 4
    points:
      - { name: count, table: input, address: 0, type: uint16 }
devices:
  - name: ticker
    type: simulator
    bank: sim
    every: 150ms
    signals: { count: { signal: counter, min: 0, max: 60000, step: 1 } }
servers:
  - { name: scada, protocol: modbus, listen: 127.0.0.1:0, units: { 1: { bank: line }, 2: { bank: cam } } }
  - { name: cams, protocol: raw, listen: 127.0.0.1:0, handler: { decode: camera-trigger, bank: cam } }
`;

let broker: Mosquitto;
let w: Watch;
let node: RunningNode;
let startedAt: number;

beforeAll(async () => {
  broker = await startMosquitto();
  w = await watchNode(broker.url);
  startedAt = Date.now();
  node = await startNode({ broker: broker.url, dir: workDir(), banks: ['line', 'cam', 'sim'], body: BODY });
});

afterAll(async () => {
  await node?.stop();
  await w?.close();
  await broker?.stop();
});

const notHistorical = (m: NodeMessage) => m.metrics.every((x) => x['isHistorical'] !== true);

describe('births', () => {
  it('NBIRTH: seq 0, bdSeq UInt64 0, Rebirth false, node info; then a DBIRTH per bank with seq 1, 2, 3', async () => {
    const nbirth = await nextOf(w, 'NBIRTH');
    expect(nbirth.topic).toBe('spBv1.0/plant/NBIRTH/edge1');
    expect(nbirth.seq).toBe(0);
    const ts = Number(nbirth.payload.timestamp);
    expect(ts).toBeGreaterThanOrEqual(startedAt);
    expect(ts).toBeLessThanOrEqual(nbirth.at);
    expect(metric(nbirth, 'bdSeq')).toMatchObject({ type: 'UInt64', value: 0 });
    expect(metric(nbirth, 'Node Control/Rebirth')).toMatchObject({ type: 'Boolean', value: false });
    expect(metric(nbirth, 'Node Info/Version')).toMatchObject({ type: 'String', value: '0.1.0' });
    expect(metric(nbirth, 'Node Info/Uptime').type).toBe('UInt64');
    for (const name of ['Node Info/Modbus Sessions', 'Node Info/Devices Up', 'Node Info/Devices'])
      expect(metric(nbirth, name).type).toBe('UInt32');
    // UInt32 in int_value (Sparkplug 3.0): sparkplug-payload 1.0.3 answers null, so read from the protobuf
    expect(rawUInt32(nbirth, 'Node Info/Devices')).toBe(1); // the simulator
    expect(rawUInt32(nbirth, 'Node Info/Modbus Sessions')).toBe(0);

    const line = await nextOf(w, 'DBIRTH', 'line');
    expect(line.topic).toBe('spBv1.0/plant/DBIRTH/edge1/line');
    expect(line.seq).toBe(1);
    expect(shape(line)).toEqual(LINE_BIRTH);
    expect(rawUInt32(line, 'u32')).toBe(3_000_000_000);
    expect(notHistorical(line)).toBe(true);
    const cam = await nextOf(w, 'DBIRTH', 'cam');
    expect(cam.seq).toBe(2);
    expect(shape(cam)).toEqual([
      ['code', 'String', ''],
      ['result', 'Float', 0],
      ['status', 'UInt16', 0],
    ]);
    const sim = await nextOf(w, 'DBIRTH', 'sim');
    expect(sim.seq).toBe(3);
    expect(metric(sim, 'count').type).toBe('UInt16');
    // nothing between NBIRTH and the three DBIRTHs
    expect(
      published(w)
        .slice(0, 4)
        .map((m) => m.topic),
    ).toEqual([nbirth.topic, line.topic, cam.topic, sim.topic]);
  });
});

describe('DDATA', () => {
  it('after Modbus writes: only the written point, its datatype, value and write time', async () => {
    const c = await modbusClient(node.port('scada'), 1);
    try {
      let before = Date.now();
      await c.writeRegister(0, 65529); // i16 -7 (FC 6)
      let d = await nextOf(w, 'DDATA', 'line');
      expect(shape(d)).toEqual([['i16', 'Int16', -7]]);
      const t = Number(metric(d, 'i16').timestamp);
      expect(t).toBeGreaterThanOrEqual(before);
      expect(t).toBeLessThanOrEqual(d.at);
      expect(notHistorical(d)).toBe(true);

      await c.writeRegisters(4, [0xffff, 0xfffe]); // u32 4294967294 (FC 16)
      d = await nextOf(w, 'DDATA', 'line');
      expect(shape(d)).toEqual([['u32', 'UInt32', null]]);
      expect(rawUInt32(d, 'u32')).toBe(4_294_967_294);

      await c.writeRegisters(6, [0xc2f6, 0xe979]); // f32 -123.456
      d = await nextOf(w, 'DDATA', 'line');
      expect(d.metrics.map((m) => [m.name, m.type])).toEqual([['f32', 'Float']]);
      expect(metric(d, 'f32').value).toBeCloseTo(-123.456, 3);

      await c.writeRegister(16, 300); // temp raw 300 x 0.1
      d = await nextOf(w, 'DDATA', 'line');
      expect(shape(d)).toEqual([['temp', 'Double', 30]]);

      before = Date.now();
      await c.writeCoil(0, true);
      d = await nextOf(w, 'DDATA', 'line');
      expect(shape(d)).toEqual([['run', 'Boolean', true]]);
      expect(Number(metric(d, 'run').timestamp)).toBeGreaterThanOrEqual(before);

      // two points in one request: both in one DDATA
      await c.writeRegisters(0, [10, 20]);
      d = await nextOf(w, 'DDATA', 'line');
      expect(shape(d)).toEqual([
        ['i16', 'Int16', 10],
        ['u16', 'UInt16', 20],
      ]);
    } finally {
      await closeClient(c);
    }
  });

  it('the same value again publishes nothing; deadband holds a small change back and lets a big one through', async () => {
    const c = await modbusClient(node.port('scada'), 1);
    try {
      await c.writeRegister(0, 10); // i16 unchanged
      await c.writeRegister(1, 21); // a marker: the next DDATA of line
      let d = await nextOf(w, 'DDATA', 'line');
      expect(shape(d)).toEqual([['u16', 'UInt16', 21]]);

      await c.writeRegister(17, 54); // level 50 -> 54: under the deadband of 5
      await c.writeRegister(1, 22);
      d = await nextOf(w, 'DDATA', 'line');
      expect(shape(d)).toEqual([['u16', 'UInt16', 22]]);

      await c.writeRegister(17, 55); // 5 from the last published 50: through
      d = await nextOf(w, 'DDATA', 'line');
      expect(shape(d)).toEqual([['level', 'UInt16', 55]]);

      await c.writeRegister(17, 51); // 4 below 55: held back
      await c.writeRegister(17, 70); // 15 above 55: through
      d = await nextOf(w, 'DDATA', 'line');
      expect(shape(d)).toEqual([['level', 'UInt16', 70]]);
      // over Modbus the held-back values were stored all the same
      expect((await c.readHoldingRegisters(17, 1)).data).toEqual([70]);
    } finally {
      await closeClient(c);
    }
  });

  it("after simulator ticks: the counter, one DDATA per tick, each with its tick's time", async () => {
    // (a tick before the session was up is stored and replayed as historical: live ones only here)
    const a = await nextOf(w, 'DDATA', 'sim', notHistorical);
    const b = await nextOf(w, 'DDATA', 'sim', notHistorical);
    expect(a.metrics.map((m) => [m.name, m.type])).toEqual([['count', 'UInt16']]);
    expect(shape(b)).toEqual([['count', 'UInt16', Number(metric(a, 'count').value) + 1]]);
    const gap = Number(metric(b, 'count').timestamp) - Number(metric(a, 'count').timestamp);
    expect(gap).toBeGreaterThanOrEqual(100);
    expect(gap).toBeLessThan(1000);
  });

  it('after a decoded frame: every field of the frame, with one timestamp', async () => {
    const socket = net.connect({ host: '127.0.0.1', port: node.port('cams') });
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const before = Date.now();
    socket.write('NG,42.5,B7\r\n');
    const d = await nextOf(w, 'DDATA', 'cam');
    socket.destroy();
    expect(shape(d)).toEqual([
      ['code', 'String', 'B7'],
      ['result', 'Float', 42.5],
      ['status', 'UInt16', 2],
    ]);
    const stamps = new Set(d.metrics.map((m) => Number(m.timestamp)));
    expect(stamps.size).toBe(1);
    expect([...stamps][0]).toBeGreaterThanOrEqual(before);
    expect(notHistorical(d)).toBe(true);
  });
});

describe('NDATA', () => {
  it('a Modbus session opening and closing changes Node Info/Modbus Sessions: NDATA with that metric only', async () => {
    const c = await modbusClient(node.port('scada'), 1);
    let up: NodeMessage;
    try {
      up = await nextOf(w, 'NDATA', undefined, (m) => rawUInt32(m, 'Node Info/Modbus Sessions') === 1, 5_000);
    } finally {
      await closeClient(c);
    }
    expect(up.topic).toBe('spBv1.0/plant/NDATA/edge1');
    expect(up.metrics.map((m) => [m.name, m.type])).toEqual([['Node Info/Modbus Sessions', 'UInt32']]);
    const down = await nextOf(w, 'NDATA', undefined, (m) => rawUInt32(m, 'Node Info/Modbus Sessions') === 0, 5_000);
    expect(down.metrics.map((m) => m.name)).toEqual(['Node Info/Modbus Sessions']);
  });
});

describe('seq', () => {
  it('counts every node message after NBIRTH (0) by one and wraps 255 -> 0', async () => {
    const c = await modbusClient(node.port('scada'), 1);
    try {
      // > 256 messages: one DDATA per write (the simulator and NDATA add their own)
      for (let i = 0; i < 270; i++) await c.writeRegister(1, 1000 + i);
      await nextOf(w, 'DDATA', 'line', (m) => metric(m, 'u16').value === 1269, 10_000);
    } finally {
      await closeClient(c);
    }
    const msgs = published(w);
    expect(msgs[0]?.type).toBe('NBIRTH');
    let wrapped = 0;
    for (let i = 1; i < msgs.length; i++) {
      const prev = msgs[i - 1]!;
      const m = msgs[i]!;
      expect(m.type).not.toBe('NBIRTH');
      expect({ topic: m.topic, seq: m.seq }).toEqual({ topic: m.topic, seq: ((prev.seq ?? -1) + 1) % 256 });
      // every message carries the time it was sent
      const ts = Number(m.payload.timestamp);
      expect(ts).toBeGreaterThanOrEqual(startedAt);
      expect(ts).toBeLessThanOrEqual(m.at);
      if (m.seq === 0) wrapped++;
    }
    expect(wrapped).toBeGreaterThanOrEqual(1);
    expect(msgs.length).toBeGreaterThan(270);
    expect(new Set(msgs.map((m) => m.type))).toEqual(new Set(['NBIRTH', 'DBIRTH', 'DDATA', 'NDATA']));
  });
});

describe('status', () => {
  it('/status mqtt and `fieldgate status` show the session online at the broker, births and messages', async () => {
    const seen = published(w).length;
    const s = await node.mqttStatus();
    expect(s).toMatchObject({
      format: 'sparkplug-b',
      state: 'online',
      broker: broker.url,
      brokers: [broker.url],
      connects: 1,
      lastError: null,
      births: 1,
      bdSeq: 0,
      commandsAccepted: 0,
      commandsRefused: 0,
      backlog: { records: 0, bytes: 0, dropped: 0 },
      banks: [
        { name: 'line', alive: true },
        { name: 'cam', alive: true },
        { name: 'sim', alive: true },
      ],
    });
    // what the daemon counts is at least what the watcher received (the simulator keeps publishing)
    expect(s['messagesOut']).toBeGreaterThanOrEqual(seen);
    expect(s['bytesOut']).toBeGreaterThan(0);
    expect(s['metricsOut']).toBeGreaterThanOrEqual(11 + 3 + 1 + 270);

    const out = await runCommand(['status', '--url', node.statusUrl]);
    expect({ code: out.code, stderr: out.stderr }).toEqual({ code: 0, stderr: '' });
    const lines = out.stdout.split('\n');
    const title = lines.findIndex((l) => l.startsWith('MQTT ('));
    expect(lines[title]).toBe('MQTT (sparkplug-b, bdSeq 0)');
    expect(lines[title + 1]).toMatch(
      /^BROKER\s+STATE\s+BIRTHS\s+MESSAGES\s+SENT\s+BACKLOG\s+DROPPED\s+COMMANDS\s+LAST ERROR$/,
    );
    const row = lines.slice(title + 2).find((l) => l.startsWith(broker.url)) ?? '';
    const cells = row.split(/\s{2,}/);
    expect(cells[0]).toBe(broker.url);
    expect(cells[1]).toBe('online');
    expect(cells[2]).toBe('1');
    expect(Number(cells[3])).toBeGreaterThanOrEqual(seen);
    expect(row).toContain('0 ok, 0 refused');
  });
});
