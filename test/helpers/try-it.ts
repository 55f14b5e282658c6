/**
 * The "Try it on one machine" paragraph of a shipped example (config/examples/*.yaml), for the tests
 * that follow its steps as a new user would: its command lines, and the two changes a test makes to
 * each of them (/tmp/ becomes a fresh directory, the example's fixed ports free ones).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The ports the steps use, each mapped to a free one, and the directory that stands for /tmp/. */
export interface TryItRun {
  readonly ports: ReadonlyMap<string, number>;
  readonly dir: string;
}

/** The command lines of an example's "Try it on one machine" paragraph (comments and `&` removed). */
export function tryItSteps(example: string): { line: string; background: boolean }[] {
  const lines = readFileSync(join(ROOT, 'config/examples', example), 'utf8').split('\n');
  const start = lines.findIndex((l) => l.startsWith('## Try it on one machine'));
  expect(start, `${example} says how to try it`).toBeGreaterThanOrEqual(0);
  const steps: { line: string; background: boolean }[] = [];
  for (const l of lines.slice(start)) {
    if (!l.startsWith('##')) break;
    const m = /^## {3}(\S.*)$/.exec(l);
    if (!m) continue;
    const line = (m[1] as string).replace(/\s+#\s.*$/, '').trim();
    steps.push({ line: line.replace(/\s*&$/, ''), background: line.endsWith('&') });
  }
  return steps;
}

/** `text` with each of the run's fixed ports replaced by its free one. */
export function freeThePorts(text: string, run: Pick<TryItRun, 'ports'>): string {
  let out = text;
  for (const [from, to] of run.ports) out = out.replace(new RegExp(`\\b${from}\\b`, 'g'), String(to));
  return out;
}

/** A step's command line: /tmp/ is this run's directory, the fixed ports free ones. */
export function substitute(line: string, run: TryItRun): string {
  return freeThePorts(line.replaceAll('/tmp/', `${run.dir}/`), run);
}
