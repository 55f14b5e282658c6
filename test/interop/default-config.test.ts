/**
 * The quick start: the embedded default config on port 1502, read with mbpoll exactly as the
 * config's header says: the live input registers change between two reads, the temperature reads
 * as a float, and a holding register written is read back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { readUntil } from '../simulate/read-until.js';
import { requireTool, run } from './tools.js';

const MBPOLL = '/usr/bin/mbpoll';
let daemon: Daemon;

beforeAll(async () => {
  requireTool(MBPOLL, 'mbpoll');
  daemon = startDaemon(['run'], { FIELDGATE_CONFIG: '' });
  await daemon.waitFor((l) => l['msg'] === 'listening' && l['port'] === 1502);
});
afterAll(async () => {
  daemon.child.kill('SIGTERM');
  expect(await daemon.exited).toBe(0);
});

const base = ['-m', 'tcp', '-p', '1502', '-a', '1', '-1', '-o', '2'];

/** `[1]: 123` lines of mbpoll's output -> values by reference. */
function values(stdout: string): Map<number, string> {
  return new Map([...stdout.matchAll(/^\[(\d+)\]:\s+(\S+)/gm)].map((m) => [Number(m[1]), m[2] ?? '']));
}

describe('npm start (the embedded default config)', () => {
  it('mbpoll -t 3 -r 1 -c 8 shows 8 live registers that change between reads', async () => {
    const read = async () => {
      const r = await run(MBPOLL, [...base, '-t', '3', '-r', '1', '-c', '8', '127.0.0.1']);
      expect(r.code, r.stderr).toBe(0);
      return values(r.stdout);
    };
    const first = await read();
    expect([...first.keys()]).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const later = await readUntil(read, (v) => v.get(6) !== first.get(6), 5000, 'the stroke counter');
    expect(Number(later.get(6))).toBeGreaterThan(Number(first.get(6)));
  });

  it('the temperature reads as a float in its range; a holding register written is read back', async () => {
    const t = await run(MBPOLL, [...base, '-t', '3:float', '-B', '-r', '1', '-c', '1', '127.0.0.1']);
    expect(t.code, t.stderr).toBe(0);
    const celsius = Number(values(t.stdout).get(1));
    expect(celsius).toBeGreaterThanOrEqual(18);
    expect(celsius).toBeLessThanOrEqual(24);
    const write = await run(MBPOLL, [...base, '-r', '20', '127.0.0.1', '4321']);
    expect(write.code, write.stderr).toBe(0);
    const back = await run(MBPOLL, [...base, '-r', '20', '-c', '1', '127.0.0.1']);
    expect(back.stdout).toMatch(/^\[20\]:\s+4321\b/m);
  });
});
