// Bench section "startup": how fast fieldgate is ready and how much memory it takes, as systemd sees
// it, and how long a reload (SIGHUP) takes on a large config. Each case runs in a fresh process,
// several times; medians are reported, next to a floor (a bare node process that binds one port:
// what Node itself costs) and the targets of issue 5:
//   default config (config/fieldgate.yaml, its port moved to a free one): ready <= 400 ms
//   64 servers + 8 port pools of 8 ports, status endpoint on: ready <= 1 s, peak RSS <= 80 MB,
//   reload <= 100 ms
// "Ready" is READY=1 arriving on a notify socket made here (a Python receiver standing in for
// systemd's, fed by the real systemd-notify program), counted from the spawn of the process. Without
// python3 or systemd-notify, the `started` log line is used instead (and the report says so).
// Reload time is from kill(SIGHUP) to the `reload applied` log line (read, validate, diff, apply).
// Config validation of the big file (72 servers) is timed on its own, in a fresh node process with the
// daemon's flags (lib/validate-config.mjs): the first validation in a process (what a start pays), and
// again with the server names changed (what a reload of an edited file pays), YAML parsing included.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { freePort } from './lib/net.mjs';
import { runProcess, startProcess, stopProcess } from './lib/proc.mjs';
import { memoryOf } from './lib/procfs.mjs';
import { median, ratio } from './lib/stats.mjs';
import { fmtMiB, fmtRatio, formatTable } from './lib/table.mjs';

export const name = 'startup';
export const description = 'time to readiness and peak RSS (default and 64-server + 8-pool configs), and reload time';

const CPU = 0;
const SERVERS = 64;
const POOLS = 8;
const POOL_PORTS = 8;
const TARGETS = { defaultReadyMs: 400, bigReadyMs: 1000, bigRssMiB: 80, reloadMs: 100 };

const RECEIVER = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("bound", flush=True)
while True:
    print(s.recv(65536).decode().strip().replace("\\n", "|"), flush=True)
`;

/** Calls onLine for every line the process prints on stdout. */
function lines(handle, onLine) {
  let partial = '';
  handle.child.stdout.on('data', (c) => {
    const parts = (partial + c.toString()).split('\n');
    partial = parts.pop() ?? '';
    for (const p of parts) onLine(p);
  });
}

/** A promise for the first line matching `match`, bounded; fails if the process exits first. */
function nextLine(handle, match, timeoutMs = 15000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${handle.name}: no matching line within ${timeoutMs} ms; stderr: ${handle.stderr()}`)),
      timeoutMs,
    );
    handle.exited.then((e) => {
      clearTimeout(timer);
      reject(new Error(`${handle.name} exited (${e.code ?? e.signal}); stderr: ${handle.stderr()}`));
    });
    lines(handle, (line) => {
      if (match(line)) {
        clearTimeout(timer);
        resolve({ line, at: performance.now() });
      }
    });
  });
}

const jsonLine = (msg) => (line) => line.includes(`"msg":"${msg}"`);

function haveNotify() {
  const ok = (cmd, args) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
  return ok('python3', ['-c', 'import socket']) && ok('systemd-notify', ['--version']);
}

async function startReceiver(tmp, i) {
  const sock = path.join(tmp, `notify-${i}.sock`);
  const h = startProcess('notify-receiver', 'python3', ['-c', RECEIVER, sock]);
  await nextLine(h, (l) => l === 'bound', 5000);
  const ready = nextLine(h, (l) => l.startsWith('READY=1'), 20000);
  ready.catch(() => undefined); // awaited below; this only keeps an early exit from being "unhandled"
  return { sock, handle: h, ready };
}

function fieldgateArgs(ctx, file) {
  const bin = ctx.opts.fieldgate ?? path.join(ctx.root, 'bin', 'fieldgate.js');
  return { cmd: bin, args: ['run', '-c', file] }; // executed directly: the shebang's node flags apply
}

/** One start of fieldgate: ms to READY=1 (or `started`), ms to `started`, peak RSS, the handle. */
async function startOnce(ctx, file, tmp, i, notify) {
  const receiver = notify ? await startReceiver(tmp, i) : null;
  const { cmd, args } = fieldgateArgs(ctx, file);
  const env = { ...process.env, ...(receiver ? { NOTIFY_SOCKET: receiver.sock } : {}) };
  delete env.WATCHDOG_USEC;
  const t0 = performance.now();
  const h = startProcess('fieldgate', cmd, args, { cpu: CPU, env });
  const started = nextLine(h, jsonLine('started'));
  started.catch(() => undefined);
  // READY=1 normally comes after `started`; a daemon that exits first fails this at once
  const ready = receiver ? await Promise.race([receiver.ready, started.then(() => receiver.ready)]) : await started;
  const startedAt = (await started).at;
  return { h, receiver, readyMs: ready.at - t0, startedMs: startedAt - t0, rssKiB: memoryOf(h.pid)?.hwmKiB ?? null };
}

