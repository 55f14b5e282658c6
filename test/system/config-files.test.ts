/** `fieldgate check` and `fieldgate run` read only a regular file of at most 4 MiB: anything else exits 78 at once. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCommand } from '../helpers/daemon.js';

describe('a config path that is not a regular file, or too large', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fieldgate-files-'));
  const fifo = join(dir, 'fifo.yaml');
  execFileSync('mkfifo', [fifo]);
  const zero = join(dir, 'zero.yaml');
  symlinkSync('/dev/zero', zero);
  const big = join(dir, 'big.yaml');
  writeFileSync(big, `gateway: { name: big }\n#${'x'.repeat(4 * 1024 * 1024)}\n`);
  const cases: [string, string][] = [
    [fifo, 'it is a FIFO, not a regular file'],
    [zero, 'it is a character device, not a regular file'],
    [big, `it is larger than 4 MiB (${4 * 1024 * 1024 + 25} bytes)`],
  ];

  for (const command of ['check', 'run']) {
    it(`fieldgate ${command} exits 78 and says why, without waiting or reading on`, async () => {
      for (const [path, why] of cases) {
        const t0 = Date.now();
        const { code, stderr } = await runCommand([command, '-c', path]);
        expect(code).toBe(78);
        expect(stderr).toContain(`  ${path}: cannot read the configuration file: ${why}\n`);
        expect(Date.now() - t0).toBeLessThan(5000);
      }
    });
  }
});
