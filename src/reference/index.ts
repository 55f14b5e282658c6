/**
 * What `npm run gen:config` writes, from the declarations in src/config: the editor schema, the man
 * page and the README's key tables. `generated(root)` gives every file's path and content; the
 * script writes them, a test compares them with the committed ones.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TOP } from '../config/schema.js';
import { configSchema } from './json-schema.js';
import { manPage, withTables } from './render.js';
import { TABLES } from './tables.js';

export const SCHEMA_FILE = 'config/fieldgate.schema.json';
export const MAN_FILE = 'man/fieldgate.yaml.5';
export const README_FILE = 'README.md';

/** Path (relative to `root`) -> content of every generated file. */
export function generated(root: string): Map<string, string> {
  return new Map([
    [SCHEMA_FILE, `${JSON.stringify(configSchema(TOP), null, 2)}\n`],
    [MAN_FILE, manPage(TABLES)],
    [README_FILE, withTables(readFileSync(join(root, README_FILE), 'utf8'), TABLES)],
  ]);
}