async function stopOnce(run) {
  await stopProcess(run.h);
  if (run.receiver) await stopProcess(run.receiver.handle, 500);
}

/** The floor: a bare node process (same flag as bin/fieldgate.js) that binds one port and says so. */
async function floorOnce() {
  const port = await freePort();
  const script = `require('net').createServer().listen(${port}, '127.0.0.1', () => console.log('ready'))`;
  const t0 = performance.now();
  const h = startProcess('node-floor', process.execPath, ['--max-semi-space-size=1', '-e', script], { cpu: CPU });
  const { at } = await nextLine(h, (l) => l === 'ready');
  const rssKiB = memoryOf(h.pid)?.hwmKiB ?? null;
  await stopProcess(h, 1000);
  return { readyMs: at - t0, rssKiB };
}

async function defaultConfig(ctx, tmp) {
  const port = await freePort();
  const text = readFileSync(path.join(ctx.root, 'config', 'fieldgate.yaml'), 'utf8').replace(
    '127.0.0.1:1502',
    `127.0.0.1:${port}`,
  );
  const file = path.join(tmp, 'default.yaml');
  await writeFile(file, text);
  return file;
}

/** 64 servers and 8 pools of 8 ports on loopback, a bank per pool port's PLC, the status endpoint on. */
async function bigConfig(tmp) {
  const unique = new Set();
  for (let tries = 0; unique.size < SERVERS + POOLS * POOL_PORTS + 1 && tries < 10000; tries++)
    unique.add(await freePort());
  const ports = [...unique];
  const out = [
    'gateway: { name: bench-big }',
    'log: { level: info }',
    `status: { listen: 127.0.0.1:${ports[0]} }`,
    'banks:',
    '  plant: { holding: 1000, input: 1000, coils: 1024, discrete: 1024 }',
  ];
  for (let p = 1; p <= POOLS; p++) out.push(`  press${p}: { holding: 200, input: 50 }`);
  out.push('servers:');
  for (let s = 1; s <= SERVERS; s++) {
    out.push(
      `  - { name: s${s}, protocol: modbus, listen: 127.0.0.1:${ports[s]}, bank: plant, maxClients: 8, idleTimeout: 5m }`,
    );
  }
  for (let p = 1; p <= POOLS; p++) {
    const entries = [];
    for (let k = 0; k < POOL_PORTS; k++)
      entries.push(`${ports[SERVERS + (p - 1) * POOL_PORTS + k + 1]}: { units: { 1: { bank: press${p} } } }`);
    out.push(
      `  - { name: pool${p}, protocol: modbus, listen: 127.0.0.1, bank: plant, ports: { ${entries.join(', ')} } }`,
    );
  }
  const base = `${out.join('\n')}\n`;
  // the "changed" variant: one server and one pool with a new setting (both restart on reload)
  const changed = base
    .replace('name: s1, protocol: modbus', 'name: s1, readOnly: true, protocol: modbus')
    .replace('name: pool1, protocol: modbus', 'name: pool1, onBusy: reject, protocol: modbus');
  const file = path.join(tmp, 'big.yaml');
  await writeFile(file, base);
  return { file, base, changed, statusPort: ports[0] };
}

/** How many ports the pools really listen on (pools arrive with issue 3; before that one port each). */
async function poolPortsListening(statusPort) {
  try {
    const doc = await (await fetch(`http://127.0.0.1:${statusPort}/status`)).json();
    return doc.servers.filter((s) => s.pool).reduce((n, s) => n + s.ports.length, 0);
  } catch {
    return null;
  }
}

async function reloadOnce(run, file, text) {
  await writeFile(file, text);
  const applied = nextLine(run.h, jsonLine('reload applied'));
  const t0 = performance.now();
  run.h.child.kill('SIGHUP');
  const { line, at } = await applied;
  return { wallMs: at - t0, applyMs: JSON.parse(line).ms };
}

