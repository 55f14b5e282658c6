// Bench section "modbus": Modbus TCP FC3 (read 10 holding registers, unit 1) at 1, 10 and 100
// connections, and pipelined (8 in flight per connection) at 10 and 100, against fieldgate and
// the references, side by side in one run:
//   ceiling        bench/src/trivial-server.c, canned replies: what the load generator can measure
//   libmodbus      bench/src/libmodbus-server.c, the classic select() multi-client server
//   plain Node     bench/servers/plain-node-server.mjs, ~60 lines, no validation: Node's floor
//   modbus-serial  modbus-serial's ServerTCP (npm), bench/servers/modbus-serial-server.mjs
//   fieldgate      bin/fieldgate.js run -c <generated yaml> (executed directly: the shebang's node flags apply)
// Every server runs on CPU 0 in a process of its own, all started at once and idle but for the one
// being measured; the load generator runs on CPU 1. Each case is measured `runs` times, the servers
// taking turns within each case of each round (so a noisy moment of a shared machine hits them alike),
// and the median is reported. Then the fixed-load row: 20 clients x 50 requests/s each
// (bench/lib/fixed-load.mjs on CPU 1), each server's CPU % of one core at that load.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { ensureBuilt } from './lib/build.mjs';
import { runLoadgen } from './lib/loadgen.mjs';
import { freePort, waitForPort } from './lib/net.mjs';
import { runProcess, startProcess, stopProcess } from './lib/proc.mjs';
import { cpuSecondsOf, memoryOf } from './lib/procfs.mjs';
import { median, ratio, sum } from './lib/stats.mjs';
import { caseOf, targetsTable } from './lib/modbus-targets.mjs';
import { fmtInt, fmtMiB, fmtRatio, fmtUs, formatTable } from './lib/table.mjs';
import { run as runTls } from './modbus-tls.mjs';

const fmtCpu = (v) => (Number.isFinite(v) ? v.toFixed(2) : '-');

export const name = 'modbus';
export const description = 'Modbus TCP FC3 throughput, latency and memory: fieldgate vs modbus-serial vs libmodbus';

const SERVER_CPU = 0;
const LOADGEN_CPU = 1;

export const CASES = [
  { conns: 1, depth: 1 },
  { conns: 10, depth: 1 },
  { conns: 100, depth: 1 },
  { conns: 10, depth: 8 },
  { conns: 100, depth: 8 },
];

/** The fixed-load row: a plant's SCADA clients, not the most a server can take. */
export const FIXED_LOAD = { clients: 20, rate: 50 };

const SUBJECT = 'fieldgate';
const REFERENCES = ['libmodbus', 'node-plain', 'modbus-serial', 'baseline'];
/** The node flags of bin/fieldgate.js's shebang: the plain Node reference runs with them too. */
const FIELDGATE_NODE_FLAGS = ['--max-semi-space-size=1', '--optimize-for-size'];

/** fieldgate's config in this section; the mixed section's Modbus-only phase uses it too. */
export function fieldgateYaml(port) {
  return `gateway: { name: bench }
log: { level: warn }
banks:
  bench: { holding: 1000, input: 1000, coils: 2000, discrete: 2000 }
servers:
  - name: bench
    protocol: modbus
    listen: 127.0.0.1:${port}
    maxClients: 1000
    idleTimeout: 0
    maxInFlight: 64
    bank: bench
`;
}

/**
 * The servers, in the order they are run and printed. Each has:
 *   unavailable(): a reason to skip it, or null
 *   start(port, tmp): a process handle from proc.mjs
 */
