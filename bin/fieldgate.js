#!/usr/bin/env node
// The `fieldgate` command: a thin shim over the compiled CLI (built by `npm ci` through `prepare`).
import('../dist/cli.js').catch((err) => {
  process.stderr.write(`fieldgate: cannot load the compiled program (run \`npm run build\`): ${err && err.message}\n`);
  process.exit(1);
});
