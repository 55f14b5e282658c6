#!/usr/bin/env node
// `npm run bench`: runs the benchmark sections and writes bench/out/results.json.
// A section is a module exporting { name, description, run(ctx) -> { text, data } }; add new ones
// to SECTIONS. Every process a section starts goes through lib/proc.mjs, so none outlives the run.
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { parseArgs, usage } from './lib/args.mjs';
import { killAllSync, stopAll } from './lib/proc.mjs';
import * as modbusTcp from './modbus-tcp.mjs';
import * as southbound from './southbound.mjs';
import * as rawBridge from './raw-bridge.mjs';
import * as startup from './startup.mjs';
import * as decode from './decode.mjs';
import * as mqtt from './mqtt.mjs';
import * as consoleStreams from './console.mjs';
import * as mixed from './mixed.mjs';

const SECTIONS = [modbusTcp, southbound, rawBridge, startup, decode, mqtt, consoleStreams, mixed];

const benchDir = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(benchDir);

function log(msg) {
  process.stderr.write(`${msg}\n`);
}

async function main() {
  let opts;
  try {
    opts = parseArgs(
      process.argv.slice(2),
      SECTIONS.map((s) => s.name),
    );
  } catch (e) {
    log(`bench: ${e.message}\n\n${usage(SECTIONS)}`);
    return 2;
  }
  if (opts.help) {
    process.stdout.write(`${usage(SECTIONS)}\n`);
    return 0;
  }

  const started = new Date();
  const results = {
    startedAt: started.toISOString(),
    host: {
      node: process.version,
      kernel: os.release(),
      cpus: os.cpus().length,
      cpu: os.cpus()[0]?.model,
      memMiB: Math.round(os.totalmem() / 2 ** 20),
    },
    options: opts,
    sections: {},
  };
  const ctx = { root, benchDir, opts, log };
  let failed = false;
  try {
    for (const section of SECTIONS.filter((s) => !opts.only || opts.only.includes(s.name))) {
      log(`== ${section.name}: ${section.description}`);
      const t0 = performance.now();
      try {
        const { text, data } = await section.run(ctx);
        results.sections[section.name] = { seconds: Math.round(performance.now() - t0) / 1000, ...data };
        process.stdout.write(`\n${text}\n`);
      } catch (e) {
        failed = true;
        results.sections[section.name] = { error: e.message };
        log(`bench: section ${section.name} failed: ${e.stack ?? e.message}`);
      }
    }
  } finally {
    await stopAll();
  }
  results.finishedAt = new Date().toISOString();
  results.seconds = Math.round((Date.now() - started.getTime()) / 100) / 10;
  const outDir = path.join(benchDir, 'out');
  mkdirSync(outDir, { recursive: true });
  const file = path.join(outDir, 'results.json');
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  log(`\nwrote ${path.relative(process.cwd(), file) || file} (${results.seconds} s)`);
  return failed ? 1 : 0;
}

process.on('exit', killAllSync);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    log(`bench: ${sig}, stopping every process it started`);
    // Not awaited: the handler returns at once, and the exit in finally ends the process either way.
    void stopAll(500).finally(() => process.exit(130));
  });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    log(`bench: ${e.stack ?? e.message}`);
    killAllSync();
    process.exitCode = 1;
  },
);