function serverList(ctx, bins) {
  const node = process.execPath;
  const fgBin = ctx.opts.fieldgate ?? path.join(ctx.root, 'bin', 'fieldgate.js');
  const binMissing = (b) => (bins[b]?.error ? bins[b].error : null);
  return [
    {
      id: 'ceiling',
      label: 'loadgen ceiling',
      what: 'bench/src/trivial-server.c (canned replies, epoll)',
      unavailable: () => binMissing('trivial-server'),
      start: (port) => startProcess('trivial-server', bins['trivial-server'].path, [String(port)], { cpu: SERVER_CPU }),
    },
    {
      id: 'libmodbus',
      label: 'libmodbus',
      what: 'bench/src/libmodbus-server.c (libmodbus select() loop)',
      unavailable: () => binMissing('libmodbus-server'),
      start: (port) =>
        startProcess('libmodbus-server', bins['libmodbus-server'].path, [String(port)], { cpu: SERVER_CPU }),
    },
    {
      id: 'node-plain',
      label: 'plain Node',
      what: `bench/servers/plain-node-server.mjs (~60 lines, no validation; node ${FIELDGATE_NODE_FLAGS.join(' ')})`,
      unavailable: () => null,
      start: (port) =>
        startProcess(
          'node-plain',
          node,
          [...FIELDGATE_NODE_FLAGS, path.join(ctx.benchDir, 'servers', 'plain-node-server.mjs'), String(port)],
          { cpu: SERVER_CPU, cwd: ctx.root },
        ),
    },
    {
      id: 'modbus-serial',
      label: 'modbus-serial',
      what: 'modbus-serial ServerTCP (npm), bench/servers/modbus-serial-server.mjs',
      unavailable: () =>
        existsSync(path.join(ctx.root, 'node_modules', 'modbus-serial'))
          ? null
          : 'node_modules/modbus-serial is missing (run npm ci)',
      start: (port) =>
        startProcess(
          'modbus-serial',
          node,
          [path.join(ctx.benchDir, 'servers', 'modbus-serial-server.mjs'), String(port)],
          {
            cpu: SERVER_CPU,
            cwd: ctx.root,
          },
        ),
    },
    ...(ctx.opts.baseline ? [fieldgateServer(ctx, 'baseline', ctx.opts.baseline)] : []),
    fieldgateServer(ctx, SUBJECT, fgBin),
  ];
}

/** fieldgate (or, as `baseline`, another build of it) run from its bin: its shebang's node flags apply. */
function fieldgateServer(ctx, id, bin) {
  const cli = path.join(path.dirname(bin), '..', 'dist', 'cli.js');
  return {
    id,
    label: id,
    what: `${path.relative(ctx.root, bin) || bin} run -c <bench yaml> (its shebang: node --max-semi-space-size=1)`,
    unavailable: () => {
      if (!existsSync(bin)) return `${bin} is missing`;
      if (!existsSync(cli)) return `${cli} is missing: build fieldgate first (npm run build)`;
      return null;
    },
    start: async (port, tmp) => {
      const yaml = path.join(tmp, `${id}-${port}.yaml`);
      await writeFile(yaml, fieldgateYaml(port));
      // Run the bin itself, as npm start, npx and the systemd unit do: its shebang carries the
      // node flags fieldgate is deployed with.
      return startProcess(id, bin, ['run', '-c', yaml], { cpu: SERVER_CPU, cwd: ctx.root });
    },
  };
}

function tail(text, lines = 5) {
  return text.trim().split('\n').slice(-lines).join('\n    ');
}

/** Starts one server and waits for its port; returns the handle the rounds measure. */
async function startServer(ctx, server, tmp) {
  const result = { id: server.id, label: server.label, what: server.what, cases: [], memory: null, stop: null };
  const port = await freePort();
  const proc = await server.start(port, tmp);
  result.pid = proc.pid;
  const h = { server, result, port, proc, runsByCase: CASES.map(() => []), fixed: [], lastMemory: null };
  try {
    const t0 = performance.now();
    await waitForPort(port, { timeoutMs: 15000, proc });
    result.readyMs = Math.round(performance.now() - t0);
    result.idle = memoryOf(proc.pid);
    h.lastMemory = result.idle;
    ctx.log(`  ${server.label}: pid ${proc.pid} listening on 127.0.0.1:${port} after ${result.readyMs} ms`);
  } catch (e) {
    fail(ctx, h, e);
  }
  return h;
}

function fail(ctx, h, e) {
  const { result, proc } = h;
  result.error ??= e.message;
  const err = proc.stderr().trim();
  if (proc.exit && err) result.error += `; its stderr ends with:\n    ${tail(err)}`;
  ctx.log(`  ${h.server.label}: ${result.error}`);
}

function exitedError(h) {
  const { code, signal } = h.proc.exit;
  return new Error(`${h.server.label} exited (code ${code}, signal ${signal}) during the run`);
}

