#!/usr/bin/env node
// `npm run gen:config`: writes what comes from the configuration's declarations (src/config):
// config/fieldgate.schema.json (editors), man/fieldgate.yaml.5 (the key reference) and the key
// tables of README.md (between <!-- keys:ID:start --> and <!-- keys:ID:end -->). Run after adding
// or changing a key; test/config/reference.test.ts fails while a committed copy differs.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const { generated } = await import(path.join(root, 'dist', 'reference', 'index.js'));
for (const [file, content] of generated(root)) {
  const at = path.join(root, file);
  let before = null;
  try {
    before = readFileSync(at, 'utf8');
  } catch {
    /* new */
  }
  if (before === content) continue;
  mkdirSync(path.dirname(at), { recursive: true });
  writeFileSync(at, content);
  process.stdout.write(`wrote ${file}\n`);
}
