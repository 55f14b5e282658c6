// The reference of the mqtt section: a minimal mqtt.js publisher in a process of its own, sending
// Sparkplug DDATA payloads encoded once with sparkplug-payload (Tahu's codec), 256 of them (seq
// 0..255, values differing), over and over, QoS 0, as fast as the client library takes them: it
// publishes while the socket holds less than 1 MiB unsent (fieldgate's own threshold) and waits for
// 'drain' past it, yielding to the event loop every 256 messages. Bounded by DURATION_MS and
// MAX_MESSAGES.
// usage: node publisher.mjs URL DURATION_MS MAX_MESSAGES SPEC_JSON
//   SPEC_JSON: { count, metrics: [{ name, type }] } (the shape of a fieldgate DDATA: `count` metrics,
//   named and typed as listed, then p<i> of the first one's type)
// Prints one JSON line: { messages, metrics, seconds, payloadBytes }.
import { createRequire } from 'node:module';

import mqtt from 'mqtt';

const require = createRequire(import.meta.url);
const tahu = require('sparkplug-payload').get('spBv1.0');

const [url, durationArg, maxArg, specArg] = process.argv.slice(2);
const durationMs = Number(durationArg);
const maxMessages = Number(maxArg);
const spec = JSON.parse(specArg);
const HIGH_WATER = 1024 * 1024;
const TOPIC = 'spBv1.0/bench/DDATA/minimal/dev';

function value(type, i, k) {
  switch (type) {
    case 'Boolean':
      return (i + k) % 2 === 0;
    case 'Float':
    case 'Double':
      return (i * 31 + k) / 100;
    case 'String':
    case 'Text':
      return `v${i + k}`;
    default:
      return (i * 31 + k) & 0x7fff;
  }
}

const first = spec.metrics[0] ?? { name: 'p0', type: 'UInt16' };
const shape = Array.from({ length: spec.count }, (_, i) => spec.metrics[i] ?? { name: `p${i}`, type: first.type });
const now = Date.now();
const payloads = Array.from({ length: 256 }, (_, k) =>
  Buffer.from(
    tahu.encodePayload({
      timestamp: now,
      seq: k,
      metrics: shape.map((m, i) => ({ name: m.name, type: m.type, value: value(m.type, i, k), timestamp: now })),
    }),
  ),
);

const client = mqtt.connect(url, { clientId: `bench-pub-${process.pid}`, reconnectPeriod: 0, clean: true });
client.on('error', (e) => {
  process.stderr.write(`publisher: ${e.message}\n`);
  process.exit(1);
});

let sent = 0;
let t0 = 0;
let finished = false;

function finish() {
  if (finished) return;
  finished = true;
  const seconds = (performance.now() - t0) / 1000;
  process.stdout.write(
    `${JSON.stringify({ messages: sent, metrics: sent * spec.count, seconds, payloadBytes: payloads[0].length })}\n`,
  );
  client.end(false, () => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}

function pump() {
  const stream = client.stream;
  let batch = 0;
  while (!finished) {
    if (sent >= maxMessages || performance.now() - t0 >= durationMs) return finish();
    client.publish(TOPIC, payloads[sent & 255], { qos: 0 });
    sent++;
    if (stream.writableLength > HIGH_WATER) return void stream.once('drain', pump);
    if (++batch === 256) return void setImmediate(pump);
  }
}

client.on('connect', () => {
  process.stdout.write(`${JSON.stringify({ ev: 'connected' })}\n`);
  t0 = performance.now();
  pump();
});
process.on('SIGTERM', finish);
