// The bench's Sparkplug subscriber, in a process of its own: mqtt.js, subscribed to spBv1.0/#.
// Counts messages and metrics per message type, the latency of every live DDATA metric (receive
// time - metric timestamp, same machine clock, ms) in a histogram, and checks its protobuf walk
// against sparkplug-payload (Tahu's decoder) on the first DDATA messages of each window.
// usage: node subscriber.mjs URL
// Signals (lib/proc.mjs gives children no stdin): SIGUSR1 starts a new window, SIGUSR2 prints the
// window's stats, SIGTERM disconnects and exits.
// stdout, JSON lines: {"ev":"ready"}, {"ev":"birth",...}, {"ev":"started"}, {"ev":"stats",...}.
import { createRequire } from 'node:module';

import mqtt from 'mqtt';

import { scanPayload } from './sparkplug-scan.mjs';

const require = createRequire(import.meta.url);
const tahu = require('sparkplug-payload').get('spBv1.0');

const url = process.argv[2];
const MAX_MS = 60000; // latency histogram: 1 ms buckets up to here, then one overflow bucket
const CHECKED = 5; // DDATA messages per window decoded with sparkplug-payload as well

const say = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);

let w;
function newWindow() {
  w = {
    t0: performance.now(),
    cpu0: process.cpuUsage(),
    messages: 0,
    bytes: 0,
    byType: {},
    metrics: 0,
    historical: 0,
    nodes: new Set(),
    hist: new Uint32Array(MAX_MS + 2),
    latencies: 0,
    checked: 0,
    mismatches: 0,
    errors: 0,
    sample: null,
    firstAt: null,
    lastAt: null,
  };
}
newWindow();

function onMetric(ts, historical) {
  w.metrics++;
  if (historical) {
    w.historical++;
    return;
  }
  if (ts <= 0) return;
  const ms = Date.now() - ts;
  w.hist[ms < 0 ? 0 : ms > MAX_MS ? MAX_MS + 1 : ms]++;
  w.latencies++;
}

function check(payload, count) {
  w.checked++;
  const decoded = tahu.decodePayload(payload);
  const metrics = decoded.metrics ?? [];
  if (metrics.length !== count) w.mismatches++;
  if (!w.sample || metrics.length > w.sample.count)
    w.sample = { count: metrics.length, metrics: metrics.slice(0, 32).map((m) => ({ name: m.name, type: m.type })) };
}

function percentile(p) {
  if (w.latencies === 0) return null;
  const want = Math.ceil(p * w.latencies);
  let seen = 0;
  for (let i = 0; i < w.hist.length; i++) {
    seen += w.hist[i];
    if (seen >= want) return i;
  }
  return null;
}

const client = mqtt.connect(url, {
  clientId: `bench-sub-${process.pid}`,
  reconnectPeriod: 0,
  connectTimeout: 10000,
  clean: true,
});
client.on('error', (e) => {
  process.stderr.write(`subscriber: ${e.message}\n`);
  process.exit(1);
});
let ending = false;
client.on('close', () => process.exit(ending ? 0 : 1));
client.on('connect', () => {
  client.subscribe('spBv1.0/#', { qos: 0 }, (err) => {
    if (err) {
      process.stderr.write(`subscriber: subscribe failed: ${err.message}\n`);
      process.exit(1);
    }
    say({ ev: 'ready' });
  });
});
client.on('message', (topic, payload) => {
  const parts = topic.split('/');
  const type = parts[2] ?? '?';
  w.messages++;
  w.bytes += payload.length;
  w.byType[type] = (w.byType[type] ?? 0) + 1;
  if (parts[3]) w.nodes.add(parts[3]);
  if (type === 'NBIRTH' || type === 'DBIRTH') say({ ev: 'birth', type, node: parts[3], device: parts[4] ?? null });
  if (type !== 'DDATA') return;
  const at = performance.now();
  w.firstAt ??= at;
  w.lastAt = at;
  try {
    const count = scanPayload(payload, onMetric);
    if (w.checked < CHECKED) check(payload, count);
  } catch {
    w.errors++;
  }
});

process.on('SIGUSR1', () => {
  newWindow();
  say({ ev: 'started' });
});
process.on('SIGUSR2', () => {
  const seconds = (performance.now() - w.t0) / 1000;
  const cpu = process.cpuUsage(w.cpu0);
  say({
    ev: 'stats',
    seconds,
    messages: w.messages,
    bytes: w.bytes,
    byType: w.byType,
    metrics: w.metrics,
    historical: w.historical,
    nodes: w.nodes.size,
    latency: { samples: w.latencies, p50: percentile(0.5), p99: percentile(0.99), max: percentile(1) },
    checked: w.checked,
    mismatches: w.mismatches,
    errors: w.errors,
    sample: w.sample,
    // first to last DDATA of the window, s (the rate of a bounded flat-out burst)
    span: w.firstAt === null ? null : (w.lastAt - w.firstAt) / 1000,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
  });
});
process.on('SIGTERM', () => {
  ending = true;
  client.end(true, () => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
});