/** One run of case `i` against one server; its server CPU over the whole loadgen run. */
async function measureCase(ctx, h, i, round, loadgenBin) {
  const { opts, log } = ctx;
  const c = CASES[i];
  if (h.result.error) return;
  if (h.proc.exit) return fail(ctx, h, exitedError(h));
  const pid = h.proc.pid;
  const cpu0 = cpuSecondsOf(pid);
  const w0 = performance.now();
  const r = await runLoadgen({
    bin: loadgenBin,
    port: h.port,
    conns: c.conns,
    depth: c.depth,
    cpu: LOADGEN_CPU,
    warmupMs: opts.warmupMs,
    durationMs: opts.durationMs,
    maxRequests: opts.maxRequests,
    timeoutMs: opts.timeoutMs,
  });
  const cpu1 = cpuSecondsOf(pid);
  // server CPU over the whole loadgen run (warm-up included: same load), 100% = one core; per 100k
  // requests, the requests of the warm-up estimated at the measured rate
  if (r.ok && cpu0 !== null && cpu1 !== null) {
    r.server_cpu_pct = Math.round((1000 * 100 * (cpu1 - cpu0)) / (performance.now() - w0));
    const requests = (r.rps * (opts.warmupMs + opts.durationMs)) / 1000;
    if (requests > 0) r.server_cpu_s_per_100k = (100000 * (cpu1 - cpu0)) / requests;
  }
  h.runsByCase[i].push(r);
  h.lastMemory = memoryOf(pid) ?? h.lastMemory;
  const msg = r.ok
    ? `${fmtInt(r.rps)} req/s, p50 ${fmtUs(r.p50_us)} us, p99 ${fmtUs(r.p99_us)} us${r.errors ? `, ${r.errors} ERRORS` : ''}`
    : r.error;
  log(`    run ${round + 1}/${opts.runs}  ${h.server.label}  ${String(c.conns).padStart(3)} conn x ${c.depth}: ${msg}`);
}

/** One run of the fixed load against one server: its CPU % of one core over the measured part. */
async function measureFixed(ctx, h, round) {
  const { opts, log } = ctx;
  if (h.result.error) return;
  if (h.proc.exit) return fail(ctx, h, exitedError(h));
  const durationMs = fixedDurationMs(opts);
  const warmupMs = 500;
  const args = [path.join(ctx.benchDir, 'lib', 'fixed-load.mjs'), '--port', String(h.port)];
  args.push('--clients', String(FIXED_LOAD.clients), '--rate', String(FIXED_LOAD.rate));
  args.push(
    '--warmup-ms',
    String(warmupMs),
    '--duration-ms',
    String(durationMs),
    '--timeout-ms',
    String(opts.timeoutMs),
  );
  const run = runProcess('fixed-load', process.execPath, args, {
    cpu: LOADGEN_CPU,
    timeoutMs: warmupMs + durationMs + opts.timeoutMs + 10000,
  });
  // the server's CPU over the measured part only (the clients connect and settle in the warm-up)
  await new Promise((r) => setTimeout(r, warmupMs + 200));
  const cpu0 = cpuSecondsOf(h.proc.pid);
  const w0 = performance.now();
  await new Promise((r) => setTimeout(r, durationMs - 400));
  const cpu1 = cpuSecondsOf(h.proc.pid);
  const w1 = performance.now();
  const p = await run;
  let json = null;
  try {
    json = JSON.parse(p.stdout.trim().split('\n').pop() ?? '');
  } catch {
    /* reported below */
  }
  const r =
    p.code === 0 && json
      ? { ok: true, ...json }
      : {
          ok: false,
          error: `fixed-load exit ${p.code ?? p.signal}: ${p.stderr.trim().split('\n').slice(-2).join(' | ')}`,
        };
  if (r.ok && cpu0 !== null && cpu1 !== null) r.server_cpu_pct = (1000 * 100 * (cpu1 - cpu0)) / (w1 - w0);
  h.fixed.push(r);
  const msg = r.ok
    ? `${fmtInt(r.rps)} req/s, server CPU ${r.server_cpu_pct?.toFixed(1)}%, p99 ${fmtUs(r.p99_us)} us${r.errors ? `, ${r.errors} ERRORS` : ''}`
    : r.error;
  log(
    `    run ${round + 1}/${opts.runs}  ${h.server.label}  fixed ${FIXED_LOAD.clients} x ${FIXED_LOAD.rate}/s: ${msg}`,
  );
}

/** The fixed-load run's measured time: long enough for /proc's 10 ms CPU ticks to matter little. */
function fixedDurationMs(opts) {
  return Math.max(5000, 2.5 * opts.durationMs);
}

