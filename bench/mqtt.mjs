// Bench section "mqtt": fieldgate's northbound Sparkplug B publisher against Debian's mosquitto
// (started here on a free 127.0.0.1 port, persistence false), side by side in one run with a
// minimal mqtt.js publisher (bench/mqtt/publisher.mjs: payloads encoded once with sparkplug-payload,
// published flat out: the client library's ceiling). A subscriber in its own process
// (bench/mqtt/subscriber.mjs, mqtt.js, spBv1.0/#) counts what arrives and the change-to-subscriber
// latency (receive time - metric timestamp, the time the point was written in the daemon).
//   1 Hz     bank of 10,000 uint16 points, rewritten once a second by a Modbus client
//            (bench/mqtt/loader.mjs: FC16 x 123 registers), with and without `mqtt:`: updates/s,
//            latency, CPU-s per million updates, RSS idle and under load; then a Modbus FC3 read load
//            (bench/bin/loadgen) during the 1 Hz load, with and without `mqtt:`.
//   stream   one fpga-telemetry board flat out into a decoding raw server, its bank published.
//   minimal  the minimal publisher with the stream's DDATA shape (and with the 1 Hz one).
//   fleet    20 fieldgate processes (5 with --quick), 100 simulated points each at 1 Hz, one broker.
// fieldgate and the minimal publisher run on CPU 0; broker, subscriber, loader and loadgen on CPU 1.
// Every load is bounded in count and time. BENCH_MQTT_CPU_PROF=DIR runs the stream daemon with
// node --cpu-prof into DIR.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { ensureBuilt } from './lib/build.mjs';
import { modbusReads as reads } from './lib/loadgen.mjs';
import { freePort, waitForPort } from './lib/net.mjs';
import { runProcess, startProcess, stopProcess } from './lib/proc.mjs';
import { cpuSecondsOf, memoryOf } from './lib/procfs.mjs';
import { median, ratio, sum } from './lib/stats.mjs';
import { fmtInt, fmtMiB, fmtRatio, formatTable } from './lib/table.mjs';
import { MOSQUITTO, startBroker } from './mqtt/broker.mjs';
import { bigYaml, fleetYaml, streamYaml } from './mqtt/configs.mjs';
import { startFieldgate, startSubscriber, statusOf, waitReady } from './mqtt/daemon.mjs';
import { frameBlock, streamFrames } from './mqtt/frames.mjs';

export const name = 'mqtt';
export const description =
  'Sparkplug B to mosquitto: fieldgate (10,000 points at 1 Hz, a decoded stream flat out, a fleet) vs a minimal mqtt.js publisher';

const TARGETS = { updatesPerSec: 100000, vsMinimal: 0.8, p99Ms: 20, extraRssMiB: 8, modbusWithin: 0.1 };
const POINTS = 10000;
const FLEET_POINTS = 100;
const MAX_BLOCKS = 20000; // stream bound: 80M frames
const MAX_MESSAGES = 50_000_000; // minimal publisher bound
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function plan(ctx) {
  const q = ctx.opts.quick;
  return {
    runs: ctx.opts.runs,
    loadRounds: q ? 3 : 5, // 1 Hz rounds measured
    streamMs: q ? 2000 : 4000,
    fleet: q ? 5 : 20,
    fleetSeconds: q ? 3 : 5,
    settleMs: q ? 500 : 1000, // before the idle RSS is read
    cpus: os.cpus().length > 1 ? { pub: 0, sub: 1 } : { pub: undefined, sub: undefined },
  };
}

/** Rounds written so far per Modbus port: each loader goes on from there (new values every round). */
const roundsDone = new Map();

