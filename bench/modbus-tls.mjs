#!/usr/bin/env node
// Bench rows "Modbus over TLS" (Modbus/TCP Security): one fieldgate serving one bank on two servers,
// plain Modbus TCP and the same with `tls: { cert, key, ca }` (client certificates required), measured
// side by side in one run:
//   - FC3 (10 holding registers) at 1 and 10 connections, one request in flight each: requests/s,
//     p50/p99 and fieldgate's CPU, TLS vs plain (target: TLS >= 0.7x plain requests/s at 10);
//   - new connections per second: connect, full TLS handshake (no session resumption), one FC3, close;
//     4 at a time (target: >= 200 TLS handshakes/s), the plain TCP figure beside it.
// Certificates are ECDSA P-256, made by openssl at the start (CA, server with SAN IP:127.0.0.1, client
// with the role extension 1.3.6.1.4.1.50316.802.1 = Operator). The load generator is this file run
// as a child (`--loadgen`, Node's tls, pinned to CPU 1; fieldgate on CPU 0), the same code for
// plain and TLS, so the ratio is fieldgate's.
//
// As a bench section: export { name, description, run(ctx) }, like the other sections (ctx.opts:
// runs, durationMs, warmupMs, fieldgate). Standalone:
//   node bench/modbus-tls.mjs [--quick] [--fieldgate PATH] [--roles]   against bin/fieldgate.js
//   node bench/modbus-tls.mjs --stub --quick                         against a Node MBAP stub (plumbing only)
// --roles adds `roles: { Operator: { write: true } }` to the TLS server (if the server needs roles).
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

import { freePort, waitForPort } from './lib/net.mjs';
import { runProcess, startProcess, stopAll, stopProcess } from './lib/proc.mjs';
import { cpuSecondsOf } from './lib/procfs.mjs';
import { median, ratio } from './lib/stats.mjs';
import { fmtInt, fmtRatio, fmtUs, formatTable } from './lib/table.mjs';

export const name = 'modbus-tls';
export const description = 'Modbus over TLS vs plain (fieldgate, one run): requests/s, p99, CPU, TLS handshakes/s';

const SELF = fileURLToPath(import.meta.url);
const SERVER_CPU = 0;
const LOADGEN_CPU = 1;
const CASES = [{ conns: 1 }, { conns: 10 }];
const HANDSHAKE_PARALLEL = 4;
const TARGET_RATIO = 0.7;
const TARGET_HANDSHAKES = 200;
const ROLE_OID = '1.3.6.1.4.1.50316.802.1';
/** FC3, 10 registers at 0, unit 1; the transaction id is patched per request. */
const REQUEST = Buffer.from([0, 0, 0, 0, 0, 6, 1, 3, 0, 0, 0, 10]);
/** Latency histogram: 1 us buckets up to 1 s (the rest in the last bucket). */
const BUCKETS = 1_000_000;

// ---------------------------------------------------------------- certificates

const openssl = promisify(execFile);
const ssl = (args) => openssl('/usr/bin/openssl', args, { timeout: 10_000 });

async function makeCerts(dir) {
  const p = (n) => path.join(dir, n);
  const cnf = p('openssl.cnf');
  await writeFile(
    cnf,
    `[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = unused
[ca]\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\nsubjectKeyIdentifier = hash
[server]\nbasicConstraints = CA:FALSE\nkeyUsage = critical,digitalSignature\nextendedKeyUsage = serverAuth\nsubjectAltName = IP:127.0.0.1
[client]\nbasicConstraints = CA:FALSE\nkeyUsage = critical,digitalSignature\nextendedKeyUsage = clientAuth\n${ROLE_OID} = ASN1:UTF8String:Operator\n`,
  );
  const key = (n) => ssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', p(`${n}.key`)]);
  await Promise.all(['ca', 'server', 'client'].map(key));
  await ssl(
    ['req', '-x509', '-new', '-key', p('ca.key'), '-subj', '/CN=bench-ca', '-days', '2'].concat([
      '-config',
      cnf,
      '-extensions',
      'ca',
      '-out',
      p('ca.pem'),
    ]),
  );
  const issue = async (n) => {
    await ssl(['req', '-new', '-key', p(`${n}.key`), '-subj', `/CN=bench-${n}`, '-config', cnf, '-out', p(`${n}.csr`)]);
    await ssl(
      ['x509', '-req', '-in', p(`${n}.csr`), '-CA', p('ca.pem'), '-CAkey', p('ca.key'), '-CAcreateserial'].concat([
        '-days',
        '2',
        '-extfile',
        cnf,
        '-extensions',
        n,
        '-out',
        p(`${n}.pem`),
      ]),
    );
  };
  await issue('server');
  await issue('client');
  return {
    ca: p('ca.pem'),
    server: { cert: p('server.pem'), key: p('server.key') },
    client: { cert: p('client.pem'), key: p('client.key') },
  };
}

