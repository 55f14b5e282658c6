// Bench section "raw-bridge": throughput of a raw TCP bridge, client → forwarder → TCP sink, on
// loopback, 256 MiB per run, side by side in one run:
//   fieldgate (none)     a raw server with framing none bridged to a `type: tcp` device (the sink)
//   fieldgate (length)   the same with 2-byte length framing (1 KiB frames): cut, then forwarded
//   socat                socat TCP-LISTEN:p,reuseaddr TCP:127.0.0.1:sink (its default forward)
// The client and the sink are bench/src/tcp-blast.c (1 MiB writes, 1 MiB reads) on CPU 1; the
// forwarder runs on CPU 0. Throughput is bytes / (last byte at the sink - first write by the client),
// CPU is the forwarder's user + system time over the run, per GiB moved. Readiness is read from the
// forwarder's own output (fieldgate: "listening" and "device up" log lines; socat -d -d: "listening
// on"), never probed by connecting: socat without fork serves exactly one connection.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

import { ensureBuilt } from './lib/build.mjs';
import { freePort, waitForPort } from './lib/net.mjs';
import { runProcess, startProcess, stopProcess } from './lib/proc.mjs';
import { cpuSecondsOf, memoryOf, minorFaultsOf } from './lib/procfs.mjs';
import { median, ratio } from './lib/stats.mjs';
import { fmtMiB, fmtRatio, formatTable } from './lib/table.mjs';

export const name = 'raw-bridge';
export const description = 'raw TCP bridge throughput (256 MiB, framing none and length): fieldgate vs socat';

const FORWARDER_CPU = 0;
const ENDS_CPU = 1;
const MiB = 1024 * 1024;
const TOTAL = 256 * MiB;
const FRAME = 1024; // length framing: payload bytes per frame (+ 2-byte prefix)

const DATA = {
  none: { framing: 'none', bytes: TOTAL },
  length: { framing: 'length', bytes: Math.floor(TOTAL / (FRAME + 2)) * (FRAME + 2) },
};

function fieldgateYaml(port, sinkPort, framing) {
  const f = framing === 'length' ? `{ type: length, size: 2, endian: big, max: ${FRAME} }` : 'none';
  return `gateway: { name: bench }
log: { level: info }
devices:
  - { name: sink, type: tcp, host: 127.0.0.1, port: ${sinkPort} }
servers:
  - name: bridge
    protocol: raw
    listen: 127.0.0.1:${port}
    idleTimeout: 0
    framing: ${f}
    handler: { bridge: sink }
`;
}

