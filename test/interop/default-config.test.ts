/** The quick start: the embedded default config, read and written with mbpoll on port 1502. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
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

describe('npm start (the embedded default config)', () => {
  it('mbpoll prints the demo values, and a value written is read back', async () => {
    const base = ['-m', 'tcp', '-p', '1502', '-a', '1', '-1', '-o', '2'];
    const read = await run(MBPOLL, [...base, '-r', '1', '-c', '10', '127.0.0.1']);
    expect(read.code, read.stderr).toBe(0);
    for (let i = 1; i <= 10; i++) expect(read.stdout).toMatch(new RegExp(`^\\[${i}\\]:\\s+${i}\\b`, 'm'));
    const write = await run(MBPOLL, [...base, '-r', '20', '127.0.0.1', '4321']);
    expect(write.code, write.stderr).toBe(0);
    const back = await run(MBPOLL, [...base, '-r', '20', '-c', '1', '127.0.0.1']);
    expect(back.stdout).toMatch(/^\[20\]:\s+4321\b/m);
  });
});