/** Runs the 1 Hz loader to completion (rounds, bounded). */
function runLoader(ctx, port, rounds, cpu) {
  const script = path.join(ctx.benchDir, 'mqtt', 'loader.mjs');
  const first = roundsDone.get(port) ?? 0;
  roundsDone.set(port, first + rounds);
  return runProcess(
    'loader',
    process.execPath,
    [script, String(port), String(POINTS), String(rounds), String(rounds * 1000 + 500), String(first)],
    { cpu, timeoutMs: rounds * 1000 + 15000 },
  ).then((r) => {
    const json = parseLast(r.stdout);
    if (!json || r.code !== 0) throw new Error(`loader failed (${r.code ?? r.signal}): ${r.stderr.trim().slice(-300)}`);
    return json;
  });
}

function parseLast(text) {
  try {
    return JSON.parse(text.trim().split('\n').pop() ?? '');
  } catch {
    return null;
  }
}

const mqttCounters = (s) => ({
  messagesOut: s?.mqtt?.messagesOut ?? null,
  metricsOut: s?.mqtt?.metricsOut ?? null,
  stored: s?.mqtt?.stored ?? null,
  dropped: s?.mqtt?.backlog?.dropped ?? null,
});
const delta = (a, b) =>
  Object.fromEntries(Object.keys(a).map((k) => [k, b[k] === null || a[k] === null ? null : b[k] - a[k]]));

const readSummary = (r) =>
  r?.ok ? { rps: r.rps, p99_us: r.p99_us, errors: r.errors } : { rps: null, error: r?.error ?? 'no loadgen' };

/** 10,000 points at 1 Hz, then a Modbus read load during the 1 Hz load; with or without mqtt. */
async function bigScenario(ctx, p, env, withMqtt, i) {
  const { tmp, broker, sub, loadgen } = env;
  const modbusPort = await freePort();
  const statusPort = await freePort();
  const node = `big${i}${withMqtt ? 'm' : 'x'}`;
  const mqtt = withMqtt ? { url: broker.url, dir: path.join(tmp, `store-${node}`) } : null;
  const yaml = bigYaml({ name: node, points: POINTS, modbusPort, statusPort, mqtt });
  const t0 = performance.now();
  const proc = await startFieldgate(ctx, tmp, node, yaml, { cpu: p.cpus.pub });
  try {
    await waitForPort(modbusPort, { timeoutMs: 60000, proc });
    await waitReady(proc, statusPort, { mqtt: withMqtt });
    if (withMqtt) await sub.bornAll([node], 10000);
    const readyMs = performance.now() - t0;
    await sleep(p.settleMs);
    const idle = memoryOf(proc.pid);
    // FC3 reads with nothing changing (nothing for mqtt to publish)
    const readsIdle = loadgen ? await reads(ctx, loadgen, modbusPort, p.cpus.sub) : null;
    // one round not measured: the first writes and messages of a process run cold code
    await runLoader(ctx, modbusPort, 1, p.cpus.sub);
    await sleep(300);

    const s0 = mqttCounters(await statusOf(statusPort));
    await sub.start();
    const cpu0 = cpuSecondsOf(proc.pid);
    const loader = await runLoader(ctx, modbusPort, p.loadRounds, p.cpus.sub);
    await sleep(300); // the last round's messages on their way
    const stats = await sub.stop();
    const cpu1 = cpuSecondsOf(proc.pid);
    const loaded = memoryOf(proc.pid);
    const s1 = mqttCounters(await statusOf(statusPort));

    // Modbus FC3 reads (10 connections, 1 in flight) while the 1 Hz load goes on
    const rounds = Math.ceil((ctx.opts.warmupMs + ctx.opts.durationMs) / 1000) + 1;
    const bg = runLoader(ctx, modbusPort, rounds, p.cpus.sub);
    const readsLoaded = loadgen ? await reads(ctx, loadgen, modbusPort, p.cpus.sub) : null;
    await bg;
    const s2 = mqttCounters(await statusOf(statusPort));
    const cpu = cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null;
    const seconds = loader.seconds;
    const written = loader.registers;
    return {
      mqtt: withMqtt,
      readyMs,
      idle,
      loaded,
      loader,
      published: delta(s0, s1),
      publishedDuringReads: delta(s1, s2),
      sub: stats,
      updatesPerSec: withMqtt ? stats.metrics / p.loadRounds : null,
      messagesPerSec: withMqtt ? (stats.byType.DDATA ?? 0) / p.loadRounds : null,
      writtenPerSec: written / seconds,
      cpuSeconds: cpu,
      cpuPerMillion: cpu === null ? null : (cpu * 1e6) / (withMqtt ? stats.metrics : written),
      readsIdle: readSummary(readsIdle),
      reads: readSummary(readsLoaded),
    };
  } finally {
    await stopProcess(proc, 3000);
  }
}