// ---------------------------------------------------------------- the servers

function fieldgateYaml(plainPort, tlsPort, certs, roles) {
  const common = `    protocol: modbus
    maxClients: 1000
    idleTimeout: 0
    maxInFlight: 64
    bank: bench`;
  return `gateway: { name: bench-tls }
log: { level: warn }
banks:
  bench: { holding: 1000 }
servers:
  - name: plain
    listen: 127.0.0.1:${plainPort}
${common}
  - name: secure
    listen: 127.0.0.1:${tlsPort}
${common}
    tls: { cert: ${certs.server.cert}, key: ${certs.server.key}, ca: ${certs.ca} }
${roles ? '    roles: { Operator: { write: true } }\n' : ''}`;
}

/** `--stub-server PLAIN TLS CERT KEY CA`: a plain and a TLS MBAP server answering FC3 with zeros (plumbing checks). */
function stubServer([plainPort, tlsPort, cert, key, ca]) {
  const serve = (socket) => {
    let held = Buffer.alloc(0);
    socket.setNoDelay(true);
    socket.on('error', () => socket.destroy());
    socket.on('data', (chunk) => {
      held = held.length ? Buffer.concat([held, chunk]) : chunk;
      while (held.length >= 7 && held.length >= 6 + held.readUInt16BE(4)) {
        const len = 6 + held.readUInt16BE(4);
        const qty = held.readUInt16BE(10);
        const reply = Buffer.alloc(9 + 2 * qty);
        held.copy(reply, 0, 0, 4);
        reply.writeUInt16BE(3 + 2 * qty, 4);
        reply[6] = held[6];
        reply[7] = 3;
        reply[8] = 2 * qty;
        socket.write(reply);
        held = held.subarray(len);
      }
    });
  };
  net.createServer(serve).listen(Number(plainPort), '127.0.0.1');
  const options = { cert: readFileSync(cert), key: readFileSync(key), ca: readFileSync(ca), requestCert: true };
  tls
    .createServer({ ...options, rejectUnauthorized: true, minVersion: 'TLSv1.2' }, serve)
    .listen(Number(tlsPort), '127.0.0.1');
}

// ---------------------------------------------------------------- the load generator (child process)

let clientContext;

/** One connection; over TLS a full handshake each time (no session is offered for resumption). */
function connectOnce(o) {
  return new Promise((resolve, reject) => {
    const opts = { host: '127.0.0.1', port: o.port };
    if (o.tls)
      clientContext ??= tls.createSecureContext({
        ca: readFileSync(o.ca),
        cert: readFileSync(o.cert),
        key: readFileSync(o.key),
      });
    const s = o.tls ? tls.connect({ ...opts, secureContext: clientContext }) : net.connect(opts);
    s.setNoDelay(true);
    s.once(o.tls ? 'secureConnect' : 'connect', () => resolve(s));
    s.once('error', reject);
  });
}

/** Sends FC3 on `s` and resolves when its reply is whole; rejects on an exception reply or a close. */
function exchange(s, tid) {
  return new Promise((resolve, reject) => {
    let got = Buffer.alloc(0);
    const onData = (chunk) => {
      got = got.length ? Buffer.concat([got, chunk]) : chunk;
      if (got.length < 8 || got.length < 6 + got.readUInt16BE(4)) return;
      done();
      if (got.readUInt16BE(0) !== tid) reject(new Error(`reply to transaction ${got.readUInt16BE(0)}, not ${tid}`));
      else if (got[7] !== 3) reject(new Error(`exception ${got[8]} to FC3 (roles? try --roles)`));
      else resolve();
    };
    const onEnd = () => {
      done();
      reject(new Error('connection closed'));
    };
    const done = () => {
      s.off('data', onData);
      s.off('close', onEnd);
    };
    s.on('data', onData);
    s.once('close', onEnd);
    const req = Buffer.from(REQUEST);
    req.writeUInt16BE(tid, 0);
    s.write(req);
  });
}

