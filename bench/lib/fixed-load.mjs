#!/usr/bin/env node
// fixed-load: the load a plant puts on a Modbus server, not the most it can take. CLIENTS connections
// to 127.0.0.1:PORT, each sending one FC 3 request (10 holding registers from 0, unit 1) every
// 1/RATE s, starts staggered evenly; a request is sent only when the previous one was answered (else
// the tick is counted as missed). Every reply is checked (transaction id, protocol 0, length, unit,
// fc 3, byte count 20). Runs a warm-up, then DURATION ms measured; bounded by time (a stalled reply
// ends the run after TIMEOUT ms) and by count (at most CLIENTS * RATE * seconds requests).
// Output: one JSON line {"clients","rate","requests","errors","missed","rps","p50_us","p99_us"}.
//
// usage: node fixed-load.mjs --port P [--clients 20] [--rate 50] [--warmup-ms 500] [--duration-ms 5000]
//                            [--timeout-ms 2000]
import net from 'node:net';

const opt = { port: 0, clients: 20, rate: 50, 'warmup-ms': 500, 'duration-ms': 5000, 'timeout-ms': 2000 };
for (let i = 2; i < process.argv.length; i += 2) {
  const key = process.argv[i]?.replace(/^--/, '');
  const value = Number(process.argv[i + 1]);
  if (!(key in opt) || !Number.isInteger(value) || value < 0) {
    process.stderr.write(`fixed-load: bad option ${process.argv[i]} ${process.argv[i + 1]}\n`);
    process.exit(2);
  }
  opt[key] = value;
}
if (opt.port < 1 || opt.port > 65535 || opt.clients < 1 || opt.clients > 1000 || opt.rate < 1 || opt.rate > 1000) {
  process.stderr.write('fixed-load: argument out of range\n');
  process.exit(2);
}

const REQUEST = Buffer.from([0, 0, 0, 0, 0, 6, 1, 3, 0, 0, 0, 10]);
const REPLY_LENGTH = 9 + 20;
const latencies = [];
const stats = { requests: 0, errors: 0, missed: 0 };
let measuring = false;
let stopped = false;
const clients = [];

function client(i) {
  const c = { socket: null, tid: 0, sentAt: 0, inFlight: false, pending: Buffer.alloc(0), timer: null };
  c.socket = net.connect({ host: '127.0.0.1', port: opt.port, noDelay: true });
  c.socket.on('error', (e) => fail(`client ${i}: ${e.message}`));
  c.socket.on('close', () => stopped || fail(`client ${i}: closed by the server`));
  c.socket.on('data', (chunk) => {
    let buf = c.pending.length ? Buffer.concat([c.pending, chunk]) : chunk;
    while (buf.length >= REPLY_LENGTH) {
      const ok =
        buf.readUInt16BE(0) === c.tid && buf.readUInt16BE(2) === 0 && buf.readUInt16BE(4) === 23 && buf[6] === 1;
      const good = ok && buf[7] === 3 && buf[8] === 20;
      if (measuring) {
        if (good) latencies.push(performance.now() - c.sentAt);
        else stats.errors++;
      }
      c.inFlight = false;
      buf = buf.subarray(REPLY_LENGTH);
    }
    c.pending = Buffer.from(buf);
  });
  const tick = () => {
    if (c.inFlight) {
      if (measuring) stats.missed++;
      if (performance.now() - c.sentAt > opt['timeout-ms']) fail(`client ${i}: no reply for ${opt['timeout-ms']} ms`);
      return;
    }
    c.tid = (c.tid + 1) & 0xffff;
    REQUEST.writeUInt16BE(c.tid, 0);
    c.inFlight = true;
    c.sentAt = performance.now();
    if (measuring) stats.requests++;
    c.socket.write(Buffer.from(REQUEST));
  };
  c.socket.on('connect', () => {
    const period = 1000 / opt.rate;
    setTimeout(
      () => {
        if (!stopped) c.timer = setInterval(tick, period);
      },
      (i * period) / opt.clients,
    );
  });
  return c;
}

function stop() {
  stopped = true;
  for (const c of clients) {
    clearInterval(c.timer);
    c.socket.destroy();
  }
}

function fail(why) {
  if (stopped) return;
  stop();
  process.stderr.write(`fixed-load: ${why}\n`);
  process.exitCode = 1;
}

function percentile(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : null;
}

for (let i = 0; i < opt.clients; i++) clients.push(client(i));
setTimeout(() => {
  measuring = true;
  const t0 = performance.now();
  setTimeout(() => {
    measuring = false;
    const seconds = (performance.now() - t0) / 1000;
    if (stopped) return;
    stop();
    const sorted = Float64Array.from(latencies).sort();
    const us = (v) => (v === null ? null : Math.round(v * 10000) / 10);
    const out = { clients: opt.clients, rate: opt.rate, ...stats, seconds };
    out.rps = Math.round((latencies.length / seconds) * 10) / 10;
    out.p50_us = us(percentile(sorted, 0.5));
    out.p99_us = us(percentile(sorted, 0.99));
    process.stdout.write(`${JSON.stringify(out)}\n`);
  }, opt['duration-ms']);
}, opt['warmup-ms']);