/** One decoded board flat out into a published bank. */
async function streamScenario(ctx, p, env, i, withMqtt = true) {
  const { tmp, broker, sub, frames } = env;
  const rawPort = await freePort();
  const statusPort = await freePort();
  const node = `stream${i}${withMqtt ? 'm' : 'x'}`;
  const mqtt = withMqtt ? { url: broker.url, dir: path.join(tmp, `store-${node}`) } : null;
  const prof = process.env.BENCH_MQTT_CPU_PROF;
  const extraArgs = prof
    ? ['--max-semi-space-size=1', '--optimize-for-size', '--cpu-prof', `--cpu-prof-dir=${path.resolve(prof)}`]
    : [];
  const proc = await startFieldgate(ctx, tmp, node, streamYaml({ name: node, rawPort, statusPort, mqtt }), {
    cpu: p.cpus.pub,
    extraArgs,
  });
  try {
    await waitReady(proc, statusPort, { mqtt: withMqtt });
    if (withMqtt) await sub.bornAll([node], 10000);
    const s0 = mqttCounters(await statusOf(statusPort));
    await sub.start();
    const cpu0 = cpuSecondsOf(proc.pid);
    const r = await streamFrames(rawPort, frames, p.streamMs, MAX_BLOCKS);
    await sleep(500); // what is still on its way through the broker
    const stats = await sub.stop();
    const cpu1 = cpuSecondsOf(proc.pid);
    const s1 = mqttCounters(await statusOf(statusPort));
    const cpu = cpu0 !== null && cpu1 !== null ? cpu1 - cpu0 : null;
    return {
      mqtt: withMqtt,
      stream: r,
      framesPerSec: r.frames / r.seconds,
      pointsWrittenPerSec: (13 * r.frames) / r.seconds,
      published: delta(s0, s1),
      sub: stats,
      updatesPerSec: stats.span ? stats.metrics / stats.span : null,
      messagesPerSec: stats.span ? (stats.byType.DDATA ?? 0) / stats.span : null,
      metricsPerMessage: stats.byType.DDATA ? stats.metrics / stats.byType.DDATA : null,
      cpuSeconds: cpu,
      cpuPerMillion: cpu === null || !stats.metrics ? null : (cpu * 1e6) / stats.metrics,
      cpuMsPer10kFrames: cpu === null ? null : (cpu * 1000 * 10000) / r.frames,
      memory: memoryOf(proc.pid),
    };
  } finally {
    await stopProcess(proc, 3000);
  }
}

/** The minimal mqtt.js publisher, flat out, `spec`-shaped DDATA. */
async function minimalScenario(ctx, p, env, spec, ms) {
  const { broker, sub } = env;
  await sub.start();
  const script = path.join(ctx.benchDir, 'mqtt', 'publisher.mjs');
  const h = startProcess(
    'publisher',
    process.execPath,
    [script, broker.url, String(ms), String(MAX_MESSAGES), JSON.stringify(spec)],
    { cpu: p.cpus.pub, cwd: ctx.root },
  );
  const timer = setTimeout(() => h.child.kill('SIGKILL'), ms + 20000);
  let cpu = null;
  const sampler = setInterval(() => (cpu = cpuSecondsOf(h.pid) ?? cpu), 100);
  await h.exited;
  clearTimeout(timer);
  clearInterval(sampler);
  await sleep(500);
  const stats = await sub.stop();
  const out = parseLast(h.stdout());
  if (!out) throw new Error(`minimal publisher failed: ${h.stderr().trim().slice(-300)}`);
  return {
    spec: { count: spec.count },
    publisher: out,
    sub: stats,
    updatesPerSec: stats.span ? stats.metrics / stats.span : null,
    messagesPerSec: stats.span ? (stats.byType.DDATA ?? 0) / stats.span : null,
    cpuSeconds: cpu,
    cpuPerMillion: cpu === null || !stats.metrics ? null : (cpu * 1e6) / stats.metrics,
  };
}

