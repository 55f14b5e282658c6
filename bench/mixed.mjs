// Bench section "mixed": fieldgate's memory and CPU under a load like the 32-minute soak's, next to
// its Modbus-only peak at 100 connections (issue 17's targets: peak RSS <= 72 MB mixed, <= 64 MB
// Modbus-only at 100 connections).
//   mixed        bin/fieldgate.js (as deployed: its shebang's node flags) on CPU 0 with one config
//                (bench/mixed/config.mjs): a Modbus server with 50 churning clients and an RTU route
//                (unit 2 -> a modbus-rtu device on a socat pty, fieldgate's own simulated RTU slave
//                on the other end: bench/mixed/rtu.mjs), a 4-port pool taken by 4 press clients
//                writing FC16, a raw hub and a raw echo server with traffic, a simulator device
//                (16 points every 200 ms), and the status endpoint polled every second (GET /status
//                and /metrics). The load is bench/mixed/driver.mjs, one process on CPU 1.
//                RSS is sampled every second (VmRSS; VmHWM at the end), CPU (utime + stime) per
//                interval: a minute (3 minutes in all), or 10 s with --quick (40 s).
//   modbus only  the modbus section's config, bench/bin/loadgen at 100 connections x 1 and x 8 in
//                flight (--runs rounds, --duration each): the peak RSS (VmHWM).
// Every process goes through lib/proc.mjs; every loop is bounded in count and time; loopback only.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { ensureBuilt } from './lib/build.mjs';
import { runLoadgen } from './lib/loadgen.mjs';
import { freePort, waitForPort } from './lib/net.mjs';
import { startProcess, stopProcess } from './lib/proc.mjs';
import { cpuSecondsOf, memoryOf } from './lib/procfs.mjs';
import { median } from './lib/stats.mjs';
import { MODBUS_PEAK_MB } from './lib/modbus-targets.mjs';
import { fmtInt, fmtMiB, formatTable } from './lib/table.mjs';
import { mixedYaml, modbusOnlyYaml } from './mixed/config.mjs';
import { statusOf } from './mqtt/daemon.mjs';
import { startRtuCable } from './mixed/rtu.mjs';

export const name = 'mixed';
export const description =
  'memory and CPU under mixed load (Modbus churn, RTU route, pool, hub, echo, simulator, status polled) vs Modbus-only at 100 connections';

// Issue 17's budgets are in MB (10^6 bytes), as the README's Modbus row reads them (60.4 MiB = 63.3 MB <= 64).
const TARGETS = { mixedPeakMB: 72, modbusPeakMB: MODBUS_PEAK_MB };
const MB = (kib) => (kib * 1024) / 1e6;
const RTU_BAUD = 115200;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function plan(ctx) {
  const q = ctx.opts.quick;
  const cpus = os.cpus().length > 1 ? { daemon: 0, load: 1 } : { daemon: undefined, load: undefined };
  return { intervalMs: q ? 10000 : 60000, intervals: q ? 4 : 3, settleMs: q ? 2000 : 5000, cpus };
}

function startFieldgate(ctx, file, cpu) {
  const bin = ctx.opts.fieldgate ?? path.join(ctx.root, 'bin', 'fieldgate.js');
  return startProcess('fieldgate', bin, ['run', '-c', file], { cpu, cwd: ctx.root });
}

/** The modbus section's 100-connection cases on a fresh daemon: its peak RSS at the end. */
async function modbusOnly(ctx, tmp, p) {
  const built = ensureBuilt(ctx.benchDir, [{ name: 'loadgen', src: 'loadgen.c' }], ctx.log);
  if (built.loadgen.error) return { error: built.loadgen.error };
  const port = await freePort();
  const file = path.join(tmp, 'modbus-only.yaml');
  await writeFile(file, modbusOnlyYaml(port));
  const fg = startFieldgate(ctx, file, p.cpus.daemon);
  const out = { cases: [], hwmKiB: null, rssKiB: null };
  try {
    await waitForPort(port, { proc: fg });
    for (let round = 0; round < ctx.opts.runs; round++)
      for (const depth of [1, 8]) {
        const r = await runLoadgen({
          bin: built.loadgen.path,
          port,
          conns: 100,
          depth,
          cpu: p.cpus.load,
          warmupMs: ctx.opts.warmupMs,
          durationMs: ctx.opts.durationMs,
          maxRequests: ctx.opts.maxRequests,
          timeoutMs: ctx.opts.timeoutMs,
        });
        if (!r.ok) throw new Error(r.error);
        out.cases.push({ depth, rps: r.rps, errors: r.errors });
        ctx.log(
          `  modbus only, 100 conn x ${depth}: ${fmtInt(r.rps)} req/s, RSS ${fmtMiB(memoryOf(fg.pid)?.rssKiB)} MiB`,
        );
      }
    const m = memoryOf(fg.pid);
    out.hwmKiB = m?.hwmKiB ?? null;
    out.rssKiB = m?.rssKiB ?? null;
  } finally {
    await stopProcess(fg);
  }
  return out;
}

