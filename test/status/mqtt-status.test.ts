/**
 * The MQTT link in `fieldgate status` (the "MQTT (...)" table and the line naming dead banks) and in
 * /metrics (fieldgate_mqtt_*: state, counters, commands per result, backlog), from a status document
 * and from a fake gateway view; without `mqtt:` neither shows anything.
 */
import { describe, expect, it } from 'vitest';
import type { MqttStatus } from '../../src/mqtt/mqtt-status.js';
import type { GatewayView, StatusDocument } from '../../src/status/document.js';
import { Metrics } from '../../src/status/metrics.js';
import { renderStatus } from '../../src/status/status-report.js';
import { Totals } from '../../src/status/totals.js';
import { parsePrometheusText, sampleValue } from '../helpers/prom-text.js';

const NOW = new Date('2026-01-01T10:00:00Z');

const SPARKPLUG: MqttStatus = {
  format: 'sparkplug-b',
  state: 'online',
  broker: 'mqtt://127.0.0.1:1883',
  brokers: ['mqtt://127.0.0.1:1883', 'mqtt://127.0.0.1:1884'],
  connects: 3,
  lastError: 'connection lost',
  births: 4,
  messagesOut: 1234,
  bytesOut: 1536,
  metricsOut: 56789,
  stored: 17,
  commandsAccepted: 5,
  commandsRefused: 2,
  bdSeq: 7,
  primaryHost: { id: 'scada', online: true },
  backlog: { records: 12, bytes: 3 * 1024 * 1024, dropped: 9 },
  banks: [
    { name: 'meters', alive: true },
    { name: 'tank', alive: false },
    { name: 'pumps', alive: false },
  ],
};

function doc(mqtt: MqttStatus | null): StatusDocument {
  return {
    gateway: 'line3',
    version: '0.1.0',
    uptimeSeconds: 60,
    startedAt: '2026-01-01T09:59:00.000Z',
    config: null,
    reload: { applied: 0, refused: 0, last: null },
    servers: [],
    devices: [],
    banks: [],
    commands: [],
    mqtt,
    warnings: [],
  };
}

/** The lines from the one starting with `title` to the blank line after it. */
function section(report: string, title: string): string[] {
  const lines = report.split('\n');
  const start = lines.findIndex((l) => l.startsWith(title));
  if (start < 0) throw new Error(`no ${title} in:\n${report}`);
  const end = lines.indexOf('', start);
  return lines.slice(start, end < 0 ? undefined : end);
}

describe('fieldgate status: the MQTT table', () => {
  it('shows format, bdSeq, primary host, broker, state, counts, backlog and the dead banks', () => {
    const lines = section(renderStatus(doc(SPARKPLUG), NOW), 'MQTT');
    expect(lines).toEqual([
      'MQTT (sparkplug-b, bdSeq 7, primary host scada online)',
      'BROKER                 STATE   BIRTHS  MESSAGES     SENT       BACKLOG  DROPPED         COMMANDS  LAST ERROR',
      '---------------------  ------  ------  --------  -------  ------------  -------  ---------------  ---------------',
      'mqtt://127.0.0.1:1883  online       4      1234  1.5 KiB  12 (3.0 MiB)        9  5 ok, 2 refused  connection lost',
      'banks whose source is gone (DDEATH): tank, pumps',
    ]);
  });

  it('a JSON link that is down: every broker listed, no bdSeq, no dead-bank line when all are alive', () => {
    const json: MqttStatus = {
      ...SPARKPLUG,
      format: 'json',
      state: 'down',
      broker: null,
      lastError: null,
      bdSeq: undefined,
      primaryHost: undefined,
      backlog: { records: 0, bytes: 0, dropped: 0 },
      banks: [{ name: 'meters', alive: true }],
    };
    const report = renderStatus(doc(json), NOW);
    expect(section(report, 'MQTT')).toEqual([
      'MQTT (json)',
      'BROKER                                       STATE  BIRTHS  MESSAGES     SENT  BACKLOG  DROPPED         COMMANDS  LAST ERROR',
      '-------------------------------------------  -----  ------  --------  -------  -------  -------  ---------------  ----------',
      'mqtt://127.0.0.1:1883 mqtt://127.0.0.1:1884  down        4      1234  1.5 KiB  0 (0 B)        0  5 ok, 2 refused  -',
    ]);
    expect(report).not.toContain('DDEATH');
  });

  it('a primary host that is offline says so', () => {
    const lines = section(
      renderStatus(doc({ ...SPARKPLUG, state: 'waiting', primaryHost: { id: 'scada', online: false } }), NOW),
      'MQTT',
    );
    expect(lines[0]).toBe('MQTT (sparkplug-b, bdSeq 7, primary host scada offline)');
  });

  it('with mqtt null there is no MQTT table', () => {
    const report = renderStatus(doc(null), NOW);
    expect(report).not.toMatch(/MQTT|BROKER|DDEATH/);
  });
});