/** N small fieldgates on one broker. */
async function fleetScenario(ctx, p, env) {
  const { tmp } = env;
  const procs = [];
  // a broker and subscriber of its own: the broker's RSS is the fleet's alone
  const broker = await startBroker(tmp, { cpu: p.cpus.sub });
  let sub;
  try {
    sub = await startSubscriber(ctx, broker.url, { cpu: p.cpus.sub });
    const nodes = [];
    for (let i = 0; i < p.fleet; i++) {
      const node = `fleet${i}`;
      const modbusPort = await freePort();
      const mqtt = { url: broker.url, dir: path.join(tmp, `store-${node}`) };
      const yaml = fleetYaml({ name: node, points: FLEET_POINTS, modbusPort, every: '1s', mqtt });
      procs.push({ node, modbusPort, proc: await startFieldgate(ctx, tmp, node, yaml) });
      nodes.push(node);
    }
    for (const f of procs) await waitForPort(f.modbusPort, { timeoutMs: 60000, proc: f.proc });
    await sub.bornAll(nodes, 30000);
    await sleep(p.settleMs);
    await sub.start();
    const cpu0 = procs.map((f) => cpuSecondsOf(f.proc.pid));
    await sleep(p.fleetSeconds * 1000);
    const stats = await sub.stop();
    const cpu1 = procs.map((f) => cpuSecondsOf(f.proc.pid));
    const mem = procs.map((f) => memoryOf(f.proc.pid));
    const brokerMemory = memoryOf(broker.proc.pid);
    return {
      processes: p.fleet,
      sub: stats,
      messagesPerSec: stats.messages / stats.seconds,
      updatesPerSec: stats.metrics / stats.seconds,
      nodesSeen: stats.nodes,
      totalRssKiB: sum(mem.map((m) => m?.rssKiB)),
      meanRssKiB: sum(mem.map((m) => m?.rssKiB)) / p.fleet,
      cpuPct: (100 * sum(cpu1.map((c, i) => c - cpu0[i]))) / stats.seconds,
      broker: brokerMemory,
    };
  } finally {
    await Promise.all(procs.map((f) => stopProcess(f.proc, 3000)));
    if (sub) await stopProcess(sub.proc, 2000);
    await stopProcess(broker.proc, 3000);
  }
}

