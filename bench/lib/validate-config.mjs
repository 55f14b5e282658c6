// Run by the startup section in a fresh node process (the daemon's node flags): how long the
// configuration of a file takes to validate, the first time in a process (what a start pays) and
// again in the same process with the server names changed each round (what a reload of an edited
// file pays; the names change so that nothing validated before can be reused). Prints one JSON line.
// usage: node validate-config.mjs DIST_DIR FILE ROUNDS
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [dist, file, rounds = '5'] = process.argv.slice(2);
const { loadConfigFileText } = await import(pathToFileURL(path.join(dist, 'config', 'load.js')).href);
const { parseYaml } = await import(pathToFileURL(path.join(dist, 'config', 'parse-yaml.js')).href);
const text = readFileSync(file, 'utf8');

function timed(t) {
  const t0 = performance.now();
  const result = loadConfigFileText(t, file);
  const ms = performance.now() - t0;
  if (!result.ok) throw new Error(`the bench config does not validate: ${JSON.stringify(result.issues.slice(0, 3))}`);
  return ms;
}

const firstMs = timed(text);
const againMs = [];
const parseMs = [];
for (let r = 1; r <= Number(rounds); r++) {
  const variant = text.replace(/name: (s|pool)(\d+)/g, `name: r${r}$1$2`);
  againMs.push(timed(variant));
  const t0 = performance.now();
  parseYaml(variant, file);
  parseMs.push(performance.now() - t0);
}
process.stdout.write(`${JSON.stringify({ firstMs, againMs, parseMs })}\n`);
