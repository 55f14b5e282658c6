// The load of the mixed section, in one process (CPU 1), against one fieldgate (CPU 0), loopback only:
//   churn   50 Modbus clients, each in a loop: connect, 4 FC3 reads of 10 registers (unit 1) and one FC4
//           read of the simulator's 16 input registers (unit 3),
//           disconnect, pause 100 ms
//   rtu     one client reading 13 registers of unit 2 (routed to the RTU slave on the pty) every 100 ms
//   pool    4 clients, one per pool port, each writing its press's 13 registers with FC16 every 500 ms;
//           every 40 writes a client drops its connection and takes its port again
//   hub     4 clients on the raw hub, each sending a line every 100 ms (the others receive it)
//   echo    4 clients on the raw echo server, each sending a 200-byte line every 20 ms
//   status  GET /status and GET /metrics once a second
// Bounded: every loop stops at MAX_MS (and the churn after MAX_CYCLES connections); SIGTERM stops it.
// Counts go to stdout as one JSON line on SIGUSR1 and at the end.
// usage: node driver.mjs '{"ports":{...},"maxMs":N,"skip":["status","rtu","churn"]}' (skip: optional)
import http from 'node:http';
import net from 'node:net';

import { connect, fc16, readRequest } from './modbus-client.mjs';

const { ports, maxMs, skip = [] } = JSON.parse(process.argv[2]);
const CHURN = 50;
const CHURN_REQUESTS = 5;
const CHURN_PAUSE_MS = 100;
const MAX_CYCLES = 200000;
const deadline = performance.now() + maxMs;
let stopping = false;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const live = () => !stopping && performance.now() < deadline;

const counts = {
  connects: 0,
  churnRequests: 0,
  rtuReads: 0,
  poolWrites: 0,
  poolTakes: 0,
  hubSent: 0,
  hubBytes: 0,
  echoBytes: 0,
  statusGets: 0,
  metricsGets: 0,
  errors: 0,
  lastError: null,
};
const fail = (what, e) => {
  counts.errors++;
  counts.lastError = `${what}: ${e?.message ?? e}`;
};
const print = () => process.stdout.write(`${JSON.stringify(counts)}\n`);

async function churnSlot(i) {
  let tid = i << 8;
  while (live() && counts.connects < MAX_CYCLES) {
    try {
      const c = await connect(ports.modbus);
      counts.connects++;
      for (let r = 0; r < CHURN_REQUESTS && live(); r++) {
        const unit = r === CHURN_REQUESTS - 1 ? 3 : 1;
        if (await c.request(unit === 3 ? readRequest(++tid, 3, 0, 16, 4) : readRequest(++tid, 1, (i * 10) % 990, 10)))
          counts.churnRequests++;
        else fail('churn read', 'no good reply');
      }
      await c.close();
    } catch (e) {
      fail('churn', e);
    }
    await sleep(CHURN_PAUSE_MS);
  }
}

async function rtuLoop() {
  let c = null;
  let tid = 0;
  while (live()) {
    try {
      c ??= await connect(ports.modbus);
      if (await c.request(readRequest(++tid, 2, 0, 13), 3000)) counts.rtuReads++;
      else fail('rtu read', 'no good reply');
      if (c.closed) c = null;
    } catch (e) {
      c = null;
      fail('rtu', e);
    }
    await sleep(100);
  }
  await c?.close();
}

async function poolClient(n, port) {
  let c = null;
  let tid = 0;
  let writes = 0;
  while (live()) {
    try {
      if (!c) {
        c = await connect(port);
        counts.poolTakes++;
      }
      const values = Array.from({ length: 13 }, (_, k) => (writes * 7 + k + n) & 0xffff);
      if (await c.request(fc16(++tid, 1, 0, values))) counts.poolWrites++;
      else fail('pool write', 'no good reply');
      if (++writes % 40 === 0 || c.closed) {
        await c.close();
        c = null;
      }
    } catch (e) {
      c = null;
      fail(`pool ${port}`, e);
    }
    await sleep(500);
  }
  await c?.close();
}

/** A raw client: sends `line` every `everyMs`, counts what comes back. */
function rawClient(port, line, everyMs, onData, onSent) {
  return new Promise((resolve) => {
    const sock = net.connect({ host: '127.0.0.1', port });
    let timer = null;
    const done = () => {
      clearInterval(timer);
      sock.destroy();
      resolve();
    };
    sock.on('connect', () => {
      timer = setInterval(() => {
        if (!live()) return done();
        if (sock.writableLength < 65536) {
          sock.write(line);
          onSent();
        }
      }, everyMs);
    });
    sock.on('data', onData);
    sock.on('error', (e) => {
      fail(`raw ${port}`, e);
      done();
    });
    sock.on('close', done);
  });
}

function get(path) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port: ports.status, path, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => {
      fail(`GET ${path}`, e);
      resolve(false);
    });
  });
}

async function statusLoop() {
  while (live()) {
    const t = performance.now();
    if (await get('/status')) counts.statusGets++;
    if (await get('/metrics')) counts.metricsGets++;
    await sleep(Math.max(0, 1000 - (performance.now() - t)));
  }
}

process.on('SIGUSR1', print);
process.on('SIGTERM', () => {
  stopping = true;
});

const hubLine = (i) => Buffer.from(`console ${i}: ${'x'.repeat(40)}\n`);
const echoLine = Buffer.from(`${'e'.repeat(199)}\n`);
const on = (what) => !skip.includes(what);
await Promise.all([
  ...(on('churn') ? Array.from({ length: CHURN }, (_, i) => churnSlot(i)) : []),
  ...(on('rtu') ? [rtuLoop()] : []),
  ...ports.pool.map((p, n) => poolClient(n, p)),
  ...[0, 1, 2, 3].map((i) =>
    rawClient(
      ports.hub,
      hubLine(i),
      100,
      (c) => (counts.hubBytes += c.length),
      () => counts.hubSent++,
    ),
  ),
  ...[0, 1, 2, 3].map(() =>
    rawClient(
      ports.echo,
      echoLine,
      20,
      (c) => (counts.echoBytes += c.length),
      () => undefined,
    ),
  ),
  ...(on('status') ? [statusLoop()] : []),
]);
print();
process.exit(0);
