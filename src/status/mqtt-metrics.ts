/**
 * /metrics for the northbound MQTT link, read from its status when scraped (no samples without `mqtt:`):
 * whether it is up and in which state, births, messages, bytes and point values out, the store's
 * backlog and drops, commands carried out and refused.
 */
import { Counter, Gauge, type Registry } from './prom.js';
import type { MqttState, MqttStatus } from '../mqtt/mqtt-status.js';

const STATES: readonly MqttState[] = ['connecting', 'waiting', 'replaying', 'online', 'down'];

export function defineMqttMetrics(registry: Registry, status: () => MqttStatus | undefined): void {
  const registers = [registry];
  new Gauge({
    name: 'fieldgate_mqtt_state',
    help: '1 for the state the MQTT link is in (connecting, waiting for the primary host, replaying, online, down)',
    labelNames: ['state'],
    registers,
    collect() {
      this.reset();
      const s = status();
      if (s) for (const state of STATES) this.set({ state }, s.state === state ? 1 : 0);
    },
  });
  // labelled by format, so that a gateway without `mqtt:` shows no sample at all (prom-client shows a
  // label-less counter as 0 even when nothing was counted)
  const counter = (name: string, help: string, pick: (s: MqttStatus) => number) =>
    new Counter({
      name,
      help,
      labelNames: ['format'],
      registers,
      collect() {
        this.reset();
        const s = status();
        if (s) this.inc({ format: s.format }, pick(s));
      },
    });
  counter('fieldgate_mqtt_connects_total', 'MQTT sessions opened', (s) => s.connects);
  counter('fieldgate_mqtt_births_total', 'Sparkplug NBIRTHs (JSON: times every point was published)', (s) => s.births);
  counter('fieldgate_mqtt_messages_total', 'MQTT messages published', (s) => s.messagesOut);
  counter('fieldgate_mqtt_sent_bytes_total', 'Payload bytes published', (s) => s.bytesOut);
  counter('fieldgate_mqtt_metrics_total', 'Point values published (births, data, replayed)', (s) => s.metricsOut);
  counter(
    'fieldgate_mqtt_stored_total',
    'Change records stored while the broker or primary host was away',
    (s) => s.stored,
  );
  counter(
    'fieldgate_mqtt_dropped_total',
    'Stored change records dropped, oldest first (store full)',
    (s) => s.backlog.dropped,
  );
  const commands = new Counter({
    name: 'fieldgate_mqtt_commands_total',
    help: 'Commands from MQTT (DCMD, NCMD, /set) per result: accepted or refused',
    labelNames: ['result'],
    registers,
    collect() {
      commands.reset();
      const s = status();
      if (!s) return;
      commands.inc({ result: 'accepted' }, s.commandsAccepted);
      commands.inc({ result: 'refused' }, s.commandsRefused);
    },
  });
  const backlog = new Gauge({
    name: 'fieldgate_mqtt_backlog',
    help: 'Stored change records waiting to be sent, and their bytes',
    labelNames: ['unit'],
    registers,
    collect() {
      backlog.reset();
      const s = status();
      if (!s) return;
      backlog.set({ unit: 'records' }, s.backlog.records);
      backlog.set({ unit: 'bytes' }, s.backlog.bytes);
    },
  });
}