/** Resolves once `test(output)` holds for the process's output; fails if it exits or times out. */
async function waitForOutput(proc, test, what, timeoutMs = 15000) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    if (test(proc.stdout() + proc.stderr())) return;
    if (proc.exit)
      throw new Error(
        `${proc.name} exited (code ${proc.exit.code}) before ${what}: ${proc.stderr().trim().slice(-300)}`,
      );
    if (performance.now() > deadline) throw new Error(`${proc.name}: ${what} not seen within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function forwarders(ctx) {
  const fgBin = ctx.opts.fieldgate ?? path.join(ctx.root, 'bin', 'fieldgate.js');
  const fgCli = path.join(path.dirname(fgBin), '..', 'dist', 'cli.js');
  const subject = (framing) => ({
    id: `fieldgate-${framing}`,
    label: `fieldgate (${framing})`,
    data: framing,
    unavailable: () => {
      if (!existsSync(fgBin)) return `${fgBin} is missing`;
      return !ctx.opts.fieldgate && !existsSync(fgCli)
        ? 'dist/cli.js is missing: build fieldgate first (npm run build)'
        : null;
    },
    start: async (port, sinkPort, tmp) => {
      const yaml = path.join(tmp, `fieldgate-${framing}-${port}.yaml`);
      await writeFile(yaml, fieldgateYaml(port, sinkPort, framing));
      const proc = startProcess('fieldgate', fgBin, ['run', '-c', yaml], { cpu: FORWARDER_CPU, cwd: ctx.root });
      await waitForOutput(
        proc,
        (o) => o.includes('"msg":"listening"') && o.includes('"msg":"device up"'),
        'listening and device up',
      );
      return proc;
    },
  });
  const socat = (data) => ({
    id: `socat-${data}`,
    label: `socat (${data} data)`,
    data,
    unavailable: () => (existsSync('/usr/bin/socat') ? null : '/usr/bin/socat is missing (apt-get install -y socat)'),
    // socat exits when its one connection is done, taking its CPU counters with it: a shell runs it
    // and prints the CPU time of its waited-for child (cutime + cstime of /proc/$$/stat) afterwards.
    childCpu: true,
    start: async (port, sinkPort) => {
      const socatCmd = `/usr/bin/socat -d -d TCP-LISTEN:${port},bind=127.0.0.1,reuseaddr TCP:127.0.0.1:${sinkPort}`;
      const script = `${socatCmd}; echo "child-cpu-ticks $(cut -d' ' -f16,17 /proc/$$/stat) child-faults $(cut -d' ' -f12 /proc/$$/stat)"`;
      const proc = startProcess('socat', '/bin/sh', ['-c', script], { cpu: FORWARDER_CPU });
      await waitForOutput(proc, (o) => o.includes('listening on'), 'listening on');
      return proc;
    },
  });
  return [subject('none'), socat('none'), subject('length'), socat('length')];
}

let ticks = null;
/** The CPU seconds a `childCpu` forwarder's shell printed once its child exited (bounded wait). */
async function childCpuSeconds(proc) {
  // 'exit' can come before the last of stdout: wait for the stream to close too
  const closed = new Promise((r) =>
    proc.child.stdout.closed ? r(true) : proc.child.stdout.once('close', () => r(true)),
  );
  const done = await Promise.race([
    Promise.all([proc.exited, closed]),
    new Promise((r) => setTimeout(() => r(null), 10000)),
  ]);
  const m = /child-cpu-ticks (\d+) (\d+)/.exec(proc.stdout());
  if (!done || !m) return null;
  ticks ??= Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  return (Number(m[1]) + Number(m[2])) / ticks;
}

/** The minor page faults a `childCpu` forwarder's shell printed once its child exited. */
function childFaults(proc) {
  const m = /child-faults (\d+)/.exec(proc.stdout());
  return m ? Number(m[1]) : null;
}

/** One transfer through a fresh forwarder and sink. */
async function transfer(ctx, fwd, blast, tmp) {
  const { bytes, framing } = DATA[fwd.data];
  const sinkPort = await freePort();
  const port = await freePort();
  const sink = startProcess('sink', blast, ['sink', String(sinkPort), String(bytes)], { cpu: ENDS_CPU });
  let proc;
  try {
    await waitForPort(sinkPort, { proc: sink });
    proc = await fwd.start(port, sinkPort, tmp);
    const cpu0 = cpuSecondsOf(proc.pid);
    const faults0 = minorFaultsOf(proc.pid);
    const src = await runProcess('source', blast, ['source', String(port), String(bytes), framing, String(FRAME)], {
      cpu: ENDS_CPU,
      timeoutMs: 120000,
    });
    if (src.code !== 0) throw new Error(`source failed (${src.code ?? src.signal}): ${src.stderr.trim()}`);
    const bounded = await Promise.race([sink.exited, new Promise((r) => setTimeout(() => r(null), 60000))]);
    if (!bounded || bounded.code !== 0)
      throw new Error(`sink did not receive ${bytes} bytes: ${sink.stderr().trim() || 'timed out'}`);
    const cpu1 = fwd.childCpu ? await childCpuSeconds(proc) : cpuSecondsOf(proc.pid);
    const faults1 = fwd.childCpu ? childFaults(proc) : minorFaultsOf(proc.pid);
    const faults = faults1 === null ? null : fwd.childCpu ? faults1 : faults0 === null ? null : faults1 - faults0;
    const s = JSON.parse(src.stdout.trim().split('\n').pop());
    const k = JSON.parse(sink.stdout().trim().split('\n').pop());
    const seconds = (k.last_ns - s.start_ns) / 1e9;
    const cpu = cpu1 === null ? null : fwd.childCpu ? cpu1 : cpu0 === null ? null : cpu1 - cpu0;
    return {
      ok: true,
      bytes: k.bytes,
      seconds,
      mbps: k.bytes / seconds / 1e6,
      cpuSeconds: cpu,
      cpuPerGiB: cpu === null ? null : cpu / (k.bytes / 1024 ** 3),
      faultsPerGiB: faults === null ? null : faults / (k.bytes / 1024 ** 3),
      hwmKiB: memoryOf(proc.pid)?.hwmKiB ?? null,
    };
  } finally {
    if (proc) await stopProcess(proc, 3000);
    await stopProcess(sink, 1000);
  }
}

function report(ctx, results, skipped) {
  const out = [];
  out.push(
    `Raw TCP bridge, client -> forwarder -> TCP sink on loopback: ${TOTAL / MiB} MiB per run (length: ${FRAME}-byte frames + 2-byte prefix),`,
  );
  out.push(
    `median of ${ctx.opts.runs} run${ctx.opts.runs > 1 ? 's' : ''}; forwarder on CPU ${FORWARDER_CPU}, client and sink (bench/src/tcp-blast.c) on CPU ${ENDS_CPU};`,
  );
  out.push(
    'MB/s = 10^6 bytes per second from the first write to the last byte at the sink; CPU s/GiB = forwarder user+system time per GiB;',
  );
  out.push(
    "faults/GiB = the forwarder's minor page faults per GiB (pages the kernel had to map in again: freed heap given back and reused).",
  );
  out.push('');
  const pct = (v) => (Number.isFinite(v) ? v.toFixed(2) : '-');
  out.push(
    formatTable(
      [
        { title: 'forwarder', align: 'left' },
        { title: 'MB/s' },
        { title: 'CPU s/GiB' },
        { title: 'faults/GiB' },
        { title: 'peak RSS MiB' },
        { title: 'runs' },
      ],
      results.map((r) => [
        r.label,
        Number.isFinite(r.mbps) ? Math.round(r.mbps) : r.error ? 'FAILED' : '-',
        pct(r.cpuPerGiB),
        Number.isFinite(r.faultsPerGiB) ? String(Math.round(r.faultsPerGiB)) : '-',
        fmtMiB(r.hwmKiB),
        `${r.runs.filter((x) => x.ok).length}/${r.runs.length}`,
      ]),
    ),
  );
  const by = (id) => results.find((r) => r.id === id);
  const rows = ['none', 'length'].map((d) => {
    const fg = by(`fieldgate-${d}`);
    const so = by(`socat-${d}`);
    return [`${d}`, fmtRatio(ratio(fg?.mbps, so?.mbps)), fmtRatio(ratio(fg?.cpuPerGiB, so?.cpuPerGiB))];
  });
  out.push('');
  out.push(
    'fieldgate / socat on the same data (MB/s: above 1 = fieldgate faster; CPU s/GiB: below 1 = fieldgate cheaper)',
  );
  out.push(
    formatTable([{ title: 'framing', align: 'left' }, { title: 'MB/s ratio' }, { title: 'CPU s/GiB ratio' }], rows),
  );
  const notes = Object.entries(skipped).map(([id, why]) => `skipped ${id}: ${why}`);
  for (const r of results) if (r.error) notes.push(`${r.label}: ${r.error}`);
  if (notes.length) out.push('', ...notes.map((n) => `note: ${n}`));
  return out.join('\n');
}

export async function run(ctx) {
  const { opts, log } = ctx;
  const bins = ensureBuilt(ctx.benchDir, [{ name: 'tcp-blast', src: 'tcp-blast.c' }], log);
  if (bins['tcp-blast'].error) throw new Error(`cannot build the client and sink: ${bins['tcp-blast'].error}`);
  const blast = bins['tcp-blast'].path;
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'fieldgate-bench-raw-'));
  const skipped = {};
  const list = forwarders(ctx).filter((f) => {
    const why = f.unavailable();
    if (why) {
      skipped[f.id] = why;
      log(`  ${f.label}: SKIPPED: ${why}`);
    }
    return !why;
  });
  const results = list.map((f) => ({ id: f.id, label: f.label, runs: [] }));
  try {
    for (let round = 0; round < opts.runs; round++) {
      for (const [i, f] of list.entries()) {
        let r;
        try {
          r = await transfer(ctx, f, blast, tmp);
          log(
            `    run ${round + 1}/${opts.runs}  ${f.label.padEnd(22)} ${Math.round(r.mbps)} MB/s, ${r.cpuPerGiB?.toFixed(2)} CPU s/GiB`,
          );
        } catch (e) {
          r = { ok: false, error: e.message };
          log(`    run ${round + 1}/${opts.runs}  ${f.label}: ${e.message}`);
        }
        results[i].runs.push(r);
      }
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  for (const r of results) {
    const ok = r.runs.filter((x) => x.ok);
    r.mbps = median(ok.map((x) => x.mbps));
    r.cpuPerGiB = median(ok.map((x) => x.cpuPerGiB));
    r.faultsPerGiB = median(ok.map((x) => x.faultsPerGiB).filter((v) => v !== null));
    r.hwmKiB = Math.max(0, ...ok.map((x) => x.hwmKiB ?? 0)) || null;
    if (ok.length === 0) r.error = r.runs[0]?.error ?? 'no run';
  }
  return {
    text: report(ctx, results, skipped),
    data: {
      bytes: DATA,
      frame: FRAME,
      cpus: { forwarder: FORWARDER_CPU, ends: ENDS_CPU },
      skipped,
      forwarders: results,
    },
  };
}
