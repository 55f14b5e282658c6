/**
 * fieldgate as a Sparkplug B edge node for interop tests: the built daemon (bin/fieldgate.js) with a
 * generated YAML (its `storeForward.dir` a temp dir), a watcher on the node's topics decoded by the
 * INDEPENDENT decoder (sparkplug-payload, see mqtt-watch.ts), and small readers over both. Never
 * fieldgate's own codec.
 */
import { createRequire } from 'node:module';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon, type Daemon } from './daemon.js';
import {
  decodeSparkplug,
  encodeSparkplug,
  watch,
  type SparkplugMetric,
  type SparkplugPayload,
  type Watch,
  type WatchedMessage,
} from './mqtt-watch.js';

export const NAMESPACE = 'spBv1.0';

/** Initial registers: i16 -5, u16 65000, i32 -100000, u32 3e9, f32 1.5, f64 -2.25, text AB, temp 21.5, level 50. */
export const LINE_BANK = `
  line:
    holding: 40
    input: 4
    coils: 8
    values: { holding: { 0: [65531, 65000, 65534, 31072, 45776, 24064, 16320, 0, 49154, 0, 0, 0, 16706], 16: [215, 50] } }
    points:
      - { name: i16, table: holding, address: 0, type: int16 }
      - { name: u16, table: holding, address: 1, type: uint16 }
      - { name: i32, table: holding, address: 2, type: int32 }
      - { name: u32, table: holding, address: 4, type: uint32 }
      - { name: f32, table: holding, address: 6, type: float32 }
      - { name: f64, table: holding, address: 8, type: float64 }
      - { name: text, table: holding, address: 12, type: string, length: 4 }
      - { name: temp, table: holding, address: 16, type: int16, scale: 0.1 }
      - { name: level, table: holding, address: 17, type: uint16, deadband: 5 }
      - { name: ro, table: input, address: 0, type: int16 }
      - { name: run, table: coils, address: 0, type: bool }`;

/** The DBIRTH of LINE_BANK as [name, type, value] (u32: null from sparkplug-payload, checked raw). */
export const LINE_BIRTH: [string, string, unknown][] = [
  ['f32', 'Float', 1.5],
  ['f64', 'Double', -2.25],
  ['i16', 'Int16', -5],
  ['i32', 'Int32', -100000],
  ['level', 'UInt16', 50],
  ['ro', 'Int16', 0],
  ['run', 'Boolean', false],
  ['temp', 'Double', 21.5],
  ['text', 'String', 'AB'],
  ['u16', 'UInt16', 65000],
  ['u32', 'UInt32', null],
];

/** A node message as the independent decoder reads it. */
export interface NodeMessage {
  readonly topic: string;
  readonly type: string;
  readonly group: string;
  readonly node: string;
  readonly device: string | undefined;
  readonly payload: SparkplugPayload;
  readonly seq: number | undefined;
  readonly metrics: SparkplugMetric[];
  readonly at: number;
  readonly raw: Buffer;
}

export function parse(m: WatchedMessage): NodeMessage {
  const [, group = '', type = '', node = '', device] = m.topic.split('/');
  const payload = decodeSparkplug(m.payload);
  const seq = payload.seq === undefined || payload.seq === null ? undefined : Number(payload.seq);
  return {
    topic: m.topic,
    type,
    group,
    node,
    device,
    payload,
    seq,
    metrics: payload.metrics ?? [],
    at: m.at,
    raw: m.payload,
  };
}

/** Metric by name (throws when absent, so a test fails with the names it got). */
export function metric(msg: NodeMessage, name: string): SparkplugMetric {
  const found = msg.metrics.find((m) => m.name === name);
  if (!found) throw new Error(`${msg.topic} has no metric ${name}; has ${msg.metrics.map((m) => m.name).join(', ')}`);
  return found;
}

/** [name, type, value] of every metric, sorted by name. */
export function shape(msg: NodeMessage): [string, string, unknown][] {
  return msg.metrics
    .map((m): [string, string, unknown] => [String(m.name), m.type, m.value])
    .sort((a, b) => a[0].localeCompare(b[0]));
}

interface RawMetric {
  name?: string;
  datatype?: number;
  intValue?: number;
  longValue?: { toString(): string } | number;
  timestamp?: { toString(): string } | number;
  isHistorical?: boolean;
}

const proto = createRequire(import.meta.url)('sparkplug-payload/lib/sparkplugPayloadProto') as {
  org: { eclipse: { tahu: { protobuf: { Payload: { decode(b: Uint8Array): { metrics?: RawMetric[] } } } } } };
};

/**
 * The metrics as protobuf reads them (sparkplug-payload's own generated Payload class, no value
 * mapping): for UInt32, which sparkplug-payload 1.0.3 returns as null when it is in int_value (3.0).
 */
export function rawMetrics(payload: Buffer): RawMetric[] {
  return proto.org.eclipse.tahu.protobuf.Payload.decode(payload).metrics ?? [];
}