const baseView: GatewayView = {
  name: 'line3',
  startedAt: NOW,
  configFile: undefined,
  reloads: { applied: 0, refused: 0, last: null },
  serverViews: () => [],
  deviceLinks: () => [],
};

async function scrape(view: GatewayView) {
  const metrics = new Metrics(view, new Totals(), 'test');
  return parsePrometheusText(await metrics.render());
}

const MQTT_FAMILIES: [string, string][] = [
  ['fieldgate_mqtt_state', 'gauge'],
  ['fieldgate_mqtt_connects_total', 'counter'],
  ['fieldgate_mqtt_births_total', 'counter'],
  ['fieldgate_mqtt_messages_total', 'counter'],
  ['fieldgate_mqtt_sent_bytes_total', 'counter'],
  ['fieldgate_mqtt_metrics_total', 'counter'],
  ['fieldgate_mqtt_stored_total', 'counter'],
  ['fieldgate_mqtt_dropped_total', 'counter'],
  ['fieldgate_mqtt_commands_total', 'counter'],
  ['fieldgate_mqtt_backlog', 'gauge'],
];

describe('/metrics: fieldgate_mqtt_*', () => {
  it('reads the link status when scraped', async () => {
    let status: MqttStatus = SPARKPLUG;
    const view: GatewayView = { ...baseView, mqttStatus: () => status };
    const metrics = new Metrics(view, new Totals(), 'test');
    let families = parsePrometheusText(await metrics.render());
    for (const [name, type] of MQTT_FAMILIES) expect([name, families.get(name)?.type]).toEqual([name, type]);

    expect(families.get('fieldgate_mqtt_state')?.samples.map((s) => [s.labels['state'], s.value])).toEqual([
      ['connecting', 0],
      ['waiting', 0],
      ['replaying', 0],
      ['online', 1],
      ['down', 0],
    ]);
    const value = (name: string, labels: Record<string, string> = { format: 'sparkplug-b' }) =>
      sampleValue(families, name, labels);
    expect(value('fieldgate_mqtt_connects_total')).toBe(3);
    expect(value('fieldgate_mqtt_births_total')).toBe(4);
    expect(value('fieldgate_mqtt_messages_total')).toBe(1234);
    expect(value('fieldgate_mqtt_sent_bytes_total')).toBe(1536);
    expect(value('fieldgate_mqtt_metrics_total')).toBe(56789);
    expect(value('fieldgate_mqtt_stored_total')).toBe(17);
    expect(value('fieldgate_mqtt_dropped_total')).toBe(9);
    expect(value('fieldgate_mqtt_commands_total', { result: 'accepted' })).toBe(5);
    expect(value('fieldgate_mqtt_commands_total', { result: 'refused' })).toBe(2);
    expect(value('fieldgate_mqtt_backlog', { unit: 'records' })).toBe(12);
    expect(value('fieldgate_mqtt_backlog', { unit: 'bytes' })).toBe(3 * 1024 * 1024);

    // the next scrape shows the status of then, not a sum
    status = {
      ...SPARKPLUG,
      state: 'down',
      connects: 4,
      messagesOut: 1300,
      commandsRefused: 3,
      backlog: { records: 0, bytes: 0, dropped: 9 },
    };
    families = parsePrometheusText(await metrics.render());
    expect(
      families
        .get('fieldgate_mqtt_state')
        ?.samples.filter((s) => s.value === 1)
        .map((s) => s.labels['state']),
    ).toEqual(['down']);
    expect(value('fieldgate_mqtt_connects_total')).toBe(4);
    expect(value('fieldgate_mqtt_messages_total')).toBe(1300);
    expect(value('fieldgate_mqtt_commands_total', { result: 'refused' })).toBe(3);
    expect(value('fieldgate_mqtt_backlog', { unit: 'records' })).toBe(0);
  });

  // Failed before 798b311: the seven counters had no labels, and prom-client shows a reset label-less
  // counter as one sample of 0, so a gateway without mqtt: reported fieldgate_mqtt_connects_total 0 etc.
  it('without mqttStatus (or when it answers undefined) no fieldgate_mqtt_* family has a sample', async () => {
    for (const view of [baseView, { ...baseView, mqttStatus: () => undefined }]) {
      const families = await scrape(view);
      for (const [name] of MQTT_FAMILIES) expect(families.has(name)).toBe(true);
      const withSamples = MQTT_FAMILIES.filter(([name]) => (families.get(name)?.samples.length ?? 0) > 0).map(
        ([name]) => name,
      );
      expect(withSamples).toEqual([]);
      expect(families.has('fieldgate_read_buffer_fallbacks_total')).toBe(true); // the rest is there
    }
  });
});
