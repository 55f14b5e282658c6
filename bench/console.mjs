// Bench section "console": what open web consoles cost the daemon. A generated big config (64 Modbus
// servers on loopback, one bank of 1,000 uint16 points rewritten every second by a simulator device,
// so the status document changes at 1 Hz, and the status endpoint) runs on CPU 0; consoles are plain
// HTTP clients reading GET /events (server-sent events, no browser) in one process on CPU 1 at nice 19
// (bench/console/streams.mjs).
//   CPU      the daemon's CPU over a fixed window (10 s, --quick 3 s) with 0, 1 and 10 consoles open;
//            the cost of 10 consoles is the difference to 0 (target: <= 3 % of one core).
//   /status  response time and size for that config (sequential GETs).
//   Modbus   FC3 reads of 10 registers (bench/bin/loadgen, 10 connections x 1 in flight, on CPU 1)
//            with no console and with 10 consoles open, alternating, --runs each (target: the median
//            with 10 consoles within 5 % of without).
// Every process goes through lib/proc.mjs; everything is bounded in count and time; loopback only.
import { writeFile, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

import { ensureBuilt } from './lib/build.mjs';
import { modbusReads as reads } from './lib/loadgen.mjs';
import { HOST, freePort, waitForPort } from './lib/net.mjs';
import { startProcess, stopProcess } from './lib/proc.mjs';
import { cpuSecondsOf, memoryOf } from './lib/procfs.mjs';
import { median, ratio } from './lib/stats.mjs';
import { fmtInt, fmtMiB, formatTable } from './lib/table.mjs';

export const name = 'console';
export const description =
  'web console streams (/events): daemon CPU with 0, 1 and 10 consoles on 64 servers + 1,000 points at 1 Hz, /status time and size, Modbus reads with 10 consoles';

const SERVERS = 64;
const POINTS = 1000;
const TARGETS = { cpuPctOf10: 3, modbusWithin: 0.05 };
const CONSOLE_CASES = [0, 1, 10];
const STATUS_GETS = 20;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function plan(ctx) {
  const q = ctx.opts.quick;
  return {
    windowMs: q ? 3000 : 10000,
    settleMs: q ? 1000 : 2000, // after start and after consoles open, before a window
    runs: ctx.opts.runs,
    cpus: os.cpus().length > 1 ? { daemon: 0, load: 1 } : { daemon: undefined, load: undefined },
  };
}

/** 64 servers (s0 on modbusPort, the rest on ports the kernel picks), bank `plant` of 1,000 points, a simulator. */
export function consoleYaml({ modbusPort, statusPort }) {
  const points = [];
  const signals = [];
  for (let i = 0; i < POINTS; i++) {
    points.push(`      - { name: p${i}, table: holding, address: ${i}, type: uint16 }`);
    signals.push(`      p${i}: { signal: counter, min: 0, max: 65535, step: ${1 + (i % 7)} }`);
  }
  const servers = [];
  for (let s = 0; s < SERVERS; s++)
    servers.push(
      `  - { name: s${s}, protocol: modbus, listen: "127.0.0.1:${s === 0 ? modbusPort : 0}", bank: plant, idleTimeout: 0, maxClients: 64 }`,
    );
  return `gateway: { name: console-bench }
log: { level: warn }
status: { listen: "127.0.0.1:${statusPort}" }
banks:
  plant:
    holding: ${POINTS}
    points:
${points.join('\n')}
devices:
  - name: sim
    type: simulator
    bank: plant
    every: 1s
    signals:
${signals.join('\n')}
servers:
${servers.join('\n')}
`;
}

/** One GET (bounded: 5 s): status code, bytes and ms. */
function get(port, pathName) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = http.get({ host: HOST, port, path: pathName, timeout: 5000, agent: false }, (res) => {
      let bytes = 0;
      const chunks = [];
      res.on('data', (c) => {
        bytes += c.length;
        chunks.push(c);
      });
      res.on('end', () =>
        resolve({ status: res.statusCode, bytes, ms: performance.now() - t0, body: Buffer.concat(chunks) }),
      );
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${pathName}: no answer within 5 s`)));
    req.on('error', reject);
  });
}

/** Lines of JSON a process printed so far. */
function jsonLines(h) {
  return h
    .stdout()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));
}

/** Waits (bounded) until the process printed a JSON line matching `pick` after `skip` lines; returns it. */
async function waitLine(h, skip, pick, timeoutMs = 10000) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const lines = jsonLines(h);
    const err = lines.find((l) => l.error);
    if (err) throw new Error(`consoles: ${err.error}`);
    const hit = lines.slice(skip).find(pick);
    if (hit) return hit;
    if (h.exit) throw new Error(`consoles exited (${h.exit.code ?? h.exit.signal}): ${h.stderr().trim().slice(-300)}`);
    if (performance.now() > deadline) throw new Error(`consoles: no answer within ${timeoutMs} ms`);
    await sleep(20);
  }
}

/**
 * n consoles: a process (bench/console/streams.mjs, on the load CPU at nice 19) holding n GET /events streams;
 * resolves once each has its first event. counts() asks it for events and bytes received so far.
 */
async function openConsoles(ctx, p, port, n, maxMs) {
  if (n === 0) return { counts: async () => ({ events: 0, bytes: 0 }), close: async () => undefined };
  const script = path.join(ctx.benchDir, 'console', 'streams.mjs');
  // nice 19: on the load CPU the readers take what the load generator leaves (a browser would be
  // on another machine)
  const h = startProcess(
    'consoles',
    'nice',
    ['-n', '19', process.execPath, script, String(port), String(n), String(maxMs)],
    {
      cpu: p.cpus.load,
    },
  );
  try {
    await waitLine(h, 0, (l) => l.ready);
  } catch (e) {
    await stopProcess(h, 1000);
    throw e;
  }
  return {
    counts: async () => {
      const skip = jsonLines(h).length;
      h.child.kill('SIGUSR1');
      return waitLine(h, skip, (l) => typeof l.events === 'number');
    },
    close: () => stopProcess(h, 2000),
  };
}

/** The daemon's CPU over one window with n consoles open (opened before, closed after). */
async function cpuWindow(ctx, proc, statusPort, n, p) {
  const consoles = await openConsoles(ctx, p, statusPort, n, p.settleMs + p.windowMs + 30000);
  try {
    await sleep(p.settleMs);
    const before = await consoles.counts();
    const cpu0 = cpuSecondsOf(proc.pid);
    const t0 = performance.now();
    await sleep(p.windowMs);
    const cpu1 = cpuSecondsOf(proc.pid);
    const seconds = (performance.now() - t0) / 1000;
    const after = await consoles.counts();
    return {
      consoles: n,
      seconds,
      cpuPct: cpu0 === null || cpu1 === null ? null : (100 * (cpu1 - cpu0)) / seconds,
      eventsPerSecPerConsole: n ? (after.events - before.events) / seconds / n : null,
      kBPerSecPerConsole: n ? (after.bytes - before.bytes) / 1024 / seconds / n : null,
    };
  } finally {
    await consoles.close();
  }
}

async function statusFigures(statusPort) {
  const ms = [];
  let bytes = 0;
  let doc = null;
  for (let i = 0; i < STATUS_GETS; i++) {
    const r = await get(statusPort, '/status');
    if (r.status !== 200) throw new Error(`/status answered ${r.status}`);
    ms.push(r.ms);
    bytes = r.bytes;
    if (i === 0) doc = JSON.parse(r.body.toString('utf8'));
  }
  const sorted = [...ms].sort((a, b) => a - b);
  return {
    gets: STATUS_GETS,
    medianMs: median(ms),
    maxMs: sorted.at(-1),
    bytes,
    servers: doc?.servers?.length ?? null,
    points: doc?.banks?.reduce((n, b) => n + b.points.length, 0) ?? null,
  };
}

/** Modbus reads with 0 and 10 consoles, alternating (runs each). */
async function modbusFigures(ctx, p, bin, modbusPort, statusPort) {
  const runs = { 0: [], 10: [] };
  for (let r = 0; r < p.runs; r++) {
    for (const n of r % 2 === 0 ? [0, 10] : [10, 0]) {
      const bound = ctx.opts.warmupMs + ctx.opts.durationMs + 60000;
      const consoles = await openConsoles(ctx, p, statusPort, n, bound);
      try {
        await sleep(p.settleMs);
        const res = await reads(ctx, bin, modbusPort, p.cpus.load);
        if (!res.ok) throw new Error(res.error);
        runs[n].push({ rps: res.rps, p99_us: res.p99_us, errors: res.errors });
      } finally {
        await consoles.close();
      }
    }
  }
  const summary = (list) => ({
    rps: median(list.map((x) => x.rps)),
    p99_us: median(list.map((x) => x.p99_us)),
    errors: list.reduce((n, x) => n + (x.errors ?? 0), 0),
    runs: list,
  });
  return { without: summary(runs[0]), with10: summary(runs[10]) };
}

const pct = (v, d = 1) => (Number.isFinite(v) ? `${v.toFixed(d)} %` : '-');
const verdict = (ok) => (ok === null ? 'n/a' : ok ? 'met' : 'NOT met');

function report(data, p) {
  const base = data.cpu.find((c) => c.consoles === 0)?.cpuPct;
  const rows = data.cpu.map((c) => [
    c.consoles,
    pct(c.cpuPct, 2),
    c.consoles ? pct(c.cpuPct - base, 2) : '',
    c.cpuPctRuns.map((x) => x.toFixed(2)).join(' '),
    c.consoles ? c.eventsPerSecPerConsole.toFixed(2) : '',
    c.consoles ? c.kBPerSecPerConsole.toFixed(1) : '',
  ]);
  const cpuTable = formatTable(
    [
      { title: 'consoles', align: 'right' },
      { title: 'daemon CPU (1 core = 100 %)' },
      { title: 'added by consoles' },
      { title: 'runs (%)', align: 'left' },
      { title: 'events/s each' },
      { title: 'KiB/s each' },
    ],
    rows,
  );
  const s = data.status;
  const m = data.modbus;
  const drop = m ? 1 - ratio(m.with10.rps, m.without.rps) : null;
  const lines = [
    `console: ${SERVERS} servers, ${POINTS} points at 1 Hz (simulator), daemon on CPU ${p.cpus.daemon ?? 'any'}, window ${p.windowMs / 1000} s per case, ${p.runs} run(s), medians`,
    '',
    cpuTable,
    '',
    `10 consoles cost ${pct(data.added10, 2)} of one core (target <= ${TARGETS.cpuPctOf10} %): ${verdict(data.cpuMet)}`,
    `/status: ${fmtInt(s.bytes)} bytes (${s.servers} servers, ${s.points} points), median ${s.medianMs.toFixed(1)} ms, max ${s.maxMs.toFixed(1)} ms over ${s.gets} GETs`,
    `daemon RSS after the run: ${fmtMiB(data.rssKiB)} MiB`,
  ];
  if (m)
    lines.push(
      '',
      formatTable(
        [
          { title: 'Modbus FC3 x10, 10 conn x 1', align: 'left' },
          { title: 'req/s' },
          { title: 'p99 us' },
          { title: 'errors' },
        ],
        [
          ['no console', fmtInt(m.without.rps), fmtInt(m.without.p99_us), m.without.errors],
          ['10 consoles', fmtInt(m.with10.rps), fmtInt(m.with10.p99_us), m.with10.errors],
        ],
      ),
      `with 10 consoles: ${drop >= 0 ? `${(100 * drop).toFixed(1)} % fewer` : `${(-100 * drop).toFixed(1)} % more`} requests/s (target within ${TARGETS.modbusWithin * 100} %): ${verdict(data.modbusMet)}`,
    );
  else lines.push('', `Modbus figure skipped: ${data.modbusSkipped}`);
  return lines.join('\n');
}

export async function run(ctx) {
  const p = plan(ctx);
  const bins = ensureBuilt(ctx.benchDir, [{ name: 'loadgen', src: 'loadgen.c' }], ctx.log);
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'fieldgate-bench-console-'));
  const modbusPort = await freePort();
  const statusPort = await freePort();
  const file = path.join(tmp, 'console.yaml');
  await writeFile(file, consoleYaml({ modbusPort, statusPort }));
  const bin = ctx.opts.fieldgate ?? path.join(ctx.root, 'bin', 'fieldgate.js');
  const proc = startProcess('fieldgate console', bin, ['run', '-c', file], { cpu: p.cpus.daemon, cwd: tmp });
  try {
    await waitForPort(modbusPort, { timeoutMs: 60000, proc });
    await waitForPort(statusPort, { timeoutMs: 60000, proc });
    await sleep(p.settleMs);
    const status = await statusFigures(statusPort);
    ctx.log(`console: /status ${status.bytes} bytes, ${status.servers} servers, ${status.points} points`);
    if (status.servers !== SERVERS || status.points !== POINTS)
      throw new Error(
        `the daemon shows ${status.servers} servers and ${status.points} points, not ${SERVERS} and ${POINTS}`,
      );
    // not measured: the first documents and events of a process run cold code
    ctx.log(`console: warm-up, 10 consoles for ${p.settleMs} ms`);
    const warm = await openConsoles(ctx, p, statusPort, 10, p.settleMs + 30000);
    await sleep(p.settleMs);
    await warm.close();
    // each case once per run, the order turned every run; the median per case is reported
    const windows = [];
    for (let r = 0; r < p.runs; r++) {
      const order = CONSOLE_CASES.map((_, i) => CONSOLE_CASES[(i + r) % CONSOLE_CASES.length]);
      for (const n of order) {
        ctx.log(`console: run ${r + 1}/${p.runs}, CPU with ${n} console(s), ${p.windowMs} ms`);
        windows.push(await cpuWindow(ctx, proc, statusPort, n, p));
      }
    }
    const cpu = CONSOLE_CASES.map((n) => {
      const mine = windows.filter((w) => w.consoles === n);
      return {
        consoles: n,
        cpuPct: median(mine.map((w) => w.cpuPct)),
        cpuPctRuns: mine.map((w) => w.cpuPct),
        eventsPerSecPerConsole: median(mine.map((w) => w.eventsPerSecPerConsole)),
        kBPerSecPerConsole: median(mine.map((w) => w.kBPerSecPerConsole)),
      };
    });
    const base = cpu[0]?.cpuPct;
    const added10 = (cpu.find((c) => c.consoles === 10)?.cpuPct ?? NaN) - base;
    let modbus = null;
    let modbusSkipped = null;
    if (bins.loadgen.error) modbusSkipped = bins.loadgen.error;
    else {
      ctx.log(`console: Modbus reads, ${p.runs} run(s) with 0 and with 10 consoles`);
      modbus = await modbusFigures(ctx, p, bins.loadgen.path, modbusPort, statusPort);
    }
    const drop = modbus ? 1 - ratio(modbus.with10.rps, modbus.without.rps) : null;
    const data = {
      targets: TARGETS,
      servers: SERVERS,
      points: POINTS,
      windowMs: p.windowMs,
      cpus: p.cpus,
      cpu,
      added10,
      cpuMet: Number.isFinite(added10) ? added10 <= TARGETS.cpuPctOf10 : null,
      status,
      modbus,
      modbusSkipped,
      modbusMet: drop === null || !Number.isFinite(drop) ? null : drop <= TARGETS.modbusWithin,
      rssKiB: memoryOf(proc.pid)?.rssKiB ?? null,
    };
    return { text: report(data, p), data };
  } finally {
    const stopped = await stopProcess(proc);
    if (stopped.code !== 0 && !stopped.alreadyExited)
      ctx.log(
        `console: the daemon stopped with ${stopped.code ?? stopped.signal}: ${proc.stderr().trim().slice(-300)}`,
      );
    await rm(tmp, { recursive: true, force: true });
  }
}