/** The uint32 in int_value of metric `name` (int_value is a protobuf uint32 field). */
export function rawUInt32(msg: NodeMessage, name: string): number | undefined {
  return rawMetrics(msg.raw).find((m) => m.name === name)?.intValue;
}

/** A temp dir holding the YAML, the store, profiles. */
export function workDir(): string {
  return mkdtempSync(join(tmpdir(), 'fieldgate-spb-'));
}

export interface NodeOptions {
  readonly broker: string;
  readonly dir: string;
  readonly group?: string;
  readonly node?: string;
  readonly banks: readonly string[];
  /** YAML of everything but gateway:, status: and mqtt:. */
  readonly body: string;
  /** Extra mqtt: keys, one per line, already indented by 2. */
  readonly mqttExtra?: string;
}

export function configText(o: NodeOptions): string {
  return `gateway: { name: ${o.node ?? 'edge1'} }
log: { level: debug }
status: { listen: 127.0.0.1:0 }
mqtt:
  url: ${o.broker}
  group: ${o.group ?? 'plant'}
  node: ${o.node ?? 'edge1'}
  banks: [${o.banks.join(', ')}]
  storeForward: { dir: ${join(o.dir, 'store')} }
  reconnect: { min: 100ms, max: 500ms }
${o.mqttExtra ?? ''}
${o.body}
`;
}

export interface RunningNode {
  readonly d: Daemon;
  readonly file: string;
  readonly statusUrl: string;
  /** Port of a Modbus/raw server by name (from its 'listening' log line). */
  port(server: string): number;
  /** SIGTERM, resolves with the exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL. */
  kill(): Promise<void>;
  /** GET /status → its mqtt section. */
  mqttStatus(): Promise<Record<string, unknown>>;
}

/** Writes the YAML (or uses `file`), starts the built daemon, waits for 'mqtt connected'. */
export async function startNode(o: NodeOptions, file = join(o.dir, 'fieldgate.yaml')): Promise<RunningNode> {
  writeFileSync(file, configText(o));
  const d = startDaemon(['run', '-c', file]);
  const status = await d.waitFor((l) => l['msg'] === 'status endpoint listening', 10_000);
  await d.waitFor((l) => l['msg'] === 'mqtt connected', 10_000);
  const statusUrl = `127.0.0.1:${Number(status['port'])}`;
  const node: RunningNode = {
    d,
    file,
    statusUrl,
    port: (server) => {
      const line = d.lines.find((l) => l['msg'] === 'listening' && l['server'] === server);
      if (!line) throw new Error(`server ${server} is not listening`);
      return Number(line['port']);
    },
    stop: async () => {
      if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGTERM');
      return d.exited;
    },
    kill: async () => {
      if (d.child.exitCode === null && d.child.signalCode === null) d.child.kill('SIGKILL');
      await d.exited;
    },
    mqttStatus: async () => {
      const res = await fetch(`http://${statusUrl}/status`);
      const doc = (await res.json()) as { mqtt: Record<string, unknown> };
      return doc.mqtt;
    },
  };
  return node;
}

/** A watcher on every topic of the node (group '+': of any group). */
export function watchNode(broker: string, group = 'plant', node = 'edge1'): Promise<Watch> {
  return watch(broker, [`${NAMESPACE}/${group}/+/${node}`, `${NAMESPACE}/${group}/+/${node}/+`]);
}

/** Messages the node published (not the commands a host sent), decoded. */
export const fromNode = (m: WatchedMessage): boolean => !/\/(NCMD|DCMD)(\/|$)/.test(m.topic);

/** The next message the node publishes matching `type` (and device) and `pred`. */
export async function nextOf(
  w: Watch,
  type: string,
  device?: string,
  pred: (msg: NodeMessage) => boolean = () => true,
  ms = 8_000,
): Promise<NodeMessage> {
  const m = await w.next((x) => {
    if (!fromNode(x)) return false;
    const p = x.topic.split('/');
    if (p[2] !== type || (device !== undefined && p[4] !== device)) return false;
    return pred(parse(x));
  }, ms);
  return parse(m);
}

/** Every message the node published so far, decoded, in arrival order. */
export function published(w: Watch): NodeMessage[] {
  return w.all().filter(fromNode).map(parse);
}

export type CommandMetric = { name: string; type: string; value: unknown };

/** Publishes a DCMD/NCMD payload encoded by sparkplug-payload (as a host would). */
export async function sendCommand(w: Watch, topic: string, metrics: readonly CommandMetric[] | Buffer): Promise<void> {
  const payload = Buffer.isBuffer(metrics)
    ? metrics
    : encodeSparkplug({ timestamp: Date.now(), metrics: metrics.map((m) => ({ ...m })) } as Parameters<
        typeof encodeSparkplug
      >[0]);
  await w.client.publishAsync(topic, payload, { qos: 1 });
}
