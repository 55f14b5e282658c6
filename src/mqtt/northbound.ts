/**
 * The northbound publisher: what Sparkplug B and JSON have in common. It keeps the MQTT link (one
 * broker of `urls` at a time), a change collector per published bank, and the store-and-forward
 * backlog; the format (sparkplug-node.ts, json-topics.ts) says how births, data and commands look.
 *
 * Data flow: a bank point is written -> its BankChanges is ready (next turn, or `minInterval` after
 * its last message) -> while the session is live, the changes go out as one data message; while it
 * is not (no broker, primary host away, output backed up, or the backlog still being replayed) they
 * are appended to the store. After a (re)birth the store is replayed in order, marked historical;
 * changes made during the replay wait in their collectors (the latest value of each point) and go out
 * live when it is done, so nothing current is ever marked historical.
 */
import type { MqttClient } from 'mqtt';
import type { Bank } from '../bank/bank.js';
import type { DeviceIdentity } from '../codec/pdu/device-id.js';
import type { PointValue } from '../codec/point-codec.js';
import type { MqttConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import { LogLimit } from '../log-limit.js';
import { BankChanges, type PointChange } from './bank-changes.js';
import { MqttLink, type Will } from './mqtt-link.js';
import { newCounters, type MqttCounters, type MqttState, type MqttStatus } from './mqtt-status.js';
import { writePoint } from './point-write.js';
import { ForwardStore } from './store-forward.js';

export interface NorthboundDeps {
  readonly banks: ReadonlyMap<string, Bank>;
  readonly identity: DeviceIdentity;
  readonly log: Logger;
  /** False while the bank's source is gone (its polls all stale, its decoding device down). */
  readonly bankAlive: (bank: string) => boolean;
  /** Node figures for a Sparkplug NBIRTH / NDATA. */
  readonly nodeInfo: () => NodeInfo;
}

export interface NodeInfo {
  readonly sessions: number;
  readonly devicesUp: number;
  readonly devices: number;
}

export interface Outgoing {
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: 0 | 1;
  readonly retain: boolean;
}

/** A stored change record: a bank and its changed points (name, value, time written). */
export interface StoredChanges {
  readonly b: string;
  readonly c: readonly (readonly [string, PointValue, number])[];
}

/** Output queued in the socket past this is "backed up": changes go to the store until it drains. */
const MAX_QUEUED_BYTES = 1024 * 1024;
/** Point values per data message, at most (a bigger batch goes out as several messages). */
const MAX_METRICS_PER_MESSAGE = 1000;
/** Replayed per read of the store. */
const REPLAY_BATCH_BYTES = 64 * 1024;
const LIVENESS_MS = 1000;
/** QoS 1 data messages awaiting their PUBACK, at most; past it the output counts as backed up. */
const MAX_INFLIGHT = 4096;
/** How long a clean stop waits for its last message (NDEATH) to be acknowledged. */
const FAREWELL_MS = 2000;

export abstract class Northbound {
  protected readonly log: Logger;
  protected readonly counters: MqttCounters = newCounters();
  protected readonly link: MqttLink;
  protected readonly collectors = new Map<string, BankChanges>();
  /** Banks whose source is up (the rest are dead: Sparkplug DDEATH). */
  protected readonly alive = new Set<string>();
  protected client: MqttClient | undefined;
  private store: ForwardStore | undefined;
  private phase: MqttState = 'down';
  private replaying: Promise<void> | undefined;
  private liveness: NodeJS.Timeout | undefined;
  private readonly refusals: LogLimit;
  /** Unacknowledged QoS 1 data messages, as stored records: stored if the session drops first. */
  private readonly inflight = new Map<number, Buffer>();
  private inflightSeq = 0;

  constructor(
    readonly config: MqttConfig,
    protected readonly deps: NorthboundDeps,
  ) {
    this.log = deps.log.child({ component: 'mqtt' });
    this.refusals = new LogLimit(this.log);
    this.link = new MqttLink(config, this.log, {
      will: () => this.will(),
      up: (client, url) => this.up(client, url),
      down: (reason) => this.down(reason),
      message: (topic, payload) => this.message(topic, payload),
    });
  }

  /** The Will of the next session. */
  protected abstract will(): Will | Promise<Will>;
  /** A session is up: subscribe; birth now, or when the primary host says online. */
  protected abstract sessionUp(client: MqttClient): void;
  /** Publishes the births: the node, then every live bank (`snapshot` of its collector). */
  protected abstract births(): void;
  /** The data message(s) for `changes` of `bank`. */
  protected abstract data(bank: string, changes: readonly PointChange[], historical: boolean): Outgoing[];
  /** A bank's source went away (true) or came back (false), while born. */
  protected abstract bankDied(bank: string, dead: boolean): void;
  /** A message on a subscribed topic (commands, the host's STATE). */
  protected abstract message(topic: string, payload: Buffer): void;
  /** What goes out on a clean stop before the DISCONNECT. */
  protected abstract farewell(): Outgoing | undefined;
  protected abstract extraStatus(): Partial<MqttStatus>;

  async start(): Promise<void> {
    const c = this.config;
    this.store = await ForwardStore.open({ dir: c.storeForward.dir, maxSize: c.storeForward.maxSize, log: this.log });
    if (this.store.count > 0) this.log.info({ records: this.store.count }, 'mqtt: stored changes from before');
    this.bind();
    this.link.start();
    this.phase = 'connecting';
    this.liveness = setInterval(() => this.checkLiveness(), LIVENESS_MS);
    this.liveness.unref();
    this.log.info({ brokers: c.urls, format: c.format, banks: c.banks }, 'mqtt started');
  }

  async stop(): Promise<void> {
    clearInterval(this.liveness);
    await this.link.stop(async (client) => {
      const last = this.farewell();
      if (last) await withTimeout(this.publishAwait(client, last), FAREWELL_MS);
    });
    for (const collector of this.collectors.values()) collector.close();
    this.collectors.clear();
    this.refusals.stop();
    await this.store?.close();
    this.phase = 'down';
  }

  /**
   * The banks were rebuilt or their points redefined (a reload): collectors follow the bank objects,
   * and a bank whose points changed is born again.
   */
  banksChanged(names: readonly string[]): void {
    const rebound = this.bind();
    for (const name of new Set([...names, ...rebound])) {
      if (!this.collectors.has(name) || !this.isLive()) continue;
      if (this.alive.has(name)) this.bankBirth(name);
    }
  }

  status(): MqttStatus {
    return {
      format: this.config.format,
      state: this.state,
      broker: this.link.broker,
      brokers: this.config.urls,
      connects: this.link.connects,
      lastError: this.link.lastError,
      ...this.counters,
      backlog: {
        records: this.store?.count ?? 0,
        bytes: this.store?.bytes ?? 0,
        dropped: this.store?.dropped ?? 0,
      },
      banks: this.config.banks.map((name) => ({ name, alive: this.alive.has(name) })),
      ...this.extraStatus(),
    };
  }

  get state(): MqttState {
    if (this.link.state !== 'up') return this.link.state;
    return this.phase;
  }

  /** A DBIRTH (Sparkplug) or every point (JSON) of one bank, while born. */
  protected abstract bankBirth(bank: string): void;

  /** Births done (or output backed up): send what is stored, then go live. */
  protected startReplay(): void {
    this.phase = 'replaying';
    void this.replay();
  }

  /** Waiting for the primary host (connected, nothing published). */
  protected waiting(): void {
    this.phase = 'waiting';
  }

  protected isLive(): boolean {
    return this.phase === 'online' || this.phase === 'replaying';
  }

  /** Publishes on the current session; false when there is none. */
  protected publish(out: Outgoing, stored?: Buffer): boolean {
    const client = this.client;
    if (!client) return false;
    this.counters.messagesOut++;
    this.counters.bytesOut += out.payload.length;
    if (out.qos === 1 && stored !== undefined) {
      const id = ++this.inflightSeq;
      this.inflight.set(id, stored);
      client.publish(out.topic, out.payload, { qos: 1, retain: out.retain }, (err) => {
        if (!err) this.inflight.delete(id);
      });
    } else {
      client.publish(out.topic, out.payload, { qos: out.qos, retain: out.retain });
    }
    return true;
  }

  protected publishAwait(client: MqttClient, out: Outgoing): Promise<void> {
    this.counters.messagesOut++;
    this.counters.bytesOut += out.payload.length;
    return new Promise((resolve, reject) =>
      client.publish(out.topic, out.payload, { qos: out.qos, retain: out.retain }, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
  }

  /** A command was refused: counted, logged (repeats summed). */
  protected refused(what: string, reason: string): void {
    this.counters.commandsRefused++;
    this.refusals.hit('mqtt: command refused', { command: what, reason });
  }

  /** Writes a point as a Modbus client would; counts and logs the outcome. Never rejects. */
  protected async write(bank: string, point: string, value: PointValue, what: string): Promise<void> {
    const target = this.deps.banks.get(bank);
    if (target === undefined || !this.collectors.has(bank)) return this.refused(what, `bank ${bank} is not published`);
    let error: string | undefined;
    try {
      error = await writePoint(target, point, value, this.deps.identity);
    } catch (err) {
      error = `point ${point}: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (error !== undefined) return this.refused(what, error);
    this.counters.commandsAccepted++;
    this.log.info({ bank, point, value }, 'mqtt: point written');
  }

  /** Collectors for the published banks that exist (a bank object replaced by a reload: a new one). */
  private bind(): string[] {
    const rebound: string[] = [];
    for (const name of this.config.banks) {
      const bank = this.deps.banks.get(name);
      const old = this.collectors.get(name);
      if (old?.bank === bank) continue;
      old?.close();
      this.collectors.delete(name);
      if (bank === undefined) continue;
      this.collectors.set(name, new BankChanges(bank, this.config.minInterval, (c) => this.ready(c)));
      if (this.deps.bankAlive(name)) this.alive.add(name);
      rebound.push(name);
    }
    return rebound;
  }

  private up(client: MqttClient, _url: string): void {
    this.client = client;
    this.phase = 'waiting';
    this.sessionUp(client);
  }

  private down(_reason: string): void {
    this.client = undefined;
    this.phase = 'down';
    // QoS 1 data not acknowledged: stored first, so they keep their place before what follows
    for (const record of this.inflight.values()) this.keep(record);
    this.inflight.clear();
  }

  /** A collector has changes: publish them, or store them while the session is not live. */
  private ready(collector: BankChanges): void {
    const name = collector.bank.name;
    if (this.phase === 'replaying') return; // they wait in the collector until the replay is done
    const changes = collector.take();
    // a dead bank's values are not published (its DBIRTH carries them when it is back)
    if (changes.length === 0 || !this.alive.has(name)) return;
    const live = this.phase === 'online' && !this.backedUp();
    for (let i = 0; i < changes.length; i += MAX_METRICS_PER_MESSAGE) {
      const chunk =
        i === 0 && changes.length <= MAX_METRICS_PER_MESSAGE ? changes : changes.slice(i, i + MAX_METRICS_PER_MESSAGE);
      if (!live) {
        this.keep(storedRecord(name, chunk));
        continue;
      }
      const outs = this.data(name, chunk, false);
      // QoS 1: the chunk is kept (as a stored record) until its last message is acknowledged
      const record = this.config.qos === 1 ? storedRecord(name, chunk) : undefined;
      outs.forEach((out, j) => this.publish(out, j === outs.length - 1 ? record : undefined));
      this.counters.metricsOut += chunk.length;
    }
  }

  private keep(record: Buffer): void {
    if (!this.store) return;
    this.store.append(record);
    this.counters.stored++;
    if (this.phase === 'online') this.startReplay(); // backed up: drain through the store
  }

  private backedUp(): boolean {
    const stream = (this.client as { stream?: { writableLength?: number } } | undefined)?.stream;
    return (stream?.writableLength ?? 0) > MAX_QUEUED_BYTES || this.inflight.size > MAX_INFLIGHT;
  }

  private async replay(): Promise<void> {
    if (this.replaying) return this.replaying;
    this.replaying = this.drain().finally(() => {
      this.replaying = undefined;
    });
    return this.replaying;
  }

  private async drain(): Promise<void> {
    const store = this.store;
    const client = this.client;
    if (!store || !client) return;
    try {
      while (store.count > 0 && this.client === client) {
        while (this.backedUp() && this.client === client) await drained(client);
        const records = await store.read(REPLAY_BATCH_BYTES);
        if (records.length === 0 || this.client !== client) break;
        let last: Outgoing | undefined;
        for (const record of records) {
          const stored = parseRecord(record);
          const bank = stored && this.deps.banks.get(stored.b);
          // a bank gone from the config, or dead now (no DBIRTH for its DDATA to follow): left out
          if (!stored || !bank || !this.alive.has(stored.b)) continue;
          const changes = stored.c.flatMap(([name, value, at]) => {
            const point = bank.point(name);
            return point ? [{ point, value, at }] : [];
          });
          if (changes.length === 0) continue;
          for (const out of this.data(stored.b, changes, true)) {
            if (last) this.publish(last);
            last = out;
          }
          this.counters.metricsOut += changes.length;
        }
        if (last) await this.publishAwait(client, last);
        await store.remove(records.length);
      }
    } catch (err) {
      this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'mqtt: replay stopped');
      return;
    }
    if (this.client !== client || this.phase !== 'replaying') return;
    this.phase = 'online';
    if (store.count > 0) this.log.info({ left: store.count }, 'mqtt: replay done');
    for (const collector of this.collectors.values()) this.ready(collector);
  }

  private checkLiveness(): void {
    for (const name of this.collectors.keys()) {
      const alive = this.deps.bankAlive(name);
      if (alive === this.alive.has(name)) continue;
      if (alive) this.alive.add(name);
      else this.alive.delete(name);
      this.log.info({ bank: name }, alive ? 'mqtt: bank source back' : 'mqtt: bank source gone');
      if (this.isLive()) this.bankDied(name, !alive);
    }
    this.tick();
  }

  /** Once a second: node figures that changed (Sparkplug NDATA). */
  protected tick(): void {}
}

function storedRecord(bank: string, changes: readonly PointChange[]): Buffer {
  const record: StoredChanges = { b: bank, c: changes.map((c) => [c.point.name, c.value, c.at] as const) };
  return Buffer.from(JSON.stringify(record));
}

function parseRecord(record: Buffer): StoredChanges | undefined {
  try {
    const v = JSON.parse(record.toString()) as StoredChanges;
    return typeof v.b === 'string' && Array.isArray(v.c) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** `p`, or nothing after `ms` (a broker that does not answer does not hold a stop up). */
function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
  return Promise.race([p.catch(() => undefined), timeout]).finally(() => clearTimeout(timer));
}

function drained(client: MqttClient): Promise<void> {
  const stream = (client as unknown as { stream?: NodeJS.EventEmitter }).stream;
  return new Promise((resolve) => {
    if (!stream) return resolve();
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      resolve();
    };
    stream.once('drain', done);
    stream.once('close', done);
  });
}
