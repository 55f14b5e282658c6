/**
 * man/fieldgate.8: renders without a groff warning (`groff -man -ww -z`, groff-base is man-db's
 * dependency), and names every command, option, exit code and environment variable the CLI has,
 * so the page cannot fall behind src/cli.ts silently.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PAGE = fileURLToPath(new URL('../../man/fieldgate.8', import.meta.url));
const CLI = readFileSync(new URL('../../src/cli.ts', import.meta.url), 'utf8');
const hasGroff = spawnSync('sh', ['-c', 'command -v groff'], { encoding: 'utf8' }).status === 0;

/** The page as text (groff -Tascii, no overstriking, lines 200 wide so nothing is hyphenated). */
function rendered(): string {
  const r = spawnSync('groff', ['-man', '-Tascii', '-P-cbou', '-rLL=200n'], {
    input: readFileSync(PAGE),
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe('man/fieldgate.8', () => {
  it.skipIf(!hasGroff)('renders with no groff warning (groff -man -ww -z exits 0, says nothing)', () => {
    const r = spawnSync('groff', ['-man', '-ww', '-z', PAGE], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it.skipIf(!hasGroff)('names every command, option, exit code and environment variable of the CLI', () => {
    const text = rendered();
    for (const section of [
      'NAME',
      'SYNOPSIS',
      'COMMANDS',
      'OPTIONS',
      'SIGNALS',
      'EXIT STATUS',
      'ENVIRONMENT',
      'FILES',
      'SEE ALSO',
    ])
      expect(text, section).toMatch(new RegExp(`^${section}$`, 'm'));
    const options = new Set(CLI.match(/'--?[a-z][a-z-]*/g)?.map((o) => o.slice(1)) ?? []);
    expect(options.size).toBeGreaterThan(5);
    for (const option of options) expect(text, option).toContain(option);
    for (const command of ['run', 'check', 'status', 'simulate'])
      expect(text).toMatch(new RegExp(`^ +${command}\\b`, 'm'));
    for (const code of ['0', '1', '64', '78']) expect(text, `exit ${code}`).toMatch(new RegExp(`^ +${code} +\\S`, 'm'));
    for (const word of [
      'FIELDGATE_CONFIG',
      'JOURNAL_STREAM',
      '/etc/fieldgate/fieldgate.yaml',
      '/var/lib/fieldgate',
      '/etc/systemd/system/fieldgate.service',
      'SIGHUP',
      'SIGTERM',
      'fieldgate.yaml(5)',
    ])
      expect(text, word).toContain(word);
  });
});
