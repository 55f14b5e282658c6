/**
 * The live default (config/fieldgate.yaml, what `npm start` runs), as the built daemon runs it: the
 * demo registers change while a client watches. Run on port 0 (a copy of the file with only the
 * port changed) so the test does not need 1502 free; the interop suite reads port 1502 with mbpoll.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { closeClient, modbusClient } from '../helpers/clients.js';
import { startDaemon, tempFile, type Daemon } from '../helpers/daemon.js';
import { float32, readUntil } from '../simulate/read-until.js';

const DEFAULT = fileURLToPath(new URL('../../config/fieldgate.yaml', import.meta.url));
let daemon: Daemon | undefined;

afterAll(async () => {
  daemon?.child.kill('SIGTERM');
  if (daemon) expect(await daemon.exited).toBe(0);
});

describe('the live default config', () => {
  it('serves 8 input registers that change about every second, written by the demo simulator', async () => {
    const text = readFileSync(DEFAULT, 'utf8');
    expect(text).toContain('listen: 127.0.0.1:1502');
    daemon = startDaemon([
      'run',
      '-c',
      tempFile('fieldgate.yaml', text.replace('listen: 127.0.0.1:1502', 'listen: 127.0.0.1:0')),
    ]);
    const listening = await daemon.waitFor((l) => l['msg'] === 'listening' && l['server'] === 'demo');
    const client = await modbusClient(listening['port'] as number);
    try {
      const first = (await client.readInputRegisters(0, 8)).data;
      const temperature = float32(first[0], first[1]);
      expect(temperature).toBeGreaterThanOrEqual(18);
      expect(temperature).toBeLessThanOrEqual(24);
      // the stroke counter (low word) steps every tick
      const later = await readUntil(
        async () => (await client.readInputRegisters(0, 8)).data,
        (r) => r[5] !== first[5],
        4000,
        'the demo registers',
      );
      expect(later).not.toEqual(first);
      expect((await client.readHoldingRegisters(0, 3)).data).toEqual([1, 2, 3]); // the static part stays
    } finally {
      await closeClient(client);
    }
  });
});
