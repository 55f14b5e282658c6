// Bench section "decode": FPGA telemetry frames (hardware/profiles/fpga-telemetry.yaml, 64 bytes,
// CRC-16/MODBUS) streamed by one board as fast as loopback takes them into a raw server with
// `handler: { decode: fpga-telemetry, bank: b }`, while a Modbus client keeps reading that bank
// (FC3, one request in flight). Side by side in the same daemon and run, the reference: the same
// stream into a raw server with framing none and `handler: hub` with no other session (bytes read
// and dropped: the cost of the socket alone). Reported: frames per second from the first write to
// the daemon closing the connection (it has handled every byte by then), and the daemon's CPU
// (user + system, /proc/PID/stat) per 10,000 frames. The daemon runs pinned to CPU 0; the board
// and the Modbus client are this process.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { ensureBuilt } from './lib/build.mjs';
import { fpgaBankYaml } from './lib/fpga-bank.mjs';
import { runLoadgen } from './lib/loadgen.mjs';
import { freePort } from './lib/net.mjs';
import { startProcess, stopProcess } from './lib/proc.mjs';
import { cpuSecondsOf } from './lib/procfs.mjs';
import { median } from './lib/stats.mjs';
import { fmtInt, fmtRatio, formatTable } from './lib/table.mjs';

export const name = 'decode';
export const description =
  'FPGA frames decoded into a bank (64-byte frames, CRC) while Modbus reads it, vs the bare socket';

const BLOCK = 4096; // frames encoded once, sent over and over
const SENTINEL = 0xfffffff0; // seq of the last frame: its arrival in the bank proves the stream was decoded
const TARGET = 100000;

function yaml(ports) {
  return `gateway: { name: bench }
log: { level: info }
banks:
${fpgaBankYaml('b')}
servers:
  - { name: decode, protocol: raw, listen: "127.0.0.1:${ports.decode}", idleTimeout: 0, handler: { decode: fpga-telemetry, bank: b } }
  - { name: sink, protocol: raw, listen: "127.0.0.1:${ports.sink}", idleTimeout: 0, handler: hub }
  - { name: scada, protocol: modbus, listen: "127.0.0.1:${ports.modbus}", idleTimeout: 0, bank: b }
`;
}

/** A block of frames with seq 0..BLOCK-1, and the sentinel frame. */
async function frames(root) {
  const { encodeFrame } = await import(pathToFileURL(path.join(root, 'dist/codec/profile/encode.js')).href);
  const { loadProfileFile, profilePath } = await import(
    pathToFileURL(path.join(root, 'dist/config/profiles/index.js')).href
  );
  const r = loadProfileFile(profilePath('fpga-telemetry', root));
  if (!r.ok) throw new Error(`fpga-telemetry does not load: ${r.issues[0]?.message}`);
  const one = (seq) =>
    encodeFrame(
      r.profile,
      new Map([
        ['seq', seq],
        ['ch1', (seq % 2000) / 100 - 10],
        ['ch2', 1.5],
        ['board_temp', 42.1],
        ['running', true],
      ]),
    );
  return { block: Buffer.concat(Array.from({ length: BLOCK }, (_, i) => one(i))), last: one(SENTINEL) };
}

/** Streams `blocks` copies of `block`, then `last`, ends, and waits for the daemon to close (bounded). */
function stream(port, block, last, blocks, maxMs) {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let sent = 0;
    let t0 = 0;
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`stream to ${port} not done within ${maxMs + 15000} ms`));
    }, maxMs + 15000);
    sock.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    sock.on('data', () => undefined);
    sock.on('close', () => {
      clearTimeout(timer);
      resolve({ frames: sent * BLOCK + 1, seconds: (performance.now() - t0) / 1000 });
    });
    const pump = () => {
      while (sent < blocks && performance.now() - t0 < maxMs) {
        sent++;
        if (!sock.write(block)) return void sock.once('drain', pump);
      }
      sock.end(last);
    };
    sock.on('connect', () => {
      t0 = performance.now();
      pump();
    });
  });
}

