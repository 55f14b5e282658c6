#!/usr/bin/env -S node --max-semi-space-size=1 --optimize-for-size
// The `fieldgate` command: a thin shim over the compiled CLI (built by `npm ci` through `prepare`).
//
// --max-semi-space-size=1 caps V8's young generation at 1 MiB per semi-space. Measured with `npm run
// bench`: about +25% requests/s at 10 and 100 connections and 6 MiB less peak RSS, because the
// short-lived garbage of each request stays in the CPU cache.
// --optimize-for-size: V8 grows its old generation in smaller steps (under load the heap grew from
// 11 to 14 MiB with 7.4 MiB live). Measured at 100 Modbus clients (1x1 .. 100x8 loads, 3 rounds):
// peak RSS 61.2-61.6 -> 60.5-60.8 MiB, requests/s unchanged (`npm run bench -- --only modbus`).
// Tried and not kept: --v8-pool-size=1 (-1 MiB, but ~8% slower bulk raw bridges); one forced GC
// after start (--expose-gc: less at start, more after a long load).
// Bulk raw streams need no allocator tuning: raw sessions and raw device links read into one reused
// buffer each (src/transport/read-buffer.ts), so glibc's heap stays put.
// npm start, npx and the systemd unit all run this file directly, so they all get these flags;
// `node bin/fieldgate.js` (no flags) works too, with more memory.
import('../dist/cli.js').catch((err) => {
  process.stderr.write(`fieldgate: cannot load the compiled program (run \`npm run build\`): ${err && err.message}\n`);
  process.exit(1);
});