function percentile(hist, total, q) {
  let want = Math.ceil(total * q);
  for (let i = 0; i < hist.length; i++) {
    want -= hist[i];
    if (want <= 0) return i;
  }
  return hist.length - 1;
}

/** Waits the warm-up, then counts (`counting(true)`) for the measured time; its length in seconds. */
async function measuredWindow(o, counting) {
  await new Promise((r) => setTimeout(r, o.warmupMs));
  counting(true);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, o.durationMs));
  counting(false);
  return (performance.now() - t0) / 1000;
}

/** Closed loop, one request in flight per connection: { rps, p50_us, p99_us, requests, errors }. */
async function loadRequests(o) {
  const sockets = await Promise.all(Array.from({ length: o.conns }, () => connectOnce(o)));
  const hist = new Uint32Array(BUCKETS);
  let counting = false;
  let stop = false;
  let requests = 0;
  let errors = 0;
  const loop = async (s) => {
    for (let tid = 1; !stop; tid = (tid + 1) & 0xffff) {
      const t0 = process.hrtime.bigint();
      try {
        await exchange(s, tid);
      } catch (e) {
        errors++;
        if (errors === 1) process.stderr.write(`loadgen: ${e.message}\n`);
        return;
      }
      if (counting) {
        hist[Math.min(BUCKETS - 1, Number((process.hrtime.bigint() - t0) / 1000n))]++;
        requests++;
      }
    }
  };
  const loops = sockets.map(loop);
  const seconds = await measuredWindow(o, (on) => (counting = on));
  stop = true;
  await Promise.all(loops);
  for (const s of sockets) s.destroy();
  return {
    rps: requests / seconds,
    p50_us: percentile(hist, requests, 0.5),
    p99_us: percentile(hist, requests, 0.99),
    requests,
    errors,
  };
}

/** New connections per second: connect (full handshake), one FC3, close; HANDSHAKE_PARALLEL at a time. */
async function loadConnects(o) {
  let stop = false;
  let counting = false;
  let connects = 0;
  let errors = 0;
  const loop = async () => {
    while (!stop) {
      try {
        const s = await connectOnce(o);
        await exchange(s, 1);
        s.destroy();
        if (counting) connects++;
      } catch (e) {
        errors++;
        if (errors === 1) process.stderr.write(`loadgen: ${e.message}\n`);
        if (errors > 100) return;
      }
    }
  };
  const loops = Array.from({ length: HANDSHAKE_PARALLEL }, loop);
  const seconds = await measuredWindow(o, (on) => (counting = on));
  stop = true;
  await Promise.all(loops);
  return { cps: connects / seconds, connects, errors };
}

async function loadgenMain(argv) {
  const o = JSON.parse(argv[0]);
  const r = o.mode === 'connects' ? await loadConnects(o) : await loadRequests(o);
  process.stdout.write(`${JSON.stringify(r)}\n`);
}

// ---------------------------------------------------------------- the section

async function loadgen(ctx, o) {
  const bound = o.warmupMs + o.durationMs + 20_000;
  const r = await runProcess('loadgen-tls', process.execPath, [SELF, '--loadgen', JSON.stringify(o)], {
    cpu: LOADGEN_CPU,
    timeoutMs: bound,
  });
  const line = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return { ok: true, ...JSON.parse(line) };
  } catch {
    return {
      ok: false,
      error: `loadgen exit ${r.code ?? r.signal}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`,
    };
  }
}