/** Reads holding 0..10 of unit 1 over and over, one request in flight; `stop()` -> { reads, lastSeq }. */
function modbusReader(port) {
  const sock = net.connect({ host: '127.0.0.1', port });
  const request = Buffer.from('00010000000601030000000b', 'hex'); // FC3, unit 1, holding 0, 11 registers;
  let reads = 0;
  let lastSeq = -1;
  let buf = Buffer.alloc(0);
  let stopped = false;
  sock.on('error', () => undefined);
  sock.on('connect', () => sock.write(request));
  sock.on('data', (c) => {
    buf = buf.length === 0 ? c : Buffer.concat([buf, c]);
    while (buf.length >= 31) {
      if (buf[7] === 3) {
        reads++;
        lastSeq = buf.readUInt32BE(9);
      }
      buf = buf.subarray(31);
      if (!stopped) sock.write(request);
    }
  });
  return {
    stop: () => {
      stopped = true;
      sock.destroy();
      return { reads, lastSeq };
    },
    get lastSeq() {
      return lastSeq;
    },
  };
}

async function phase(proc, port, data, blocks, maxMs, reader) {
  const cpu0 = cpuSecondsOf(proc.pid);
  const r = await stream(port, data.block, data.last, blocks, maxMs);
  const cpu1 = cpuSecondsOf(proc.pid);
  const cpu = cpu0 === null || cpu1 === null ? null : cpu1 - cpu0;
  return {
    ...r,
    fps: r.frames / r.seconds,
    cpuMsPer10k: cpu === null ? null : (cpu * 1000 * 10000) / r.frames,
    reads: reader?.() ?? null,
  };
}

/** Waits (bounded) until the Modbus reader sees the sentinel seq in the bank. */
async function sentinelSeen(reader) {
  const deadline = performance.now() + 5000;
  while (reader.lastSeq !== SENTINEL) {
    if (performance.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 10));
  }
  return true;
}

async function oneRun(ctx, data, blocks, maxMs, tmp) {
  const ports = { decode: await freePort(), sink: await freePort(), modbus: await freePort() };
  const file = path.join(tmp, `decode-${ports.decode}.yaml`);
  await writeFile(file, yaml(ports));
  const bin = ctx.opts.fieldgate ?? path.join(ctx.root, 'bin', 'fieldgate.js');
  const proc = startProcess('fieldgate', bin, ['run', '-c', file], {
    cpu: os.cpus().length > 1 ? 0 : undefined,
    cwd: ctx.root,
  });
  try {
    const deadline = performance.now() + 15000;
    while ((proc.stdout().match(/"msg":"listening"/g) ?? []).length < 3) {
      if (proc.exit || performance.now() > deadline)
        throw new Error(
          `fieldgate did not start: ${proc.stderr().trim().slice(-300) || proc.stdout().trim().slice(-300)}`,
        );
      await new Promise((r) => setTimeout(r, 20));
    }
    const socket = await phase(proc, ports.sink, data, blocks, maxMs);
    const reader = modbusReader(ports.modbus);
    // A SCADA client of its own (the C load generator, its own process on CPU 1): FC3 reads, one in
    // flight, during the first second of the decode stream.
    const scada = ctx.loadgen
      ? runLoadgen({
          bin: ctx.loadgen,
          port: ports.modbus,
          conns: 1,
          depth: 1,
          warmupMs: 0,
          durationMs: 1000,
          maxRequests: 10_000_000,
          timeoutMs: 1000,
          cpu: os.cpus().length > 1 ? 1 : undefined,
        })
      : Promise.resolve(null);
    const decoded = await phase(proc, ports.decode, data, blocks, maxMs);
    const scadaResult = await scada;
    const seen = await sentinelSeen(reader);
    const { reads } = reader.stop();
    if (!seen) throw new Error('the last frame never reached the bank: frames were refused or lost');
    return {
      socket,
      decoded: {
        ...decoded,
        modbusReads: reads,
        scada: scadaResult?.ok ? { rps: scadaResult.rps, p99: scadaResult.p99_us, errors: scadaResult.errors } : null,
      },
    };
  } finally {
    await stopProcess(proc, 3000);
  }
}

