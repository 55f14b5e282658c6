/**
 * The Sparkplug B session's life, fieldgate (the built daemon) against Debian's mosquitto, decoded by
 * sparkplug-payload: NDEATH from the broker's Will after kill -9 and from a clean stop, bdSeq + 1 per
 * restart (kept in storeForward.dir); DDEATH / DBIRTH of a bank polled from a Modbus TCP PLC
 * (modbus-serial's ServerTCP) that goes away and comes back; reloads (mqtt: changed, a point added,
 * a change elsewhere).
 */
import { readFileSync, watch, writeFileSync } from 'node:fs';
import net from 'node:net';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { afterEach, beforeAll, afterAll, describe, expect, it } from 'vitest';
import { closeClient, modbusClient } from '../helpers/clients.js';
import { startDaemon } from '../helpers/daemon.js';
import { MOSQUITTO, startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import type { Watch } from '../helpers/mqtt-watch.js';
import {
  configText,
  metric,
  nextOf,
  published,
  shape,
  startNode,
  watchNode,
  workDir,
  type NodeMessage,
  type NodeOptions,
  type RunningNode,
} from '../helpers/sparkplug-daemon.js';
import { requireTool } from './tools.js';

requireTool(MOSQUITTO, 'mosquitto');

type ServerTCP = InstanceType<(typeof import('modbus-serial'))['ServerTCP']>;
const { ServerTCP } = createRequire(import.meta.url)('modbus-serial') as typeof import('modbus-serial');

let broker: Mosquitto;
let w: Watch | undefined;
const nodes: RunningNode[] = [];
let plc: ServerTCP | undefined;

beforeAll(async () => {
  broker = await startMosquitto();
});

afterEach(async () => {
  for (const n of nodes.splice(0)) await n.stop();
  await w?.close();
  w = undefined;
  if (plc) await closePlc(plc);
  plc = undefined;
});

afterAll(async () => {
  await broker?.stop();
});

async function start(o: NodeOptions): Promise<RunningNode> {
  const n = await startNode(o);
  nodes.push(n);
  return n;
}

const SMALL = `
banks:
  tank:
    holding: 10
    points:
      - { name: level, table: holding, address: 0, type: uint16 }
servers:
  - { name: scada, protocol: modbus, listen: 127.0.0.1:0, bank: tank }
`;

describe('NDEATH and bdSeq', () => {
  it('kill -9: the broker publishes the Will NDEATH with the bdSeq of the last NBIRTH; restarts count bdSeq up', async () => {
    w = await watchNode(broker.url);
    const dir = workDir();
    const o: NodeOptions = { broker: broker.url, dir, banks: ['tank'], body: SMALL };
    let n = await start(o);
    const b0 = await nextOf(w, 'NBIRTH');
    expect(metric(b0, 'bdSeq')).toMatchObject({ type: 'UInt64', value: 0 });
    await nextOf(w, 'DBIRTH', 'tank');
    await fileHolds(join(dir, 'store', 'bdseq'), '0');

    await n.kill();
    const death = await nextOf(w, 'NDEATH');
    expect(death.topic).toBe('spBv1.0/plant/NDEATH/edge1');
    expect(shape(death)).toEqual([['bdSeq', 'UInt64', 0]]);
    expect(death.seq).toBeUndefined();

    // restart: bdSeq 1, read back from the store directory
    nodes.splice(0);
    n = await start(o);
    const b1 = await nextOf(w, 'NBIRTH');
    expect(b1.seq).toBe(0);
    expect(metric(b1, 'bdSeq').value).toBe(1);
    expect((await nextOf(w, 'DBIRTH', 'tank')).seq).toBe(1);
    await fileHolds(join(dir, 'store', 'bdseq'), '1');

    // a clean stop (SIGTERM) publishes NDEATH with that bdSeq too, and exits 0
    const before = Date.now();
    expect(await n.stop()).toBe(0);
    const clean = await nextOf(w, 'NDEATH');
    expect(shape(clean)).toEqual([['bdSeq', 'UInt64', 1]]);
    expect(Number(clean.payload.timestamp)).toBeGreaterThanOrEqual(before);

    nodes.splice(0);
    await start(o);
    const b2 = await nextOf(w, 'NBIRTH');
    expect(metric(b2, 'bdSeq').value).toBe(2);
    // one NDEATH per session: the clean stop sent it and no Will followed
    const deaths = published(w).filter((m) => m.type === 'NDEATH');
    expect(deaths.map((m) => metric(m, 'bdSeq').value)).toEqual([0, 1]);
  });
  // Before a7c… (the bdSeq saved fire-and-forget after the CONNECT, with a truncating write) the file was
  // missing or empty when killed just after the CONNACK, and the next session sent bdSeq 0 again (11
  // times in 12); now it is on disk (temp file + rename) before the CONNECT goes out. Three tries, so
  // one lucky ordering does not hide a regression.
  it('kill -9 right after the CONNACK: the next session still counts bdSeq up from the Will', async () => {
    w = await watchNode(broker.url);
    for (let i = 0; i < 3; i++) {
      const dir = workDir();
      const file = join(dir, 'fieldgate.yaml');
      const o: NodeOptions = { broker: broker.url, dir, banks: ['tank'], body: SMALL };
      writeFileSync(file, configText(o));
      const d = startDaemon(['run', '-c', file]);
      await d.waitFor((l) => l['msg'] === 'mqtt connected');
      d.child.kill('SIGKILL');
      await d.exited;
      const will = await nextOf(w, 'NDEATH');
      expect(shape(will)).toEqual([['bdSeq', 'UInt64', 0]]);
      const n = await start(o);
      const nbirth = await nextOf(w, 'NBIRTH');
      expect({ try: i, bdSeq: metric(nbirth, 'bdSeq').value }).toEqual({ try: i, bdSeq: 1 });
      await n.stop();
      nodes.splice(0);
      await nextOf(w, 'NDEATH');
    }
  });
});

/** Resolves once `path` holds `text` (fs.watch on its directory, bounded). */
async function fileHolds(path: string, text: string, ms = 3_000): Promise<void> {
  const read = () => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return undefined;
    }
  };
  if (read() === text) return;
  const watcher = watch(dirname(path));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${path} holds ${read()}, not ${text}, after ${ms} ms`)), ms);
      watcher.on('change', () => {
        if (read() !== text) return;
        clearTimeout(timer);
        resolve();
      });
      if (read() === text) {
        clearTimeout(timer);
        resolve();
      }
    });
  } finally {
    watcher.close();
  }
}

function closePlc(server: ServerTCP): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as net.AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

async function startPlc(port: number, holding: number[]): Promise<ServerTCP> {
  const server = new ServerTCP(
    { getHoldingRegister: (addr: number) => holding[addr] ?? 0 },
    { host: '127.0.0.1', port, unitID: 1 },
  );
  server.on('socketError', () => undefined);
  await new Promise<void>((resolve) => server.on('initialized', () => resolve()));
  return server;
}

describe('DDEATH', () => {
  it('a bank polled from a PLC: DBIRTH once a poll succeeds, DDEATH when the PLC goes, DBIRTH when it is back', async () => {
    const port = await freePort();
    const holding = [100, 200];
    plc = await startPlc(port, holding);
    w = await watchNode(broker.url);
    const n = await start({
      broker: broker.url,
      dir: workDir(),
      banks: ['plc', 'tank'],
      body: `
