/**
 * The built daemon with an `mqtt:` section, for the MQTT interop tests: a config with one bank
 * (`line`) served over Modbus TCP and a status endpoint, both on loopback port 0; /status read over
 * HTTP; bounded waits on it. And a TCP gate: a pass-through to a broker that can refuse connections,
 * so a test can hold the daemon off a restarted broker until its own watcher has subscribed.
 */
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MqttStatus } from '../../src/mqtt/mqtt-status.js';
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';
import { closeClient, modbusClient } from './clients.js';
import { startDaemon, tempFile, type Daemon } from './daemon.js';
import { startMosquitto, type Mosquitto, type MosquittoOptions } from './mosquitto.js';
import {
  decodeSparkplug,
  watch,
  type SparkplugMetric,
  type SparkplugPayload,
  type Watch,
  type WatchedMessage,
  type WatchOptions,
} from './mqtt-watch.js';

const HOST = '127.0.0.1';
const STOP_MS = 8_000;
const POLL_MS = 25;

/** Holding registers of the `line` bank (0-based addresses). */
export const LEVEL = 0; //     uint16
export const TEMP = 1; //      int16
export const FLOW = 2; //      float32, 2 registers
export const LABEL = 10; //    string, 120 registers (240 characters)
export const LABEL_CHARS = 240;

/** The bank every test publishes. `run` is coil 0. */
export const BANK_YAML = `
banks:
  line:
    holding: 200
    coils: 8
    values:
      holding: { 0: [7, 65531] }
    points:
      - { name: level, table: holding, address: ${LEVEL}, type: uint16 }
      - { name: temp, table: holding, address: ${TEMP}, type: int16 }
      - { name: flow, table: holding, address: ${FLOW}, type: float32 }
      - { name: label, table: holding, address: ${LABEL}, type: string, length: ${LABEL_CHARS / 2} }
      - { name: run, table: coils, address: 0, type: bool }
`;

export const newStoreDir = () => mkdtempSync(join(tmpdir(), 'fieldgate-mqtt-store-'));

/**
 * A whole config: gateway `name`, the `line` bank, a Modbus server `scada` (unit 1 = line), the
 * status endpoint and `mqtt` (given as an object, written as YAML flow/JSON). The reconnect backoff
 * is short unless `mqtt.reconnect` says otherwise.
 */
export function gatewayYaml(mqtt: Record<string, unknown>, name = 'gw1'): string {
  const withDefaults = { reconnect: { min: '100ms', max: '400ms', jitter: 0 }, ...mqtt };
  return `
gateway: { name: ${name} }
${BANK_YAML}
servers:
  - { name: scada, protocol: modbus, listen: "${HOST}:0", units: { 1: { bank: line } } }
status:
  listen: "${HOST}:0"
mqtt: ${JSON.stringify(withDefaults)}
`;
}

export interface StatusDocument {
  readonly mqtt: MqttStatus | null;
  readonly [key: string]: unknown;
}

export interface Fieldgate {
  readonly daemon: Daemon;
  readonly modbusPort: number;
  readonly statusPort: number;
  readonly configFile: string;
  status(): Promise<StatusDocument>;
  mqtt(): Promise<MqttStatus>;
  /** Polls /status until `match(mqtt)` holds (bounded); resolves with that status. */
  until(match: (m: MqttStatus) => boolean, what: string, ms?: number): Promise<MqttStatus>;
  /** SIGTERM, waits for the exit (SIGKILL after a deadline). Idempotent. */
  stop(): Promise<number | null>;
  /** SIGKILL (a crash: the broker publishes the Will). */
  kill(): Promise<void>;
}

/** Starts `fieldgate run` on `yaml`; resolves once the Modbus server and the status endpoint listen. */
export async function startFieldgate(yaml: string): Promise<Fieldgate> {
  const configFile = tempFile('fieldgate.yaml', yaml);
  const daemon = startDaemon(['run', '-c', configFile]);
  try {
    const listening = await daemon.waitFor((l) => l['msg'] === 'listening' && l['server'] === 'scada');
    const statusLine = await daemon.waitFor((l) => l['msg'] === 'status endpoint listening');
    return fieldgate(daemon, configFile, listening['port'] as number, statusLine['port'] as number);
  } catch (err) {
    daemon.child.kill('SIGKILL');
    throw err;
  }
}