async function measureBig(ctx, tmp, runs, notify) {
  const out = {
    readyMs: [],
    startedMs: [],
    rssKiB: [],
    rssAfterReloadsKiB: [],
    reloadSameMs: [],
    reloadChangedMs: [],
    applyChangedMs: [],
    poolPorts: null,
  };
  for (let i = 0; i < runs; i++) {
    const big = await bigConfig(tmp);
    const run = await startOnce(ctx, big.file, tmp, `big-${i}`, notify);
    try {
      out.readyMs.push(run.readyMs);
      out.startedMs.push(run.startedMs);
      out.rssKiB.push(run.rssKiB);
      out.poolPorts ??= await poolPortsListening(big.statusPort);
      for (let r = 0; r < 3; r++) {
        out.reloadSameMs.push((await reloadOnce(run, big.file, big.base)).wallMs);
        const changed = await reloadOnce(run, big.file, r % 2 === 0 ? big.changed : big.base);
        out.reloadChangedMs.push(changed.wallMs);
        out.applyChangedMs.push(changed.applyMs);
      }
      out.rssAfterReloadsKiB.push(memoryOf(run.h.pid)?.hwmKiB ?? null);
    } finally {
      await stopOnce(run);
    }
    ctx.log(
      `  big config run ${i + 1}/${runs}: ready ${run.readyMs.toFixed(0)} ms, peak RSS ${fmtMiB(run.rssKiB)} MiB`,
    );
  }
  return out;
}

/**
 * Config validation of the big file in a fresh process: first, then again (median of the rounds), and the YAML parse
 * alone.
 */