/** Reads the server's peak memory and stops it. */
async function finishServer(ctx, h) {
  const { result, proc } = h;
  result.cases = CASES.map((c, i) => summarize(c, h.runsByCase[i])).filter((x) => x.runs.length);
  result.fixed = summarizeFixed(h.fixed);
  // VmHWM at the end of the run, before the process is stopped
  if (!proc.exit) result.memory = memoryOf(proc.pid);
  if (!result.memory && h.lastMemory) result.memory = { ...h.lastMemory, lastSeen: true };
  if (proc.exit && !result.error) fail(ctx, h, exitedError(h));
  result.stop = await stopProcess(proc, 3000);
  if (result.stop.killed) ctx.log(`  ${h.server.label}: did not stop within 3 s of SIGTERM, killed`);
  return result;
}

function summarizeFixed(runs) {
  if (!runs.length) return null;
  const ok = runs.filter((r) => r.ok);
  return {
    ...FIXED_LOAD,
    rps: median(ok.map((r) => r.rps)),
    serverCpuPct: median(ok.map((r) => r.server_cpu_pct)),
    p99_us: median(ok.map((r) => r.p99_us)),
    errors: sum(ok.map((r) => r.errors)),
    missed: sum(ok.map((r) => r.missed)),
    failedRuns: runs.length - ok.length,
    runs,
  };
}

function summarize(c, runs) {
  const ok = runs.filter((r) => r.ok);
  return {
    conns: c.conns,
    depth: c.depth,
    rps: median(ok.map((r) => r.rps)),
    p50_us: median(ok.filter((r) => r.requests > 0).map((r) => r.p50_us)),
    p99_us: median(ok.filter((r) => r.requests > 0).map((r) => r.p99_us)),
    loadgenCpuPct: median(ok.map((r) => r.cpu_pct)),
    serverCpuPct: median(ok.map((r) => r.server_cpu_pct)),
    cpuPer100k: median(ok.map((r) => r.server_cpu_s_per_100k)),
    errors: sum(ok.map((r) => r.errors)),
    failedRuns: runs.length - ok.length,
    runs: runs.map(({ stderr, ...r }) => (stderr ? { ...r, stderr: stderr.slice(-500) } : r)),
  };
}

function stopText(s) {
  if (!s) return '-';
  if (s.alreadyExited) return `had already exited (${s.code ?? s.signal})`;
  if (s.killed) return `SIGTERM ignored, SIGKILL after ${s.ms} ms`;
  return s.code !== null ? `exit ${s.code} ${s.ms} ms after SIGTERM` : `ended by ${s.signal} in ${s.ms} ms`;
}