/** The driver's counts, on demand (SIGUSR1 -> one JSON line). */
function countsReader(driver) {
  let partial = '';
  let last = null;
  const waiters = [];
  driver.child.stdout.on('data', (c) => {
    const parts = (partial + c.toString()).split('\n');
    partial = parts.pop() ?? '';
    for (const line of parts) {
      try {
        last = JSON.parse(line);
      } catch {
        continue;
      }
      for (const w of waiters.splice(0)) w(last);
    }
  });
  return {
    async read() {
      if (driver.exit) return last;
      const got = new Promise((r) => waiters.push(r));
      driver.child.kill('SIGUSR1');
      return Promise.race([got, sleep(2000).then(() => last)]);
    },
  };
}

const delta = (a, b) =>
  Object.fromEntries(Object.keys(b).map((k) => [k, typeof b[k] === 'number' ? b[k] - (a?.[k] ?? 0) : b[k]]));

async function mixed(ctx, tmp, p) {
  const cable = await startRtuCable(ctx, tmp, RTU_BAUD);
  const [modbus, hub, echo, status, ...pool] = await distinctPorts(8);
  const ports = { modbus, hub, echo, status, pool };
  const file = path.join(tmp, 'mixed.yaml');
  await writeFile(file, mixedYaml({ ports, rtuPath: cable.path }));
  const fg = startFieldgate(ctx, file, p.cpus.daemon);
  const out = { intervals: [], samples: [], hwmKiB: null, status: null };
  let driver = null;
  try {
    await waitForPort(status, { proc: fg });
    await waitForPort(modbus, { proc: fg });
    const maxMs = p.settleMs + p.intervals * p.intervalMs + 5000;
    const driverJs = path.join(ctx.benchDir, 'mixed', 'driver.mjs');
    driver = startProcess('mixed driver', process.execPath, [driverJs, JSON.stringify({ ports, maxMs })], {
      cpu: p.cpus.load,
    });
    const counts = countsReader(driver);
    await sleep(p.settleMs);
    let before = await counts.read();
    for (let i = 0; i < p.intervals; i++) {
      const cpu0 = cpuSecondsOf(fg.pid);
      const t0 = performance.now();
      const rss = [];
      while (performance.now() - t0 < p.intervalMs) {
        if (fg.exit)
          throw new Error(`fieldgate exited (${fg.exit.code ?? fg.exit.signal}): ${fg.stderr().slice(-500)}`);
        if (driver.exit) throw new Error(`the driver exited early: ${driver.stderr().slice(-500)}`);
        const m = memoryOf(fg.pid);
        if (m) rss.push(m.rssKiB);
        await sleep(Math.min(1000, Math.max(0, p.intervalMs - (performance.now() - t0))));
      }
      const cpuPct = (100 * (cpuSecondsOf(fg.pid) - cpu0) * 1000) / (performance.now() - t0);
      const now = await counts.read();
      const row = { cpuPct, rssPeakKiB: Math.max(...rss), rssMedianKiB: median(rss), load: delta(before, now) };
      before = now;
      out.intervals.push(row);
      out.samples.push(...rss);
      ctx.log(
        `  mixed ${i + 1}/${p.intervals}: RSS peak ${fmtMiB(row.rssPeakKiB)} MiB, median ${fmtMiB(row.rssMedianKiB)} MiB, CPU ${cpuPct.toFixed(1)} %, ${row.load.connects} connects, ${row.load.errors} errors`,
      );
    }
    out.hwmKiB = memoryOf(fg.pid)?.hwmKiB ?? null;
    out.totals = await counts.read();
    out.status = await statusSummary(status);
  } finally {
    if (driver) await stopProcess(driver, 3000);
    await stopProcess(fg);
    for (const proc of cable.procs) await stopProcess(proc, 1000);
  }
  return out;
}

async function distinctPorts(n) {
  const set = new Set();
  for (let tries = 0; set.size < n && tries < 1000; tries++) set.add(await freePort());
  return [...set];
}

