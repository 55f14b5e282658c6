/**
 * The key tables as Markdown (between markers in the README) and as a man page (fieldgate.yaml(5)).
 * Both are generated (`npm run gen:config`); a test fails when a committed copy drifts.
 */
import type { Row, Table } from './tables.js';

const cell = (s: string): string => s.replace(/\|/g, '\\|');

export function markdownTable(table: Table): string {
  const lines = [
    `Keys: ${table.title} (generated from the declarations in src/config by \`npm run gen:config\`)`,
    '',
    '| key | type | default | description |',
    '|---|---|---|---|',
  ];
  for (const r of table.rows) {
    const def = r.default === '' || r.default.startsWith('required') ? r.default : `\`${cell(r.default)}\``;
    const example = r.example === '' ? '' : `e.g. \`${cell(r.example)}\``;
    lines.push(
      `| \`${r.key}\` | ${cell(r.type)} | ${[def, example].filter((x) => x !== '').join(', ')} | ${cell(r.doc)} |`,
    );
  }
  return lines.join('\n');
}

/**
 * `readme` with each `<!-- keys:ID:start -->` ... `<!-- keys:ID:end -->` block holding table ID; every table must have
 * its place.
 */
export function withTables(readme: string, tables: readonly Table[]): string {
  let out = readme;
  for (const table of tables) {
    const start = `<!-- keys:${table.id}:start -->`;
    const end = `<!-- keys:${table.id}:end -->`;
    const from = out.indexOf(start);
    const to = out.indexOf(end);
    if (from < 0 || to < from)
      throw new Error(`README.md has no place for the key table ${table.id}: add ${start} and ${end}`);
    out = `${out.slice(0, from + start.length)}\n${markdownTable(table)}\n${out.slice(to)}`;
  }
  return out;
}

/** Text for roff: backslashes escaped, no line taken for a request. */
const roff = (s: string): string => s.replace(/\\/g, '\\e').replace(/^([.'])/gm, '\\&$1');

function manEntry(r: Row): string[] {
  const facts = [
    r.type,
    r.default === '' || r.default.startsWith('required') ? r.default : `default ${r.default}`,
    r.example === '' ? '' : `e.g. ${r.example}`,
  ].filter((f) => f !== '');
  return ['.TP', `.B ${roff(r.key)}`, `${roff(facts.join('; '))}.`, '.br', roff(r.doc)];
}

export function manPage(tables: readonly Table[]): string {
  return [
    '.\\" Generated from the declarations in src/config (npm run gen:config): do not edit.',
    '.TH FIELDGATE.YAML 5 "" "fieldgate" "File Formats Manual"',
    '.SH NAME',
    'fieldgate.yaml \\- configuration file of fieldgate, the Modbus TCP / RTU and raw TCP gateway',
    '.SH SYNOPSIS',
    '.B /etc/fieldgate/fieldgate.yaml',
    '.SH DESCRIPTION',
    'One YAML file: banks (register images), servers (what fieldgate listens on), devices (what it',
    'connects out to), polls and commands. Durations are written 250ms, 5s, 2m, 1h or as a number of',
    'milliseconds; sizes as a number of bytes or 64KiB, 1MiB, 1GiB. Register addresses are 0-based.',
    '.PP',
    'Unknown keys are errors. Every problem of a file is reported at once, each with its key path and',
    'file:line:col, an unknown key with the keys allowed there (and the closest one when it looks like a',
    'typo). Check a file with',
    '.BR "fieldgate check -c FILE" ;',
    'the daemon validates it the same way on start and on every reload (SIGHUP), and keeps the running',
    'configuration when the new one is not valid.',
    '.PP',
    'Editors that read JSON Schema (through the YAML language server) check the file while it is written,',
    'from config/fieldgate.schema.json; the shipped configurations name it in a comment at their top:',
    '.PP',
    '.RS',
    '# yaml-language-server: $schema=../fieldgate.schema.json',
    '.RE',
    '.SH KEYS',
    'ID, PORT and NAME stand for the keys a mapping of your own has (a unit id, a pool port, a bank or',
    'point name); [] for the items of a list. A key followed by a word in parentheses, such as',
    '.B max (line),',
    'is a key of that variant only.',
    ...tables.flatMap((t) => [`.SS ${roff(t.title)}`, ...t.rows.flatMap(manEntry)]),
    '.SH SEE ALSO',
    '.BR fieldgate (1),',
    'the README (Configuration), and the profiles under hardware/profiles.',
    '',
  ].join('\n');
}