export async function run(ctx) {
  const bin = ctx.opts.fieldgate ?? path.join(ctx.root, 'bin', 'fieldgate.js');
  if (!existsSync(path.join(ctx.root, 'dist', 'mqtt', 'northbound.js')))
    throw new Error('dist/ is missing: npm run build');
  if (!existsSync(bin)) throw new Error(`${bin} is missing`);
  if (!existsSync(MOSQUITTO)) throw new Error(`${MOSQUITTO} is missing (apt-get install mosquitto)`);
  const p = plan(ctx);
  const built = ensureBuilt(ctx.benchDir, [{ name: 'loadgen', src: 'loadgen.c' }], ctx.log);
  const loadgen = built.loadgen?.error ? null : built.loadgen.path;
  if (!loadgen) ctx.log(`mqtt: no loadgen (${built.loadgen?.error}): the Modbus read load is skipped`);
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'fieldgate-bench-mqtt-'));
  const env = { tmp, loadgen, frames: await frameBlock(ctx.root) };
  const result = { plan: p, big: [], stream: [], streamBare: [], minimalStream: [], minimalBig: [], fleet: null };
  try {
    env.broker = await startBroker(tmp, { cpu: p.cpus.sub });
    env.sub = await startSubscriber(ctx, env.broker.url, { cpu: p.cpus.sub });
    for (let i = 0; i < p.runs; i++) {
      ctx.log(`mqtt: run ${i + 1}/${p.runs}: 10,000 points at 1 Hz without and with mqtt`);
      for (const withMqtt of [false, true]) {
        const r = await bigScenario(ctx, p, env, withMqtt, i);
        result.big.push(r);
        ctx.log(
          `  ${withMqtt ? 'with' : 'without'} mqtt: ${withMqtt ? `${fmtInt(r.updatesPerSec)} updates/s, p50/p99 ${r.sub.latency.p50}/${r.sub.latency.p99} ms, ` : ''}` +
            `${fmtInt(r.writtenPerSec)} registers written/s, CPU ${r.cpuSeconds?.toFixed(2)} s, RSS idle ${fmtMiB(r.idle?.rssKiB)} loaded ${fmtMiB(r.loaded?.rssKiB)} MiB, FC3 ${fmtInt(r.reads.rps)} req/s`,
        );
      }
      ctx.log(`mqtt: run ${i + 1}/${p.runs}: decoded stream flat out, then the minimal publisher`);
      const bare = await streamScenario(ctx, p, env, i, false);
      result.streamBare.push(bare);
      const s = await streamScenario(ctx, p, env, i);
      result.stream.push(s);
      ctx.log(
        `  stream: ${fmtInt(bare.framesPerSec)} frames/s without mqtt, ${fmtInt(s.framesPerSec)} with:  ${fmtInt(s.updatesPerSec)} updates/s in ${fmtInt(s.messagesPerSec)} msg/s (${s.metricsPerMessage?.toFixed(1)} metrics/msg)`,
      );
      const streamShape = s.sub.sample ?? { count: 13, metrics: [] };
      const m = await minimalScenario(ctx, p, env, streamShape, p.streamMs);
      result.minimalStream.push(m);
      ctx.log(
        `  minimal (${streamShape.count} metrics/msg): ${fmtInt(m.updatesPerSec)} updates/s, ${fmtInt(m.messagesPerSec)} msg/s`,
      );
      const bigOn = result.big.at(-1);
      const perMsg = Math.max(1, Math.round(bigOn.sub.metrics / Math.max(1, bigOn.sub.byType.DDATA ?? 1)));
      const mb = await minimalScenario(
        ctx,
        p,
        env,
        { count: perMsg, metrics: [{ name: 'p0', type: 'UInt16' }] },
        p.streamMs,
      );
      result.minimalBig.push(mb);
      ctx.log(
        `  minimal (${perMsg} metrics/msg): ${fmtInt(mb.updatesPerSec)} updates/s, ${fmtInt(mb.messagesPerSec)} msg/s`,
      );
    }
    ctx.log(`mqtt: fleet of ${p.fleet} fieldgate processes, ${FLEET_POINTS} points at 1 Hz each`);
    result.fleet = await fleetScenario(ctx, p, env);
    result.broker = memoryOf(env.broker.proc.pid);
  } finally {
    if (env.sub) await stopProcess(env.sub.proc, 2000);
    if (env.broker) await stopProcess(env.broker.proc, 3000);
    await rm(tmp, { recursive: true, force: true });
  }
  return report(result);
}