banks:
  plc:
    holding: 4
    points:
      - { name: a, table: holding, address: 0, type: uint16 }
      - { name: b, table: holding, address: 1, type: uint16 }
  tank:
    holding: 4
devices:
  - { name: plc1, type: modbus-tcp, host: 127.0.0.1, port: ${port}, timeout: 200ms, reconnect: { min: 50ms, max: 200ms } }
polls:
  - { device: plc1, every: 100ms, read: { table: holding, address: 0, count: 2 }, into: { bank: plc } }
`,
    });
    const nbirth = await nextOf(w, 'NBIRTH');
    const born = await nextOf(w, 'DBIRTH', 'plc', undefined, 5_000);
    expect(shape(born)).toEqual([
      ['a', 'UInt16', 100],
      ['b', 'UInt16', 200],
    ]);
    // the poll's time (it may precede the session)
    const polledAt = Number(metric(born, 'a').timestamp);
    expect(polledAt).toBeGreaterThanOrEqual(Number(nbirth.payload.timestamp) - 5_000);
    expect(polledAt).toBeLessThanOrEqual(born.at);
    holding[1] = 201;
    // (polls before the session was up are stored and replayed as historical: the live DDATA here)
    const live = (m: NodeMessage) => m.metrics.every((x) => x['isHistorical'] !== true);
    expect(shape(await nextOf(w, 'DDATA', 'plc', live))).toEqual([['b', 'UInt16', 201]]);

    await closePlc(plc);
    plc = undefined;
    const death = await nextOf(w, 'DDEATH', 'plc', undefined, 8_000);
    expect(death.topic).toBe('spBv1.0/plant/DDEATH/edge1/plc');
    expect(death.metrics).toEqual([]);
    expect(Number(death.payload.timestamp)).toBeGreaterThan(0);
    expect((await n.mqttStatus())['banks']).toEqual([
      { name: 'plc', alive: false },
      { name: 'tank', alive: true },
    ]);

    holding[0] = 101;
    plc = await startPlc(port, holding);
    const again = await nextOf(w, 'DBIRTH', 'plc', undefined, 8_000);
    expect(shape(again)).toEqual([
      ['a', 'UInt16', 101],
      ['b', 'UInt16', 201],
    ]);
    // the node stayed born: one NBIRTH, and seq ran on through DDEATH and DBIRTH
    const msgs = published(w);
    expect(msgs.filter((m) => m.type === 'NBIRTH')).toHaveLength(1);
    for (let i = 1; i < msgs.length; i++) expect(msgs[i]!.seq).toBe(((msgs[i - 1]!.seq ?? -1) + 1) % 256);
  });
});

describe('reload (SIGHUP)', () => {
  it('a point added to a published bank: its DBIRTH again; a new server elsewhere: no new NBIRTH', async () => {
    w = await watchNode(broker.url);
    const o: NodeOptions = { broker: broker.url, dir: workDir(), banks: ['tank'], body: SMALL };
    const n = await start(o);
    await nextOf(w, 'DBIRTH', 'tank');
    const reload = async (next: NodeOptions, count: number) => {
      writeFileSync(n.file, configText(next));
      n.d.child.kill('SIGHUP');
      await n.d.waitFor(() => n.d.lines.filter((l) => l['msg'] === 'reload applied').length >= count);
    };

    const withPoint = SMALL.replace(
      '- { name: level, table: holding, address: 0, type: uint16 }',
      '- { name: level, table: holding, address: 0, type: uint16 }\n      - { name: temp, table: holding, address: 1, type: int16 }',
    );
    await reload({ ...o, body: withPoint }, 1);
    const dbirth = await nextOf(w, 'DBIRTH', 'tank');
    expect(dbirth.seq).toBe(2);
    expect(shape(dbirth)).toEqual([
      ['level', 'UInt16', 0],
      ['temp', 'Int16', 0],
    ]);

    const withServer = withPoint.replace(
      'servers:\n',
      'servers:\n  - { name: hmi, protocol: modbus, listen: 127.0.0.1:0, bank: tank }\n',
    );
    await reload({ ...o, body: withServer }, 2);
    const c = await modbusClient(n.port('hmi'), 1);
    try {
      await c.writeRegister(1, 0xffff); // temp -1, through the new server
    } finally {
      await closeClient(c);
    }
    const d = await nextOf(w, 'DDATA', 'tank');
    expect(shape(d)).toEqual([['temp', 'Int16', -1]]);
    const msgs = published(w);
    expect(msgs.map((m) => m.type).filter((t) => t === 'NBIRTH' || t === 'NDEATH')).toEqual(['NBIRTH']);
    expect(msgs.filter((m) => m.type === 'DBIRTH')).toHaveLength(2);
    expect(await n.mqttStatus()).toMatchObject({ births: 1, connects: 1, state: 'online' });
  });

  it('mqtt: changed (group): NDEATH under the old group, a new session, births under the new one', async () => {
    w = await watchNode(broker.url, '+');
    const o: NodeOptions = { broker: broker.url, dir: workDir(), banks: ['tank'], body: SMALL };
    const n = await start(o);
    const first = await nextOf(w, 'NBIRTH');
    expect(first.topic).toBe('spBv1.0/plant/NBIRTH/edge1');
    await nextOf(w, 'DBIRTH', 'tank');

    writeFileSync(n.file, configText({ ...o, group: 'plant2' }));
    n.d.child.kill('SIGHUP');
    const death = await nextOf(w, 'NDEATH');
    expect(death.topic).toBe('spBv1.0/plant/NDEATH/edge1');
    expect(shape(death)).toEqual([['bdSeq', 'UInt64', 0]]);
    const nbirth = await nextOf(w, 'NBIRTH');
    expect(nbirth.topic).toBe('spBv1.0/plant2/NBIRTH/edge1');
    expect(nbirth.seq).toBe(0);
    expect(metric(nbirth, 'bdSeq').value).toBe(1);
    const dbirth = await nextOf(w, 'DBIRTH', 'tank');
    expect(dbirth.topic).toBe('spBv1.0/plant2/DBIRTH/edge1/tank');
    expect(dbirth.seq).toBe(1);
    await n.d.waitFor((l) => l['msg'] === 'reload applied');

    // commands under the new group reach the bank; the old group's topics are no longer heard
    const c = await modbusClient(n.port('scada'), 1);
    try {
      await c.writeRegister(0, 42);
    } finally {
      await closeClient(c);
    }
    const d = await nextOf(w, 'DDATA', 'tank');
    expect(d.topic).toBe('spBv1.0/plant2/DDATA/edge1/tank');
    expect(shape(d)).toEqual([['level', 'UInt16', 42]]);
    expect(d.seq).toBe(2);
    expect(await n.mqttStatus()).toMatchObject({ state: 'online', bdSeq: 1, births: 1 });
  });
});