function report(ctx, results, skipped) {
  const { opts } = ctx;
  const out = [];
  out.push(
    `Modbus TCP FC3 (read 10 holding registers, unit 1): median of ${opts.runs} run${opts.runs > 1 ? 's' : ''} x ${opts.durationMs / 1000} s (+${opts.warmupMs / 1000} s warm-up) per case;`,
  );
  out.push(
    `servers pinned to CPU ${SERVER_CPU}, load generator to CPU ${LOADGEN_CPU}; "depth" = requests in flight per connection;`,
  );
  out.push('CPU columns: share of one core used by the server process and by the load generator during the runs;');
  out.push('"CPU s/100k": the server\'s CPU-seconds (user + system) per 100,000 requests answered.');
  out.push('');

  const rows = [];
  for (const c of CASES) {
    for (const r of results) {
      const x = caseOf(r, c);
      if (!x) {
        rows.push([r.label, c.conns, c.depth, '-', '-', '-', r.error ? 'FAILED' : '-', '-', '-', '-']);
        continue;
      }
      const errs = x.errors + (x.failedRuns ? ` (+${x.failedRuns} failed runs)` : '');
      const pct = (v) => (Number.isFinite(v) ? `${Math.round(v)}%` : '-');
      rows.push([
        r.label,
        c.conns,
        c.depth,
        fmtInt(x.rps),
        fmtUs(x.p50_us),
        fmtUs(x.p99_us),
        String(errs),
        pct(x.serverCpuPct),
        fmtCpu(x.cpuPer100k),
        pct(x.loadgenCpuPct),
      ]);
    }
    rows.push(null);
  }
  rows.pop();
  out.push(
    formatTable(
      [
        { title: 'server', align: 'left' },
        { title: 'conns' },
        { title: 'depth' },
        { title: 'req/s' },
        { title: 'p50 us' },
        { title: 'p99 us' },
        { title: 'errors' },
        { title: 'server CPU' },
        { title: 'CPU s/100k' },
        { title: 'loadgen CPU' },
      ],
      rows,
    ),
  );

  const subject = results.find((r) => r.id === SUBJECT);
  const refs = REFERENCES.map((id) => results.find((r) => r.id === id)).filter(Boolean);
  out.push('');
  out.push(
    formatTable(
      [
        { title: 'server', align: 'left' },
        { title: 'idle RSS MiB' },
        { title: 'peak RSS MiB (VmHWM)' },
        { title: 'fieldgate / this' },
        { title: 'ready ms' },
        { title: 'stop', align: 'left' },
      ],
      results.map((r) => [
        r.label,
        fmtMiB(r.idle?.rssKiB),
        `${r.memory?.lastSeen ? '>= ' : ''}${fmtMiB(r.memory?.hwmKiB)}`,
        refs.includes(r) && subject ? fmtRatio(ratio(subject.memory?.hwmKiB, r.memory?.hwmKiB)) : '',
        r.readyMs ?? '-',
        stopText(r.stop),
      ]),
    ),
  );

  out.push('');
  if (!subject || !subject.cases.length) {
    const why = skipped[SUBJECT]
      ? `skipped: ${skipped[SUBJECT]}`
      : subject
        ? 'fieldgate failed: see the note below'
        : 'fieldgate was not selected';
    out.push(`ratios fieldgate / reference: n/a (${why})`);
  } else if (refs.length) {
    out.push(
      'fieldgate / reference (req/s: above 1 = fieldgate faster; latency and CPU per request: below 1 = fieldgate cheaper)',
    );
    const ratioRows = [];
    for (const c of CASES) {
      const s = caseOf(subject, c);
      for (const ref of refs) {
        const x = caseOf(ref, c);
        ratioRows.push([
          c.conns,
          c.depth,
          ref.label,
          fmtRatio(ratio(s?.rps, x?.rps)),
          fmtRatio(ratio(s?.p50_us, x?.p50_us)),
          fmtRatio(ratio(s?.p99_us, x?.p99_us)),
          fmtRatio(ratio(s?.cpuPer100k, x?.cpuPer100k)),
        ]);
      }
      ratioRows.push(null);
    }
    ratioRows.pop();
    out.push(
      formatTable(
        [
          { title: 'conns' },
          { title: 'depth' },
          { title: 'vs', align: 'left' },
          { title: 'req/s' },
          { title: 'p50' },
          { title: 'p99' },
          { title: 'CPU/request' },
        ],
        ratioRows,
      ),
    );
  }

  const fixed = results.filter((r) => r.fixed);
  if (fixed.length) {
    const { clients, rate } = FIXED_LOAD;
    out.push('');
    out.push(
      `Fixed load: ${clients} clients x ${rate} requests/s each (${fmtInt(clients * rate)} req/s offered, FC3 10 registers, one in flight),`,
    );
    out.push(
      `bench/lib/fixed-load.mjs on CPU ${LOADGEN_CPU}; server CPU = share of one core over ${fixedDurationMs(opts) / 1000 - 0.4} s of each run, median of ${opts.runs}.`,
    );
    out.push(
      formatTable(
        [
          { title: 'server', align: 'left' },
          { title: 'req/s' },
          { title: 'server CPU' },
          { title: 'fieldgate / this' },
          { title: 'p99 us' },
          { title: 'errors' },
          { title: 'missed ticks' },
        ],
        fixed.map((r) => [
          r.label,
          fmtInt(r.fixed.rps),
          Number.isFinite(r.fixed.serverCpuPct) ? `${r.fixed.serverCpuPct.toFixed(1)}%` : '-',
          refs.includes(r) && subject?.fixed ? fmtRatio(ratio(subject.fixed.serverCpuPct, r.fixed.serverCpuPct)) : '',
          fmtUs(r.fixed.p99_us),
          r.fixed.errors + (r.fixed.failedRuns ? ` (+${r.fixed.failedRuns} failed runs)` : ''),
          r.fixed.missed,
        ]),
      ),
    );
  }

  const targets = targetsTable(
    subject,
    results.find((r) => r.id === 'libmodbus'),
  );
  if (targets) out.push('', targets);

  const notes = [];
  for (const [id, why] of Object.entries(skipped)) notes.push(`skipped ${id}: ${why}`);
  for (const r of results) {
    if (r.error) notes.push(`${r.label}: ${r.error}`);
    for (const x of r.cases) {
      if (x.errors || x.failedRuns)
        notes.push(
          `${r.label} ${x.conns} conn x ${x.depth}: ${x.errors} bad/missing replies, ${x.failedRuns} failed runs (see results.json)`,
        );
    }
    if (r.fixed?.failedRuns) {
      const why = r.fixed.runs.find((run) => !run.ok)?.error;
      notes.push(`${r.label} fixed load: ${r.fixed.failedRuns} failed runs (${why})`);
    }
    for (const x of r.cases) {
      if (r.id !== 'ceiling' && x.runs.some((run) => run.capped))
        notes.push(
          `${r.label} ${x.conns} conn x ${x.depth}: stopped at the request cap (${fmtInt(opts.maxRequests)}) before ${opts.durationMs / 1000} s`,
        );
    }
  }
  // The load generator is the limit only where it was saturated while the server was not.
  for (const r of results) {
    for (const x of r.cases) {
      if ((x.loadgenCpuPct ?? 0) >= 90 && (x.serverCpuPct ?? 100) < 85) {
        notes.push(
          `${r.label} ${x.conns} conn x ${x.depth}: the load generator was ${Math.round(x.loadgenCpuPct)}% busy and the server ${Math.round(x.serverCpuPct)}%: the load generator may be the limit there`,
        );
      }
    }
  }
  const ceiling = results.find((r) => r.id === 'ceiling');
  for (const c of ceiling ? CASES : []) {
    const top = caseOf(ceiling, c)?.rps;
    const close = results.filter((r) => r !== ceiling && top && (caseOf(r, c)?.rps ?? 0) >= 0.8 * top);
    if (close.length)
      notes.push(
        `${c.conns} conn x ${c.depth}: ${close.map((r) => r.label).join(', ')} within 20% of the loadgen ceiling (with one request in flight this is the loopback round trip, not load-generator CPU; see the CPU columns)`,
      );
  }
  if (notes.length) out.push('', ...notes.map((n) => `note: ${n}`));
  return out.join('\n');
}