function report(r) {
  const { plan: p } = r;
  const on = r.big.filter((x) => x.mqtt);
  const off = r.big.filter((x) => !x.mqtt);
  const m = (list, pick) => median(list.map(pick));
  const s = {
    bigUpdates: m(on, (x) => x.updatesPerSec),
    bigMsgs: m(on, (x) => x.messagesPerSec),
    bigPerMsg: m(on, (x) => x.sub.metrics / Math.max(1, x.sub.byType.DDATA ?? 0)),
    bigCpu: m(on, (x) => x.cpuPerMillion),
    bigCpuOff: m(off, (x) => x.cpuPerMillion),
    p50: m(on, (x) => x.sub.latency.p50),
    p99: m(on, (x) => x.sub.latency.p99),
    max: m(on, (x) => x.sub.latency.max),
    idleOn: m(on, (x) => x.idle?.rssKiB),
    idleOff: m(off, (x) => x.idle?.rssKiB),
    loadOn: m(on, (x) => x.loaded?.rssKiB),
    loadOff: m(off, (x) => x.loaded?.rssKiB),
    hwmOn: m(on, (x) => x.loaded?.hwmKiB),
    hwmOff: m(off, (x) => x.loaded?.hwmKiB),
    readsOn: m(on, (x) => x.reads.rps),
    readsOff: m(off, (x) => x.reads.rps),
    readsP99On: m(on, (x) => x.reads.p99_us),
    readsP99Off: m(off, (x) => x.reads.p99_us),
    readsIdleOn: m(on, (x) => x.readsIdle.rps),
    readsIdleOff: m(off, (x) => x.readsIdle.rps),
    streamFramesBare: m(r.streamBare, (x) => x.framesPerSec),
    streamCpu10kBare: m(r.streamBare, (x) => x.cpuMsPer10kFrames),
    streamCpu10k: m(r.stream, (x) => x.cpuMsPer10kFrames),
    streamUpdates: m(r.stream, (x) => x.updatesPerSec),
    streamMsgs: m(r.stream, (x) => x.messagesPerSec),
    streamPerMsg: m(r.stream, (x) => x.metricsPerMessage),
    streamCpu: m(r.stream, (x) => x.cpuPerMillion),
    streamFrames: m(r.stream, (x) => x.framesPerSec),
    minUpdates: m(r.minimalStream, (x) => x.updatesPerSec),
    minMsgs: m(r.minimalStream, (x) => x.messagesPerSec),
    minCpu: m(r.minimalStream, (x) => x.cpuPerMillion),
    minBigUpdates: m(r.minimalBig, (x) => x.updatesPerSec),
    minBigMsgs: m(r.minimalBig, (x) => x.messagesPerSec),
    minBigCpu: m(r.minimalBig, (x) => x.cpuPerMillion),
    minBigPerMsg: m(r.minimalBig, (x) => x.spec.count),
  };
  const f1 = (v) => (Number.isFinite(v) ? v.toFixed(1) : '-');
  const f2 = (v) => (Number.isFinite(v) ? v.toFixed(2) : '-');
  const ms = (v) => (Number.isFinite(v) ? `${v}` : '-');
  const extra = (a, b) => (Number.isFinite(a) && Number.isFinite(b) ? `${((a - b) / 1024).toFixed(1)}` : '-');
  const vsMin = ratio(s.streamUpdates, s.minUpdates);
  const readRatio = ratio(s.readsOn, s.readsOff);
  const readIdleRatio = ratio(s.readsIdleOn, s.readsIdleOff);
  const meets = (ok) => (ok === null ? '' : ok ? 'met' : 'NOT met');
  const ge = (a, b) => (Number.isFinite(a) ? a >= b : null);
  const le = (a, b) => (Number.isFinite(a) ? a <= b : null);
  const runs = `${p.runs} run${p.runs > 1 ? 's' : ''}`;
  const hist = (x) => (x.sub.historical ? ` (${fmtInt(x.sub.historical)} historical)` : '');
  const lines = [
    `Sparkplug B DDATA (QoS 0) to mosquitto on 127.0.0.1, counted by a subscriber in its own process; medians of ${runs}.`,
    `fieldgate and the minimal publisher on CPU 0; broker, subscriber, Modbus loader and loadgen on CPU 1.`,
    `1 Hz: ${fmtInt(POINTS)} uint16 points rewritten every second by FC16 x 123 registers (8 in flight), ${p.loadRounds} rounds measured after 1 warm-up round.`,
    `stream: one fpga-telemetry board flat out into a decoding raw server (13 points change every frame), ${p.streamMs / 1000} s.`,
    `minimal: mqtt.js publishing payloads encoded once with sparkplug-payload, as many metrics per message as fieldgate's, flat out.`,
    '',
    formatTable(
      [
        { title: 'publisher', align: 'left' },
        { title: 'metric updates/s' },
        { title: 'messages/s' },
        { title: 'metrics/msg' },
        { title: 'CPU-s/M updates' },
        { title: 'vs minimal' },
      ],
      [
        [
          'fieldgate, 10,000 points at 1 Hz (Modbus FC16)',
          fmtInt(s.bigUpdates),
          fmtInt(s.bigMsgs),
          f1(s.bigPerMsg),
          f2(s.bigCpu),
          '-',
        ],
        ['  same load without mqtt (CPU per M registers written)', '-', '-', '-', f2(s.bigCpuOff), '-'],
        [
          'minimal mqtt.js, same metrics/msg, flat out',
          fmtInt(s.minBigUpdates),
          fmtInt(s.minBigMsgs),
          f1(s.minBigPerMsg),
          f2(s.minBigCpu),
          '1.00x',
        ],
        null,
        [
          'fieldgate, decoded FPGA stream flat out',
          fmtInt(s.streamUpdates),
          fmtInt(s.streamMsgs),
          f1(s.streamPerMsg),
          f2(s.streamCpu),
          fmtRatio(vsMin),
        ],
        [
          'minimal mqtt.js, same metrics/msg, flat out',
          fmtInt(s.minUpdates),
          fmtInt(s.minMsgs),
          f1(s.streamPerMsg),
          f2(s.minCpu),
          '1.00x',
        ],
      ],
    ),
    `stream: ${fmtInt(s.streamFrames)} frames/s decoded with mqtt, ${fmtInt(s.streamFramesBare)} without (${fmtRatio(ratio(s.streamFrames, s.streamFramesBare))});` +
      ` daemon CPU ms per 10k frames ${f1(s.streamCpu10k)} / ${f1(s.streamCpu10kBare)}.`,
    `  Each frame writes 13 points (${fmtInt(13 * s.streamFrames)} point writes/s); every change is published (one DDATA per event-loop turn carries the changes of that turn, up to 1000 values each); publishing them takes CPU the decoder had.`,
    '',
    formatTable(
      [{ title: 'figure', align: 'left' }, { title: 'measured' }, { title: 'target' }, { title: '', align: 'left' }],
      [
        [
          'metric updates/s sustained (stream flat out)',
          fmtInt(s.streamUpdates),
          `>= ${fmtInt(TARGETS.updatesPerSec)}`,
          meets(ge(s.streamUpdates, TARGETS.updatesPerSec)),
        ],
        [
          'fieldgate / minimal publisher, updates/s (stream)',
          fmtRatio(vsMin),
          `>= ${TARGETS.vsMinimal}x`,
          meets(ge(vsMin, TARGETS.vsMinimal)),
        ],
        ['change-to-subscriber latency p50 at 10,000 changes/s, ms', ms(s.p50), '', ''],
        [
          'change-to-subscriber latency p99 at 10,000 changes/s, ms',
          ms(s.p99),
          `<= ${TARGETS.p99Ms}`,
          meets(le(s.p99, TARGETS.p99Ms)),
        ],
        ['  (max, ms)', ms(s.max), '', ''],
        ['RSS idle, MiB: with / without mqtt', `${fmtMiB(s.idleOn)} / ${fmtMiB(s.idleOff)}`, '', ''],
        ['RSS under 1 Hz load, MiB: with / without mqtt', `${fmtMiB(s.loadOn)} / ${fmtMiB(s.loadOff)}`, '', ''],
        ['  peak (VmHWM), MiB: with / without mqtt', `${fmtMiB(s.hwmOn)} / ${fmtMiB(s.hwmOff)}`, '', ''],
        [
          'extra RSS for mqtt, MiB: idle / under load',
          `${extra(s.idleOn, s.idleOff)} / ${extra(s.loadOn, s.loadOff)}`,
          `<= ${TARGETS.extraRssMiB}`,
          meets(le(Math.max(s.idleOn - s.idleOff, s.loadOn - s.loadOff) / 1024, TARGETS.extraRssMiB)),
        ],
        [
          'Modbus FC3 req/s (10 conns x 1), nothing changing: with / without',
          `${fmtInt(s.readsIdleOn)} / ${fmtInt(s.readsIdleOff)}`,
          '',
          '',
        ],
        [
          '  ratio with / without mqtt',
          fmtRatio(readIdleRatio),
          `>= ${1 - TARGETS.modbusWithin}x`,
          meets(ge(readIdleRatio, 1 - TARGETS.modbusWithin)),
        ],
        [
          'Modbus FC3 req/s (10 conns x 1) during 1 Hz load: with / without',
          `${fmtInt(s.readsOn)} / ${fmtInt(s.readsOff)}`,
          '',
          '',
        ],
        [
          '  ratio with / without mqtt (p99 us with / without)',
          `${fmtRatio(readRatio)} (${fmtInt(s.readsP99On)} / ${fmtInt(s.readsP99Off)})`,
          `>= ${1 - TARGETS.modbusWithin}x`,
          meets(ge(readRatio, 1 - TARGETS.modbusWithin)),
        ],
      ],
    ),
  ];
  const f = r.fleet;
  if (f)
    lines.push(
      '',
      `fleet: ${f.processes} fieldgate processes, ${FLEET_POINTS} simulated points each changing at 1 Hz, one mosquitto, ${p.fleetSeconds} s:`,
      `  ${f.nodesSeen} nodes heard, ${fmtInt(f.messagesPerSec)} messages/s and ${fmtInt(f.updatesPerSec)} metric updates/s at the subscriber;` +
        ` total RSS ${fmtMiB(f.totalRssKiB)} MiB (${fmtMiB(f.meanRssKiB)} each), CPU ${Math.round(f.cpuPct)}% of one core in all; mosquitto RSS ${fmtMiB(f.broker?.rssKiB)} MiB.`,
    );
  const notes = [];
  notes.push(
    'latency and FC3 during the load: the broker, the subscriber, the loader and loadgen share CPU 1, so the messages fieldgate sends also take CPU from the load generator there',
  );
  for (const x of [...r.big, ...r.stream, ...r.minimalStream, ...r.minimalBig]) {
    if (x.sub.mismatches || x.sub.errors)
      notes.push(
        `subscriber: ${x.sub.mismatches} metric-count mismatches vs sparkplug-payload, ${x.sub.errors} undecodable payloads`,
      );
    if (x.sub.historical)
      notes.push(`a window received historical metrics${hist(x)}: fieldgate's output backed up into its store`);
    if (x.publishedDuringReads?.stored)
      notes.push(`fieldgate stored ${x.publishedDuringReads.stored} records during the FC3 load (output backed up)`);
    if (x.published?.stored) notes.push(`fieldgate stored ${x.published.stored} records (output backed up past 1 MiB)`);
    if (x.published?.metricsOut && x.published.metricsOut > x.sub.metrics * 1.02 && !x.sub.historical)
      notes.push(
        `fieldgate published ${fmtInt(x.published.metricsOut)} metrics, the subscriber got ${fmtInt(x.sub.metrics)} (broker drops or late)`,
      );
    if (x.loader?.exceptions) notes.push(`the 1 Hz loader got ${x.loader.exceptions} exception replies`);
    if (x.loader?.lateRounds)
      notes.push(`the 1 Hz loader started ${x.loader.lateRounds} rounds before the last was answered`);
    if (x.reads?.error) notes.push(`Modbus read load: ${x.reads.error}`);
  }
  if (notes.length) lines.push('', ...[...new Set(notes)].map((n) => `note: ${n}`));
  return { text: lines.join('\n'), data: { ...r, summary: s, targets: TARGETS } };
}
