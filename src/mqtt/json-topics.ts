/**
 * The plain JSON format, for everyone who does not speak Sparkplug: a change of point P in bank B is
 * published, retained, at `<topic>/B/P` as {"value": 21.5, "timestamp": 1764000000000} (timestamp null:
 * not written since fieldgate started, e.g. a bank's initial value); a message to
 * `<topic>/B/P/set` holding a JSON value, or {"value": ...}, writes the point as a Modbus client's
 * write would. `<topic>/status` says {"online": true} while fieldgate is connected (the Will says
 * false). After a reconnect every point is published (retained) first, then what was stored while
 * away, not retained and marked "historical": true, so a retained value is always the current one.
 */
import type { MqttClient } from 'mqtt';
import type { PointValue } from '../codec/point-codec.js';
import type { PointChange } from './bank-changes.js';
import type { Will } from './mqtt-link.js';
import type { MqttStatus } from './mqtt-status.js';
import { Northbound, type Outgoing } from './northbound.js';

/** Bytes of a /set message read at most (a point value is small). */
const MAX_SET_BYTES = 4096;

export class JsonTopics extends Northbound {
  protected will(): Will {
    return { topic: this.statusTopic(), payload: Buffer.from('{"online":false}'), qos: 1, retain: true };
  }

  protected sessionUp(client: MqttClient): void {
    client.subscribe(`${this.config.topic}/+/+/set`, { qos: 1 }, (err) => {
      if (err) return this.link.restart(`subscribe failed: ${err.message}`);
      this.births();
    });
  }

  protected births(): void {
    this.counters.births++;
    const online = JSON.stringify({ online: true, timestamp: Date.now() });
    this.publish({ topic: this.statusTopic(), payload: Buffer.from(online), qos: 1, retain: true });
    for (const bank of this.collectors.keys()) if (this.alive.has(bank)) this.bankBirth(bank);
    this.startReplay();
  }

  protected bankBirth(bank: string): void {
    const changes = this.collectors.get(bank)?.snapshot() ?? [];
    for (const out of this.data(bank, changes, false)) this.publish(out);
    this.counters.metricsOut += changes.length;
  }

  protected data(bank: string, changes: readonly PointChange[], historical: boolean): Outgoing[] {
    return changes.map((c) => ({
      topic: `${this.config.topic}/${bank}/${c.point.name}`,
      payload: Buffer.from(
        JSON.stringify(
          historical
            ? { value: c.value, timestamp: c.at, historical: true }
            : { value: c.value, timestamp: c.at > 0 ? c.at : null }, // null: never written since start
        ),
      ),
      qos: this.config.qos,
      retain: !historical,
    }));
  }

  /** JSON has no device death: the values stay, with the time they were last written. */
  protected bankDied(): void {}

  protected farewell(): Outgoing {
    return { topic: this.statusTopic(), payload: Buffer.from('{"online":false}'), qos: 1, retain: true };
  }

  protected extraStatus(): Partial<MqttStatus> {
    return {};
  }

  protected message(topic: string, payload: Buffer): void {
    const root = `${this.config.topic}/`;
    if (!topic.startsWith(root) || !topic.endsWith('/set')) return;
    const [bank, point, ...rest] = topic.slice(root.length, -'/set'.length).split('/');
    if (bank === undefined || point === undefined || rest.length > 0)
      return this.refused(topic, 'not <bank>/<point>/set');
    const value = setValue(payload);
    if (typeof value === 'object') return this.refused(topic, value.error);
    void this.write(bank, point, value, topic);
  }

  private statusTopic(): string {
    return `${this.config.topic}/status`;
  }
}

/** The value of a /set message: a JSON number, boolean or string, or {"value": ...}. */
export function setValue(payload: Buffer): PointValue | { error: string } {
  if (payload.length > MAX_SET_BYTES)
    return { error: `${payload.length} bytes: a /set value is at most ${MAX_SET_BYTES}` };
  let v: unknown;
  try {
    v = JSON.parse(payload.toString('utf8'));
  } catch {
    return { error: `not JSON: ${JSON.stringify(payload.subarray(0, 40).toString('utf8'))}` };
  }
  if (v !== null && typeof v === 'object' && !Array.isArray(v) && 'value' in v) v = v.value;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v;
  return { error: `${JSON.stringify(v)} is not a value: send a number, true/false, a "string" or {"value": ...}` };
}