export async function run(ctx) {
  const bin = ctx.opts.fieldgate ?? path.join(ctx.root, 'bin', 'fieldgate.js');
  if (!existsSync(path.join(ctx.root, 'dist', 'codec', 'profile', 'encode.js')))
    throw new Error('dist/ is missing: npm run build');
  if (!existsSync(bin)) throw new Error(`${bin} is missing`);
  const data = await frames(ctx.root);
  const built = ensureBuilt(ctx.benchDir, [{ name: 'loadgen', src: 'loadgen.c' }], ctx.log);
  ctx.loadgen = built.loadgen?.error ? null : (built.loadgen?.path ?? null);
  const blocks = ctx.opts.quick ? 100 : 500; // 409,600 or 2,048,000 frames per stream
  const maxMs = ctx.opts.quick ? 10000 : 20000;
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'fieldgate-bench-decode-'));
  const runs = [];
  try {
    for (let i = 0; i < ctx.opts.runs; i++) {
      ctx.log(`decode: run ${i + 1}/${ctx.opts.runs}`);
      runs.push(await oneRun(ctx, data, blocks, maxMs, tmp));
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return report(ctx, runs);
}

function report(ctx, runs) {
  const m = (pick) => median(runs.map(pick).filter((v) => Number.isFinite(v)));
  const socket = {
    fps: m((r) => r.socket.fps),
    cpu: m((r) => r.socket.cpuMsPer10k),
    frames: m((r) => r.socket.frames),
  };
  const decoded = {
    fps: m((r) => r.decoded.fps),
    cpu: m((r) => r.decoded.cpuMsPer10k),
    frames: m((r) => r.decoded.frames),
    reads: m((r) => r.decoded.scada?.rps),
    p99: m((r) => r.decoded.scada?.p99),
    errors: m((r) => r.decoded.scada?.errors),
  };
  const fmt1 = (v) => (Number.isFinite(v) ? v.toFixed(1) : '-');
  const out = [
    `FPGA telemetry (64-byte frames, CRC-16/MODBUS, 11 fields + 3 bits) from one board over loopback, ${fmtInt(decoded.frames)} frames per stream,`,
    `median of ${runs.length} run${runs.length > 1 ? 's' : ''}; daemon on CPU 0; CPU ms = daemon user+system time per 10,000 frames. Target: >= ${fmtInt(TARGET)} decoded frames/s.`,
    '',
    formatTable(
      [
        { title: 'stream into', align: 'left' },
        { title: 'frames/s' },
        { title: 'CPU ms/10k frames' },
        { title: 'SCADA reads/s' },
        { title: 'read p99 us' },
        { title: 'vs socket' },
      ],
      [
        ['raw server, framing none, hub (socket only)', fmtInt(socket.fps), fmt1(socket.cpu), '-', '-', '1.00x'],
        [
          'decode: fpga-telemetry into bank b',
          fmtInt(decoded.fps),
          fmt1(decoded.cpu),
          fmtInt(decoded.reads),
          fmtInt(decoded.p99),
          fmtRatio(decoded.fps / socket.fps),
        ],
      ],
    ),
    `SCADA reads: the C load generator in its own process (FC3, 1 in flight) during the first second of the stream; errors: ${decoded.errors ?? '-'}.`,
    '',
    decoded.fps >= TARGET
      ? `decoded frames/s meet the target (${fmtInt(TARGET)}).`
      : `decoded frames/s are BELOW the target (${fmtInt(TARGET)}).`,
  ];
  return { text: out.join('\n'), data: { runs, socket, decoded, target: TARGET } };
}