function fieldgate(daemon: Daemon, configFile: string, modbusPort: number, statusPort: number): Fieldgate {
  const status = async (): Promise<StatusDocument> => {
    const res = await fetch(`http://${HOST}:${statusPort}/status`);
    if (!res.ok) throw new Error(`/status answered ${res.status}`);
    return (await res.json()) as StatusDocument;
  };
  const mqtt = async (): Promise<MqttStatus> => {
    const doc = await status();
    if (!doc.mqtt) throw new Error('/status has no mqtt section');
    return doc.mqtt;
  };
  const until = async (match: (m: MqttStatus) => boolean, what: string, ms = 10_000): Promise<MqttStatus> => {
    const deadline = Date.now() + ms;
    let last: MqttStatus | undefined;
    for (;;) {
      last = await mqtt();
      if (match(last)) return last;
      if (Date.now() > deadline || daemon.child.exitCode !== null)
        throw new Error(`/status never showed ${what} within ${ms} ms; last mqtt: ${JSON.stringify(last)}`);
      await sleep(POLL_MS);
    }
  };
  const signal = async (sig: NodeJS.Signals): Promise<number | null> => {
    const child = daemon.child;
    if (child.exitCode === null && child.signalCode === null) {
      child.kill(sig);
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_MS);
      await daemon.exited;
      clearTimeout(timer);
    }
    return daemon.exited;
  };
  return {
    daemon,
    modbusPort,
    statusPort,
    configFile,
    status,
    mqtt,
    until,
    stop: () => signal('SIGTERM'),
    kill: async () => {
      await signal('SIGKILL');
    },
  };
}

/** A string as the registers of a string point (ABCD: first character in the high byte), NUL-padded. */
export function stringRegisters(text: string, registers: number): number[] {
  const bytes = Buffer.alloc(registers * 2);
  bytes.write(text, 'latin1');
  return Array.from({ length: registers }, (_, i) => bytes.readUInt16BE(2 * i));
}

/**
 * A pass-through TCP port to a broker on loopback. While closed, new connections are dropped at once
 * (the daemon sees a connection closed before CONNACK and tries again later); open connections are not
 * touched. A connection whose other side ends is ended too.
 */
export interface Gate {
  readonly port: number;
  readonly url: string;
  open(): void;
  close(): void;
  stop(): Promise<void>;
}

export async function startGate(brokerPort: number): Promise<Gate> {
  let isOpen = true;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((down) => {
    sockets.add(down);
    down.on('close', () => sockets.delete(down));
    down.on('error', () => undefined);
    if (!isOpen) {
      down.destroy();
      return;
    }
    const up = net.connect({ host: HOST, port: brokerPort });
    sockets.add(up);
    up.on('close', () => {
      sockets.delete(up);
      down.destroy();
    });
    up.on('error', () => undefined);
    down.on('close', () => up.destroy());
    down.pipe(up);
    up.pipe(down);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `mqtt://${HOST}:${port}`,
    open: () => {
      isOpen = true;
    },
    close: () => {
      isOpen = false;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A Sparkplug message as the independent decoder (sparkplug-payload) reads it. */
export interface SpMessage {
  readonly topic: string;
  /** NBIRTH, DBIRTH, DDATA, NDATA, NDEATH, ... */
  readonly type: string;
  readonly node: string;
  readonly device: string | undefined;
  readonly payload: SparkplugPayload;
  readonly at: number;
}

/** spBv1.0/<group>/<type>/<node>[/<device>] decoded; undefined for any other topic. */
export function sp(m: WatchedMessage): SpMessage | undefined {
  const [ns, , type, node, device] = m.topic.split('/');
  if (ns !== 'spBv1.0' || type === undefined || node === undefined || type === 'STATE') return undefined;
  return { topic: m.topic, type, node, device, payload: decodeSparkplug(m.payload), at: m.at };
}

/** Matches a Sparkplug message of `type` (and of `device`, when given). */
export const spType =
  (type: string, device?: string) =>
  (m: WatchedMessage): boolean => {
    const [, , t, , d] = m.topic.split('/');
    return t === type && (device === undefined || d === device);
  };

/** The metric called `name`; throws when the payload has none (so a test fails with its name). */
export function metric(p: SparkplugPayload, name: string): SparkplugMetric {
  const found = p.metrics?.find((m) => m.name === name);
  if (!found) throw new Error(`no metric ${name} in ${JSON.stringify(p.metrics?.map((m) => m.name))}`);
  return found;
}

/**
 * What a test starts, stopped in reverse order by `cleanup()` (call it in afterEach): brokers, gates,
 * daemons, watchers, Modbus clients.
 */
export interface Resources {
  broker(options?: MosquittoOptions): Promise<Mosquitto>;
  gate(brokerPort: number): Promise<Gate>;
  daemon(yaml: string): Promise<Fieldgate>;
  watcher(url: string, topics: string | readonly string[], options?: WatchOptions): Promise<Watch>;
  modbus(port: number): Promise<ModbusRTU>;
  cleanup(): Promise<void>;
}

export function resources(): Resources {
  let stops: (() => Promise<unknown>)[] = [];
  const keep = <T>(value: T, stop: (v: T) => Promise<unknown>): T => {
    stops.push(() => stop(value));
    return value;
  };
  return {
    broker: async (options) => keep(await startMosquitto(options), (b) => b.stop()),
    gate: async (port) => keep(await startGate(port), (g) => g.stop()),
    daemon: async (yaml) => keep(await startFieldgate(yaml), (fg) => fg.stop()),
    watcher: async (url, topics, options) => keep(await watch(url, topics, options), (w) => w.close()),
    modbus: async (port) => keep(await modbusClient(port), (c) => closeClient(c)),
    cleanup: async () => {
      const all = stops.reverse();
      stops = [];
      for (const stop of all) await stop().catch(() => undefined);
    },
  };
}
