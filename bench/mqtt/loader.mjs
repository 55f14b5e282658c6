// The 1 Hz load of the mqtt section: a Modbus TCP client that rewrites every holding register of
// 0..COUNT-1 once a second with FC16 writes of 123 registers (8 in flight), every value different
// from the round before. Bounded: at most ROUNDS rounds, and never past DURATION_MS; SIGTERM ends it.
// usage: node loader.mjs PORT COUNT ROUNDS DURATION_MS [FIRST_ROUND]
//   FIRST_ROUND: the values of round n are (address + n * 7919) & 0xffff; a loader that follows another
//   on the same bank starts where it stopped, so its first round changes every value too.
// Prints one JSON line at the end: { rounds, writes, registers, exceptions, maxRoundMs, ... }.
import net from 'node:net';

const [port, count, rounds, durationMs, firstRound = 0] = process.argv.slice(2).map(Number);
const PER_WRITE = 123;
const IN_FLIGHT = 8;
const PERIOD_MS = 1000;

const sock = net.connect({ host: '127.0.0.1', port });
sock.setNoDelay(true);
const stats = { rounds: 0, writes: 0, registers: 0, exceptions: 0, lateRounds: 0, roundMs: [] };
const t0 = performance.now();
let tid = 0;
let inflight = 0;
let queue = [];
let roundStart = 0;
let roundLeft = 0;
let buf = Buffer.alloc(0);
let done = false;

function request(address, quantity, round) {
  const pdu = 6 + 2 * quantity;
  const b = Buffer.allocUnsafe(7 + pdu);
  tid = (tid + 1) & 0xffff;
  b.writeUInt16BE(tid, 0);
  b.writeUInt16BE(0, 2);
  b.writeUInt16BE(pdu + 1, 4);
  b[6] = 1; // unit
  b[7] = 16;
  b.writeUInt16BE(address, 8);
  b.writeUInt16BE(quantity, 10);
  b[12] = 2 * quantity;
  for (let i = 0; i < quantity; i++) b.writeUInt16BE((address + i + round * 7919) & 0xffff, 13 + 2 * i);
  return b;
}

function pump() {
  while (inflight < IN_FLIGHT && queue.length > 0) {
    inflight++;
    sock.write(queue.shift());
  }
}

function startRound() {
  if (done) return;
  const r = stats.rounds;
  const elapsed = performance.now() - t0;
  if (r >= rounds || elapsed >= durationMs) return finish();
  if (roundLeft > 0) stats.lateRounds++; // the last round had not been answered yet
  queue = [];
  for (let a = 0; a < count; a += PER_WRITE) queue.push(request(a, Math.min(PER_WRITE, count - a), firstRound + r));
  roundLeft += queue.length;
  roundStart = performance.now();
  stats.rounds++;
  pump();
  // the next round at t0 + n s (no drift)
  setTimeout(startRound, Math.max(0, t0 + stats.rounds * PERIOD_MS - performance.now()));
}

function finish() {
  if (done) return;
  done = true;
  const ms = stats.roundMs.sort((a, b) => a - b);
  process.stdout.write(
    `${JSON.stringify({ ...stats, roundMs: undefined, medianRoundMs: ms[ms.length >> 1] ?? null, maxRoundMs: ms.at(-1) ?? null, seconds: (performance.now() - t0) / 1000 })}\n`,
  );
  sock.destroy();
  process.exit(0);
}

sock.on('connect', startRound);
sock.on('error', (e) => {
  process.stderr.write(`loader: ${e.message}\n`);
  process.exit(1);
});
sock.on('data', (chunk) => {
  buf = buf.length ? Buffer.concat([buf, chunk]) : chunk;
  while (buf.length >= 7) {
    const len = 6 + buf.readUInt16BE(4);
    if (buf.length < len) break;
    if (buf[7] & 0x80) stats.exceptions++;
    else {
      stats.writes++;
      stats.registers += buf.readUInt16BE(10);
    }
    buf = buf.subarray(len);
    inflight--;
    if (--roundLeft === 0) stats.roundMs.push(performance.now() - roundStart);
  }
  pump();
});
process.on('SIGTERM', finish);