/** What the daemon says it ran: the pool's ports taken, the RTU device's state, session counts. */
async function statusSummary(port) {
  try {
    const doc = await statusOf(port);
    const rs485 = doc.devices?.find((d) => d.name === 'rs485');
    const pool = doc.servers?.find((s) => s.name === 'presses');
    return {
      rtu: rs485 ? `${rs485.state}` : 'missing',
      poolPorts: pool?.ports?.length ?? null,
      sessions: doc.servers?.reduce((n, s) => n + (Array.isArray(s.sessions) ? s.sessions.length : 0), 0) ?? null,
    };
  } catch (e) {
    return { error: e.message };
  }
}

const verdict = (kib, targetMB) => (Number.isFinite(kib) ? (MB(kib) <= targetMB ? 'met' : 'MISSED') : '-');
const peak = (kib) => (Number.isFinite(kib) ? `${fmtMiB(kib)} (${MB(kib).toFixed(1)} MB)` : '-');

function report(p, mx, mo) {
  const unit = p.intervalMs >= 60000 ? 'min' : `${p.intervalMs / 1000} s`;
  const rows = mx.intervals.map((r, i) => [
    `${i + 1}`,
    fmtMiB(r.rssPeakKiB),
    fmtMiB(r.rssMedianKiB),
    r.cpuPct.toFixed(1),
    fmtInt(r.load.connects),
    fmtInt(r.load.churnRequests),
    fmtInt(r.load.rtuReads),
    fmtInt(r.load.poolWrites),
    fmtInt(r.load.hubSent),
    fmtInt(r.load.echoBytes / 1024),
    fmtInt(r.load.statusGets),
    fmtInt(r.load.errors),
  ]);
  const table = formatTable(
    [
      { title: unit },
      { title: 'RSS peak MiB' },
      { title: 'median' },
      { title: 'CPU %' },
      { title: 'connects' },
      { title: 'reads' },
      { title: 'RTU reads' },
      { title: 'pool writes' },
      { title: 'hub lines' },
      { title: 'echo KiB' },
      { title: '/status' },
      { title: 'errors' },
    ],
    rows,
  );
  const all = mx.samples;
  const summary = formatTable(
    [
      { title: 'run', align: 'left' },
      { title: 'peak RSS MiB' },
      { title: 'median MiB' },
      { title: 'target', align: 'left' },
      { title: '', align: 'left' },
    ],
    [
      [
        'mixed (VmHWM)',
        peak(mx.hwmKiB),
        fmtMiB(median(all)),
        `<= ${TARGETS.mixedPeakMB} MB`,
        verdict(mx.hwmKiB, TARGETS.mixedPeakMB),
      ],
      mo.error
        ? ['Modbus only, 100 conn', '-', '-', `<= ${TARGETS.modbusPeakMB} MB`, mo.error]
        : [
            'Modbus only, 100 conn x 1, x 8 (VmHWM)',
            peak(mo.hwmKiB),
            '',
            `<= ${TARGETS.modbusPeakMB} MB`,
            verdict(mo.hwmKiB, TARGETS.modbusPeakMB),
          ],
    ],
  );
  const st = mx.status ?? {};
  const last = mx.totals ?? {};
  return [
    `Mixed load (fieldgate on CPU ${p.cpus.daemon ?? 'any'}, the load on CPU ${p.cpus.load ?? 'any'}; RSS sampled every second, CPU % of one core per interval)`,
    `50 churning Modbus clients (5 reads each), RTU route (a read every 100 ms after the answer), 4-port pool (FC16 every 500 ms), hub, echo, simulator, /status + /metrics every second`,
    `at the end: RTU device ${st.rtu ?? '?'}, pool ports ${st.poolPorts ?? '?'}, sessions ${st.sessions ?? '?'}; errors ${last.errors ?? '?'}${last.lastError ? ` (last: ${last.lastError})` : ''}`,
    '',
    table,
    '',
    summary,
  ].join('\n');
}

export async function run(ctx) {
  const p = plan(ctx);
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'fieldgate-mixed-'));
  try {
    const mo = await modbusOnly(ctx, tmp, p);
    const mx = await mixed(ctx, tmp, p);
    return {
      text: report(p, mx, mo),
      data: {
        targets: TARGETS,
        intervalMs: p.intervalMs,
        mixed: { ...mx, samples: undefined, samplesKiB: mx.samples },
        modbusOnly: mo,
      },
    };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