export async function run(ctx) {
  const { opts, log } = ctx;
  const bins = ensureBuilt(
    ctx.benchDir,
    [
      { name: 'loadgen', src: 'loadgen.c' },
      { name: 'trivial-server', src: 'trivial-server.c' },
      {
        name: 'libmodbus-server',
        src: 'libmodbus-server.c',
        libs: { pkg: 'libmodbus', fallback: ['-I/usr/include/modbus', '-lmodbus'] },
      },
    ],
    log,
  );
  if (bins.loadgen.error) throw new Error(`cannot build the load generator: ${bins.loadgen.error}`);

  const servers = serverList(ctx, bins).filter((s) => !opts.servers || opts.servers.includes(s.id));
  const skipped = {};
  const results = [];
  const handles = [];
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'fieldgate-bench-'));
  try {
    for (const s of servers) {
      const why = s.unavailable();
      if (why) {
        skipped[s.id] = why;
        log(`  ${s.label}: SKIPPED: ${why}`);
        continue;
      }
      handles.push(await startServer(ctx, s, tmp));
    }
    for (let round = 0; round < opts.runs; round++) {
      for (let i = 0; i < CASES.length; i++)
        for (const h of handles) await measureCase(ctx, h, i, round, bins.loadgen.path);
      for (const h of handles) if (h.server.id !== 'ceiling') await measureFixed(ctx, h, round);
    }
  } finally {
    for (const h of handles) results.push(await finishServer(ctx, h));
    await rm(tmp, { recursive: true, force: true });
  }
  // Modbus over TLS vs plain on fieldgate (Modbus/TCP Security): its own table, same run
  const tls = !opts.servers || opts.servers.includes('fieldgate') ? await runTls(ctx) : null;
  return {
    text: report(ctx, results, skipped) + (tls ? `\n\n${tls.text}` : ''),
    data: {
      tls: tls?.data ?? null,
      request: { function: 3, address: 0, quantity: 10, unit: 1 },
      cpus: { server: SERVER_CPU, loadgen: LOADGEN_CPU },
      cases: CASES,
      fixedLoad: FIXED_LOAD,
      skipped,
      servers: results,
    },
  };
}
