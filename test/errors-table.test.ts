/**
 * src/errors.ts is the one place error codes are defined: its table (the doc comment), its ErrorCode
 * type and its exit codes agree, every code it defines is thrown somewhere in src/, and every code
 * named anywhere (src/, test/, README) is one it defines.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { FieldgateError, type ErrorCode } from '../src/errors.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const ERRORS_TS = join(ROOT, 'src', 'errors.ts');
const errorsSource = readFileSync(ERRORS_TS, 'utf8');

/** Every .ts file under `dir` (relative to the repository), with its text. */
function sources(dir: string): { file: string; text: string }[] {
  const base = join(ROOT, dir);
  return readdirSync(base, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts'))
    .map((f) => ({ file: relative(ROOT, join(base, f)), text: readFileSync(join(base, f), 'utf8') }));
}

/** The codes of the ErrorCode union. */
function unionCodes(): string[] {
  const union = /export type ErrorCode =([^;]+);/.exec(errorsSource)?.[1] ?? '';
  return [...union.matchAll(/'(FG_ERR_[A-Z_]+)'/g)].map((m) => m[1] ?? '');
}

/** The doc comment's table: code -> exit code. */
function tableRows(): Map<string, number> {
  const rows = [...errorsSource.matchAll(/^ \* \| (FG_ERR_[A-Z_]+) +\| (\d+) +\|/gm)];
  return new Map(rows.map((m) => [m[1] ?? '', Number(m[2])]));
}

const CODE = /FG_ERR_[A-Z][A-Z_]*/g;

describe('errors.ts', () => {
  const declared = unionCodes();

  it('declares each code once, in its table and in ErrorCode alike', () => {
    expect(declared.length).toBeGreaterThan(0);
    expect(new Set(declared).size).toBe(declared.length);
    expect([...tableRows().keys()].sort()).toEqual([...declared].sort());
  });

  it('gives each code the exit code its table says', () => {
    for (const [code, exit] of tableRows()) {
      expect(new FieldgateError(code as ErrorCode, 'x').exitCode, code).toBe(exit);
    }
  });

  it('has every code it declares thrown somewhere in src/', () => {
    const thrown = new Set(
      sources('src')
        .filter((s) => s.file !== relative(ROOT, ERRORS_TS))
        .flatMap((s) => [...s.text.matchAll(/'(FG_ERR_[A-Z_]+)'/g)].map((m) => m[1])),
    );
    expect(declared.filter((code) => !thrown.has(code))).toEqual([]);
  });

  it('declares every code that src/, test/ and the README name', () => {
    const named = [
      ...sources('src'),
      ...sources('test'),
      { file: 'README.md', text: readFileSync(join(ROOT, 'README.md'), 'utf8') },
    ].flatMap((s) => [...s.text.matchAll(CODE)].map((m) => `${s.file}: ${m[0]}`));
    expect(named.length).toBeGreaterThan(0);
    expect(named.filter((n) => !declared.includes(n.slice(n.lastIndexOf(' ') + 1)))).toEqual([]);
  });
});
