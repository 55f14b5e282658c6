#!/usr/bin/env -S node --max-semi-space-size=1 --v8-pool-size=1
// The `fieldgate` command: a thin shim over the compiled CLI (built by `npm ci` through `prepare`).
//
// --max-semi-space-size=1 caps V8's young generation at 1 MiB per semi-space. Measured with `npm run
// bench`: about +25% requests/s at 10 and 100 connections and 6 MiB less peak RSS, because the
// short-lived garbage of each request stays in the CPU cache.
// --v8-pool-size=1: one V8 background thread instead of four (the daemon's work is on the main
// thread; the pool compiles and marks in the background). Each idle pool thread still costs its own
// malloc arena: `npm run bench -- --only modbus` peak RSS 61.5 -> 60.9 MiB (64 MB budget), with no
// change in requests/s (a 100x1 + 100x8 load alone: 61.2 -> 60.0 MiB).
// Not set here, on purpose: GLIBC_TUNABLES=glibc.malloc.trim_threshold=67108864 speeds up bulk raw
// bridges (raw-bridge bench: 0.90x -> 0.95..1.03x socat) by keeping freed heap instead of faulting in
// fresh pages, but costs 4 MiB of peak RSS on the Modbus path (bench: 59.8 -> 64.1 MiB at 100
// connections, over the 64 MB budget). Sites that bridge bulk data can set it in a systemd drop-in. npm start, npx and the systemd unit all run this
// file directly, so they all get it; `node bin/fieldgate.js` (no flag) works too, just slower.
import('../dist/cli.js').catch((err) => {
  process.stderr.write(`fieldgate: cannot load the compiled program (run \`npm run build\`): ${err && err.message}\n`);
  process.exit(1);
});