async function validateOnce(ctx, file) {
  const script = path.join(ctx.benchDir, 'lib', 'validate-config.mjs');
  const flags = ['--max-semi-space-size=1', '--optimize-for-size']; // as bin/fieldgate.js
  const r = await runProcess(
    'validate-config',
    process.execPath,
    [...flags, script, path.join(ctx.root, 'dist'), file, '5'],
    { cpu: CPU },
  );
  if (r.code !== 0) throw new Error(`validate-config failed (${r.code ?? r.signal}): ${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1));
  return { firstMs: out.firstMs, againMs: median(out.againMs), parseMs: median(out.parseMs) };
}

async function measureValidation(ctx, tmp, runs) {
  const out = { firstMs: [], againMs: [], parseMs: [] };
  for (let i = 0; i < runs; i++) {
    const big = await bigConfig(tmp);
    const v = await validateOnce(ctx, big.file);
    for (const k of Object.keys(out)) out[k].push(v[k]);
    ctx.log(
      `  config validation run ${i + 1}/${runs}: first ${v.firstMs.toFixed(1)} ms, again ${v.againMs.toFixed(1)} ms (YAML parse ${v.parseMs.toFixed(1)} ms)`,
    );
  }
  return out;
}

async function measureDefault(ctx, tmp, runs, notify) {
  const out = { readyMs: [], startedMs: [], rssKiB: [], floorMs: [], floorRssKiB: [] };
  const file = await defaultConfig(ctx, tmp);
  for (let i = 0; i < runs; i++) {
    const floor = await floorOnce();
    out.floorMs.push(floor.readyMs);
    out.floorRssKiB.push(floor.rssKiB);
    const run = await startOnce(ctx, file, tmp, `default-${i}`, notify);
    await stopOnce(run);
    out.readyMs.push(run.readyMs);
    out.startedMs.push(run.startedMs);
    out.rssKiB.push(run.rssKiB);
    ctx.log(
      `  default config run ${i + 1}/${runs}: ready ${run.readyMs.toFixed(0)} ms (node floor ${floor.readyMs.toFixed(0)} ms)`,
    );
  }
  return out;
}

const ms = (v) => (Number.isFinite(v) ? v.toFixed(v < 10 ? 1 : 0) : '-');
const verdict = (v, target) => (Number.isFinite(v) ? (v <= target ? 'met' : 'MISSED') : '-');

function report(def, big, val, runs, notify) {
  const m = (xs) => median(xs);
  const readyWhat = notify ? 'READY=1 on the notify socket' : '`started` log line (no python3/systemd-notify)';
  const floorMs = m(def.floorMs);
  const floorRss = m(def.floorRssKiB);
  const rows = [
    [
      'default: start to ready',
      `${ms(m(def.readyMs))} ms`,
      `${ms(floorMs)} ms`,
      fmtRatio(ratio(m(def.readyMs), floorMs)),
      `<= ${TARGETS.defaultReadyMs} ms`,
      verdict(m(def.readyMs), TARGETS.defaultReadyMs),
    ],
    ['default: start to `started` log', `${ms(m(def.startedMs))} ms`, '', '', '', ''],
    [
      'default: peak RSS',
      `${fmtMiB(m(def.rssKiB))} MiB`,
      `${fmtMiB(floorRss)} MiB`,
      fmtRatio(ratio(m(def.rssKiB), floorRss)),
      '',
      '',
    ],
    null,
    [
      `big: start to ready`,
      `${ms(m(big.readyMs))} ms`,
      `${ms(floorMs)} ms`,
      fmtRatio(ratio(m(big.readyMs), floorMs)),
      `<= ${TARGETS.bigReadyMs} ms`,
      verdict(m(big.readyMs), TARGETS.bigReadyMs),
    ],
    [
      'big: peak RSS after start',
      `${fmtMiB(m(big.rssKiB))} MiB`,
      `${fmtMiB(floorRss)} MiB`,
      fmtRatio(ratio(m(big.rssKiB), floorRss)),
      `<= ${TARGETS.bigRssMiB} MiB`,
      verdict(m(big.rssKiB) / 1024, TARGETS.bigRssMiB),
    ],
    [
      'big: peak RSS after 6 reloads',
      `${fmtMiB(m(big.rssAfterReloadsKiB))} MiB`,
      '',
      '',
      `<= ${TARGETS.bigRssMiB} MiB`,
      verdict(m(big.rssAfterReloadsKiB) / 1024, TARGETS.bigRssMiB),
    ],
    [
      'big: reload, file unchanged',
      `${ms(m(big.reloadSameMs))} ms`,
      '',
      '',
      `<= ${TARGETS.reloadMs} ms`,
      verdict(m(big.reloadSameMs), TARGETS.reloadMs),
    ],
    [
      'big: reload, 1 server + 1 pool changed',
      `${ms(m(big.reloadChangedMs))} ms`,
      '',
      '',
      `<= ${TARGETS.reloadMs} ms`,
      verdict(m(big.reloadChangedMs), TARGETS.reloadMs),
    ],
    ['  of which diff + apply', `${ms(m(big.applyChangedMs))} ms`, '', '', '', ''],
    null,
    [`big: config validation, first in a process`, `${ms(m(val.firstMs))} ms`, '', '', '', ''],
    [`big: config validation, again (names changed)`, `${ms(m(val.againMs))} ms`, '', '', '', ''],
    ['  of which YAML parse', `${ms(m(val.parseMs))} ms`, '', '', '', ''],
  ];
  const pools =
    big.poolPorts === POOLS * POOL_PORTS
      ? `${POOLS} pools listening on ${big.poolPorts} ports`
      : `pool ports listening: ${big.poolPorts ?? 'unknown'} of ${POOLS * POOL_PORTS} (port pools not fully implemented in this build)`;
  return [
    `Startup and reload (medians of ${runs} runs; fieldgate on CPU ${CPU}; ready = ${readyWhat})`,
    `big = ${SERVERS} Modbus servers + ${POOLS} port pools of ${POOL_PORTS} ports + status endpoint; ${pools}`,
    `floor = bare node (--max-semi-space-size=1) binding one port`,
    '',
    formatTable(
      [
        { title: 'measure', align: 'left' },
        { title: 'fieldgate' },
        { title: 'floor' },
        { title: 'ratio' },
        { title: 'target', align: 'left' },
        { title: '', align: 'left' },
      ],
      rows,
    ),
  ].join('\n');
}

export async function run(ctx) {
  const runs = ctx.opts.quick ? 3 : Math.max(5, ctx.opts.runs);
  const notify = haveNotify();
  if (!notify) ctx.log('  python3 or systemd-notify missing: readiness is taken from the `started` log line');
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'fieldgate-startup-'));
  try {
    const def = await measureDefault(ctx, tmp, runs, notify);
    const big = await measureBig(ctx, tmp, runs, notify);
    const val = await measureValidation(ctx, tmp, runs);
    const med = (o) =>
      Object.fromEntries(Object.entries(o).map(([k, v]) => [k, Array.isArray(v) ? { median: median(v), runs: v } : v]));
    return {
      text: report(def, big, val, runs, notify),
      data: {
        runs,
        readiness: notify ? 'READY=1' : 'started log line',
        targets: TARGETS,
        default: med(def),
        big: { servers: SERVERS, pools: POOLS, poolPorts: POOL_PORTS, ...med(big) },
        validation: med(val),
      },
    };
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}
