#!/usr/bin/env -S node --max-semi-space-size=1
// The `fieldgate` command: a thin shim over the compiled CLI (built by `npm ci` through `prepare`).
//
// The node flag caps V8's young generation at 1 MiB per semi-space. Measured with `npm run bench`:
// about +25% requests/s at 10 and 100 connections and 6 MiB less peak RSS, because the short-lived
// garbage of each request stays in the CPU cache. npm start, npx and the systemd unit all run this
// file directly, so they all get it; `node bin/fieldgate.js` (no flag) works too, just slower.
import('../dist/cli.js').catch((err) => {
  process.stderr.write(`fieldgate: cannot load the compiled program (run \`npm run build\`): ${err && err.message}\n`);
  process.exit(1);
});
