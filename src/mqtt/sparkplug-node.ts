/**
 * fieldgate as a Sparkplug B 3.0 edge node: each published bank is a device, its points the metrics.
 *
 *   session:  CONNECT with the Will NDEATH(bdSeq) -> subscribe NCMD, DCMD (and the primary host's
 *             STATE) -> NBIRTH(bdSeq, seq 0) -> DBIRTH per live bank -> stored DDATA (historical)
 *             -> DDATA by exception.
 *   seq:      0..255 over every message of the node after NBIRTH (which carries 0), wrapping.
 *   bdSeq:    0..255, one more for every new session, kept in the store directory across restarts.
 *   host:     with `primaryHost`, births wait for STATE online; STATE offline while born publishes
 *             NDEATH and starts a new session (a new bdSeq) that waits for online again.
 *   commands: NCMD Node Control/Rebirth = true births again; DCMD metrics are written as a Modbus
 *             client's write would be (point-write.ts).
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { MqttClient } from 'mqtt';
import {
  commandValue,
  DataType,
  decodePayload,
  encodePayload,
  parseSparkplugTopic,
  parseState,
  sparkplugTopic,
  sparkplugType,
  stateTopic,
  type SparkplugMetric,
  type SparkplugMessageType,
} from '../codec/sparkplug/index.js';
import { VERSION } from '../version.js';
import type { PointChange } from './bank-changes.js';
import type { Will } from './mqtt-link.js';
import type { MqttStatus } from './mqtt-status.js';
import { Northbound, type NodeInfo, type Outgoing } from './northbound.js';

export const REBIRTH_METRIC = 'Node Control/Rebirth';
const BDSEQ_FILE = 'bdseq';

export class SparkplugNode extends Northbound {
  /** The bdSeq of the session being opened or up; -1 before the first. */
  private bdSeq = -1;
  private seq = 0;
  private hostOnline = false;
  private hostTimestamp = 0;
  private nodeFigures: NodeInfo | undefined;
  private readonly startedAt = Date.now();

  override async start(): Promise<void> {
    this.bdSeq = await this.loadBdSeq();
    await super.start();
  }

  /** The next session's bdSeq is on disk before its CONNECT (with it as the Will) goes out. */
  protected async will(): Promise<Will> {
    this.bdSeq = (this.bdSeq + 1) % 256;
    await this.saveBdSeq();
    return { topic: this.topic('NDEATH'), payload: this.deathPayload(), qos: 1, retain: false };
  }

  protected sessionUp(client: MqttClient): void {
    const c = this.config;
    this.hostOnline = false;
    const topics = [this.topic('NCMD'), `${this.topic('DCMD')}/+`];
    if (c.primaryHost !== undefined) topics.push(stateTopic(c.primaryHost));
    client.subscribe(topics, { qos: 1 }, (err) => {
      if (err) return this.link.restart(`subscribe failed: ${err.message}`);
      if (c.primaryHost === undefined) this.births();
      else this.waiting(); // the retained STATE arrives next
    });
  }

  protected births(): void {
    this.seq = 0;
    this.counters.births++;
    this.nodeFigures = this.deps.nodeInfo();
    const metrics: SparkplugMetric[] = [
      { name: 'bdSeq', datatype: DataType.UInt64, value: this.bdSeq },
      { name: REBIRTH_METRIC, datatype: DataType.Boolean, value: false },
      { name: 'Node Info/Version', datatype: DataType.String, value: VERSION },
      { name: 'Node Info/Uptime', datatype: DataType.UInt64, value: Math.round((Date.now() - this.startedAt) / 1000) },
      ...this.figureMetrics(this.nodeFigures),
    ];
    this.publish(this.nodeMessage('NBIRTH', undefined, metrics, 0));
    for (const bank of this.collectors.keys()) if (this.alive.has(bank)) this.bankBirth(bank);
    this.log.info({ bdSeq: this.bdSeq, banks: [...this.alive] }, 'sparkplug: born');
    this.startReplay();
  }

  protected bankBirth(bank: string): void {
    const collector = this.collectors.get(bank);
    if (!collector) return;
    const points = collector.snapshot();
    this.publish(
      this.nodeMessage(
        'DBIRTH',
        bank,
        points.map((c) => metric(c, false)),
      ),
    );
    this.counters.metricsOut += points.length;
  }

  protected data(bank: string, changes: readonly PointChange[], historical: boolean): Outgoing[] {
    return [
      this.nodeMessage(
        'DDATA',
        bank,
        changes.map((c) => metric(c, historical)),
        undefined,
        this.config.qos,
      ),
    ];
  }

  protected bankDied(bank: string, dead: boolean): void {
    if (dead) this.publish(this.nodeMessage('DDEATH', bank, []));
    else this.bankBirth(bank);
  }

  protected farewell(): Outgoing {
    return { topic: this.topic('NDEATH'), payload: this.deathPayload(), qos: 1, retain: false };
  }

  protected extraStatus(): Partial<MqttStatus> {
    const host = this.config.primaryHost;
    return {
      bdSeq: Math.max(0, this.bdSeq),
      ...(host !== undefined ? { primaryHost: { id: host, online: this.hostOnline } } : {}),
    };
  }

  protected message(topic: string, payload: Buffer): void {
    const host = this.config.primaryHost;
    if (host !== undefined && topic === stateTopic(host)) return this.hostState(payload);
    const parsed = parseSparkplugTopic(topic);
    if (!parsed || (parsed.type !== 'NCMD' && parsed.type !== 'DCMD')) return;
    const decoded = decodePayload(payload);
    if ('error' in decoded) return this.refused(topic, `not a Sparkplug B payload: ${decoded.error}`);
    const metrics = decoded.payload.metrics;
    if (parsed.type === 'NCMD') return this.nodeCommand(topic, metrics);
    const bank = parsed.device ?? '';
    if (!this.collectors.has(bank)) return this.refused(topic, `no published bank ${bank}`);
    void this.deviceCommand(topic, bank, metrics);
  }

  /** Node figures that changed since the birth go out as NDATA. */
  protected override tick(): void {
    if (this.state !== 'online' || this.nodeFigures === undefined) return;
    const now = this.deps.nodeInfo();
    const before = this.figureMetrics(this.nodeFigures);
    const changed = this.figureMetrics(now).filter((m, i) => m.value !== before[i]?.value);
    this.nodeFigures = now;
    if (changed.length > 0) this.publish(this.nodeMessage('NDATA', undefined, changed));
  }

  private nodeCommand(topic: string, metrics: readonly SparkplugMetric[]): void {
    for (const m of metrics) {
      if (m.name === REBIRTH_METRIC && m.value === true) {
        this.counters.commandsAccepted++;
        this.log.info('sparkplug: rebirth asked for (NCMD)');
        if (this.isLive()) this.births();
      } else this.refused(topic, `unknown node command ${JSON.stringify(m.name ?? m.alias)}`);
    }
  }

  private async deviceCommand(topic: string, bank: string, metrics: readonly SparkplugMetric[]): Promise<void> {
    const target = this.deps.banks.get(bank);
    for (const m of metrics) {
      const point = m.name !== undefined ? target?.point(m.name) : undefined;
      if (!point) {
        this.refused(topic, `bank ${bank} has no point ${JSON.stringify(m.name ?? `alias ${m.alias}`)}`);
        continue;
      }
      const value = commandValue(m, point.config);
      if ('error' in value) this.refused(topic, value.error);
      else await this.write(bank, point.name, value.value, topic);
    }
  }

  private hostState(payload: Buffer): void {
    const state = parseState(payload);
    if (!state || (state.timestamp !== 0 && state.timestamp < this.hostTimestamp)) return;
    this.hostTimestamp = state.timestamp;
    const was = this.hostOnline;
    this.hostOnline = state.online;
    if (state.online && !was && this.state === 'waiting') {
      this.log.info({ host: this.config.primaryHost }, 'sparkplug: primary host online');
      this.births();
    } else if (!state.online && was) {
      this.log.warn({ host: this.config.primaryHost }, 'sparkplug: primary host offline: NDEATH, a new session waits');
      const client = this.client;
      if (client) {
        const restart = () => this.link.restart('primary host offline', true);
        this.publishAwait(client, this.farewell()).then(restart, restart);
      }
    }
  }

  private figureMetrics(info: NodeInfo): SparkplugMetric[] {
    return [
      { name: 'Node Info/Modbus Sessions', datatype: DataType.UInt32, value: info.sessions },
      { name: 'Node Info/Devices Up', datatype: DataType.UInt32, value: info.devicesUp },
      { name: 'Node Info/Devices', datatype: DataType.UInt32, value: info.devices },
    ];
  }

  private topic(type: SparkplugMessageType, device?: string): string {
    return sparkplugTopic(this.config.group, type, this.config.node, device);
  }

  /** A node message with the next seq (NBIRTH: `seq` 0). */
  private nodeMessage(
    type: SparkplugMessageType,
    device: string | undefined,
    metrics: SparkplugMetric[],
    seq?: number,
    qos: 0 | 1 = 0,
  ): Outgoing {
    const s = seq ?? (this.seq = (this.seq + 1) % 256);
    const payload = encodePayload({ timestamp: Date.now(), seq: s, metrics });
    return { topic: this.topic(type, device), payload, qos, retain: false };
  }

  private deathPayload(): Buffer {
    return encodePayload({
      timestamp: Date.now(),
      metrics: [{ name: 'bdSeq', datatype: DataType.UInt64, value: Math.max(0, this.bdSeq) }],
    });
  }

  private async loadBdSeq(): Promise<number> {
    try {
      const n = Number.parseInt(await readFile(path.join(this.config.storeForward.dir, BDSEQ_FILE), 'utf8'), 10);
      return Number.isInteger(n) && n >= 0 && n < 256 ? n : -1;
    } catch {
      return -1;
    }
  }

  /** Written to a temporary file and renamed over the old one: a crash leaves the old or the new. */
  private async saveBdSeq(): Promise<void> {
    const dir = this.config.storeForward.dir;
    const file = path.join(dir, BDSEQ_FILE);
    try {
      await mkdir(dir, { recursive: true, mode: 0o750 });
      await writeFile(`${file}.tmp`, String(this.bdSeq));
      await rename(`${file}.tmp`, file);
    } catch (err) {
      this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'sparkplug: bdSeq not saved');
    }
  }
}

/** A point's metric: one object shape for all (the encoder's hot loop sees one shape). */
function metric(c: PointChange, historical: boolean): SparkplugMetric {
  return {
    name: c.point.name,
    datatype: sparkplugType(c.point.config),
    value: c.value,
    timestamp: c.at > 0 ? c.at : undefined,
    isHistorical: historical ? true : undefined,
  };
}