/** Runs one loadgen case while measuring the server's CPU (100% = one core). */
async function measure(ctx, pid, o) {
  const cpu0 = cpuSecondsOf(pid);
  const w0 = performance.now();
  const r = await loadgen(ctx, o);
  const cpu1 = cpuSecondsOf(pid);
  if (r.ok && cpu0 !== null && cpu1 !== null)
    r.cpu_pct = Math.round((100 * 1000 * (cpu1 - cpu0)) / (performance.now() - w0));
  return r;
}

export async function run(ctx) {
  const { opts, log } = ctx;
  const tmp = await mkdtemp(path.join(os.tmpdir(), 'fieldgate-bench-tls-'));
  try {
    const certs = await makeCerts(tmp);
    const [plainPort, tlsPort] = [await freePort(), await freePort()];
    let proc;
    let subject;
    if (opts.stub) {
      subject = 'Node MBAP stub (plumbing check, not fieldgate)';
      proc = startProcess(
        'tls-stub',
        process.execPath,
        [SELF, '--stub-server', String(plainPort), String(tlsPort), certs.server.cert, certs.server.key, certs.ca],
        { cpu: SERVER_CPU },
      );
    } else {
      const fgBin = opts.fieldgate ?? path.join(ctx.root, 'bin', 'fieldgate.js');
      subject = `fieldgate (${path.relative(ctx.root, fgBin) || fgBin})`;
      const yaml = path.join(tmp, 'fieldgate.yaml');
      await writeFile(yaml, fieldgateYaml(plainPort, tlsPort, certs, opts.roles));
      proc = startProcess('fieldgate', fgBin, ['run', '-c', yaml], { cpu: SERVER_CPU, cwd: ctx.root });
    }
    try {
      try {
        await waitForPort(plainPort, { proc });
        await waitForPort(tlsPort, { proc });
      } catch (e) {
        // e.g. a fieldgate without TLS servers: its config check says `tls` is an unknown key
        throw new Error(
          `${e.message}; its stderr ends with:\n${proc.stderr().trim().split('\n').slice(-4).join('\n')}`,
          { cause: e },
        );
      }
      log(`  ${subject}: pid ${proc.pid}, plain :${plainPort}, TLS :${tlsPort}`);
      const base = {
        warmupMs: opts.warmupMs,
        durationMs: opts.durationMs,
        port: plainPort,
        ca: certs.ca,
        ...certs.client,
      };
      const rows = [];
      const data = { subject, cases: [], connects: null, targets: {} };
      for (const c of CASES) {
        const runs = { plain: [], tls: [] };
        for (let i = 0; i < opts.runs; i++) {
          for (const mode of ['plain', 'tls']) {
            const r = await measure(ctx, proc.pid, {
              ...base,
              conns: c.conns,
              tls: mode === 'tls',
              port: mode === 'tls' ? tlsPort : plainPort,
            });
            runs[mode].push(r);
            log(
              `    ${mode.padEnd(5)} ${c.conns} conn run ${i + 1}/${opts.runs}: ${r.ok ? `${fmtInt(r.rps)} req/s, p99 ${fmtUs(r.p99_us)} us, cpu ${r.cpu_pct}%${r.errors ? `, ${r.errors} ERRORS` : ''}` : r.error}`,
            );
          }
        }
        const m = (mode, k) => median(runs[mode].filter((r) => r.ok).map((r) => r[k]));
        const row = { conns: c.conns, plain: {}, tls: {} };
        for (const mode of ['plain', 'tls'])
          for (const k of ['rps', 'p50_us', 'p99_us', 'cpu_pct', 'errors']) row[mode][k] = m(mode, k);
        row.ratio = ratio(row.tls.rps, row.plain.rps);
        data.cases.push(row);
        rows.push([
          `FC3, ${c.conns} conn x 1`,
          fmtInt(row.plain.rps),
          fmtInt(row.tls.rps),
          fmtRatio(row.ratio),
          fmtUs(row.plain.p99_us),
          fmtUs(row.tls.p99_us),
          `${row.plain.cpu_pct ?? '-'}%`,
          `${row.tls.cpu_pct ?? '-'}%`,
        ]);
      }
      const cps = { plain: [], tls: [] };
      for (let i = 0; i < opts.runs; i++) {
        for (const mode of ['plain', 'tls']) {
          const r = await measure(ctx, proc.pid, {
            ...base,
            mode: 'connects',
            tls: mode === 'tls',
            port: mode === 'tls' ? tlsPort : plainPort,
          });
          cps[mode].push(r);
          log(
            `    ${mode.padEnd(5)} new connections run ${i + 1}/${opts.runs}: ${r.ok ? `${fmtInt(r.cps)}/s, cpu ${r.cpu_pct}%${r.errors ? `, ${r.errors} ERRORS` : ''}` : r.error}`,
          );
        }
      }
      const mc = (mode, k) => median(cps[mode].filter((r) => r.ok).map((r) => r[k]));
      data.connects = {
        parallel: HANDSHAKE_PARALLEL,
        plain: { cps: mc('plain', 'cps'), cpu_pct: mc('plain', 'cpu_pct') },
        tls: { cps: mc('tls', 'cps'), cpu_pct: mc('tls', 'cpu_pct') },
      };
      rows.push([
        `new connections/s (${HANDSHAKE_PARALLEL} at a time)`,
        fmtInt(data.connects.plain.cps),
        fmtInt(data.connects.tls.cps),
        fmtRatio(ratio(data.connects.tls.cps, data.connects.plain.cps)),
        '-',
        '-',
        `${data.connects.plain.cpu_pct ?? '-'}%`,
        `${data.connects.tls.cpu_pct ?? '-'}%`,
      ]);

      const at10 = data.cases.find((c) => c.conns === 10);
      data.targets = {
        ratioAt10: { want: TARGET_RATIO, got: at10?.ratio ?? null, met: (at10?.ratio ?? 0) >= TARGET_RATIO },
        handshakesPerSecond: {
          want: TARGET_HANDSHAKES,
          got: data.connects.tls.cps,
          met: (data.connects.tls.cps ?? 0) >= TARGET_HANDSHAKES,
        },
      };
      const verdict = (t) => (t.met ? 'met' : 'NOT MET');
      const text = [
        `Modbus over TLS vs plain: ${subject}; ECDSA P-256, client certificates required; loadgen: Node tls on CPU ${LOADGEN_CPU}, server on CPU ${SERVER_CPU}; median of ${opts.runs} run(s) of ${opts.durationMs} ms`,
        formatTable(
          [
            { title: 'case', align: 'left' },
            ...['plain req/s', 'TLS req/s', 'TLS/plain', 'plain p99 us', 'TLS p99 us', 'plain CPU', 'TLS CPU'].map(
              (title) => ({ title }),
            ),
          ],
          rows,
        ),
        `target: TLS >= ${TARGET_RATIO}x plain requests/s at 10 connections: ${fmtRatio(data.targets.ratioAt10.got)} (${verdict(data.targets.ratioAt10)})`,
        `target: >= ${TARGET_HANDSHAKES} TLS handshakes/s: ${fmtInt(data.targets.handshakesPerSecond.got)}/s (${verdict(data.targets.handshakesPerSecond)})`,
      ].join('\n');
      return { text, data };
    } finally {
      await stopProcess(proc, 3000);
    }
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- standalone

async function standalone(argv) {
  const quick = argv.includes('--quick');
  const value = (flag) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const opts = {
    quick,
    runs: Number(value('--runs') ?? (quick ? 1 : 3)),
    durationMs: Number(value('--duration') ?? (quick ? 1000 : 2000)),
    warmupMs: Number(value('--warmup') ?? (quick ? 300 : 500)),
    fieldgate: value('--fieldgate') ? path.resolve(value('--fieldgate')) : null,
    stub: argv.includes('--stub'),
    roles: argv.includes('--roles'),
  };
  const benchDir = path.dirname(SELF);
  const log = (m) => process.stderr.write(`${m}\n`);
  try {
    const { text } = await run({ root: path.dirname(benchDir), benchDir, opts, log });
    process.stdout.write(`\n${text}\n`);
  } finally {
    await stopAll();
  }
}

if (process.argv[1] === SELF) {
  const [mode, ...rest] = process.argv.slice(2);
  if (mode === '--loadgen') await loadgenMain(rest);
  else if (mode === '--stub-server') stubServer(rest);
  else await standalone(process.argv.slice(2));
}
