/** SIGHUP against the built daemon: the edited file is validated, diffed and applied; a bad one is refused. */
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { closeClient, modbusClient } from '../helpers/clients.js';
import { startDaemon, tempFile } from '../helpers/daemon.js';

const config = (hmiReadOnly: boolean) => `
gateway: { name: hup-test }
banks:
  plant: { holding: 10, values: { holding: { 0: [11, 22] } } }
servers:
  - { name: scada, protocol: modbus, listen: 127.0.0.1:0, bank: plant }
  - { name: hmi, protocol: modbus, listen: 127.0.0.1:0, bank: plant, readOnly: ${hmiReadOnly} }
`;

describe('fieldgate run: SIGHUP', () => {
  it('applies an edited file: unchanged servers keep their sessions, the changed one restarts', async () => {
    const file = tempFile('hup.yaml', config(false));
    const d = startDaemon(['run', '-c', file]);
    const scada = await d.waitFor((l) => l['msg'] === 'listening' && l['server'] === 'scada');
    await d.waitFor((l) => l['msg'] === 'started');
    const c = await modbusClient(scada['port'] as number);
    await c.writeRegister(5, 55);
    for (let i = 1; i <= 5; i++) {
      writeFileSync(file, config(i % 2 === 1));
      d.child.kill('SIGHUP');
      await d.waitFor(
        (l) => l['msg'] === 'reload applied' && d.lines.filter((x) => x['msg'] === 'reload applied').length >= i,
      );
      expect((await c.readHoldingRegisters(5, 1)).data).toEqual([55]);
    }
    const applied = d.lines.filter((l) => l['msg'] === 'reload applied');
    expect(applied.map((l) => l['summary'])).toEqual(Array(5).fill('servers ~hmi (1 unchanged)'));
    expect(d.lines.filter((l) => l['msg'] === 'session closed' && l['server'] === 'scada')).toEqual([]);
    await closeClient(c);
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
  });

  it('refuses a broken or missing file, logs why, and keeps serving', async () => {
    const file = tempFile('hup.yaml', config(false));
    const d = startDaemon(['run', '-c', file]);
    const scada = await d.waitFor((l) => l['msg'] === 'listening' && l['server'] === 'scada');
    await d.waitFor((l) => l['msg'] === 'started');
    writeFileSync(
      file,
      config(false).replace('bank: plant }', 'bank: nowhere }').replace('holding: 10', 'holding: lots'),
    );
    d.child.kill('SIGHUP');
    await d.waitFor((l) => String(l['msg']).startsWith('reload refused'));
    const problems = d.lines
      .filter((l) => l['msg'] === 'reload: configuration problem')
      .map((l) => String(l['problem']));
    expect(problems.length).toBeGreaterThanOrEqual(2);
    expect(problems.some((p) => p.includes('banks.plant.holding'))).toBe(true);
    expect(problems.every((p) => p.startsWith(`${file}:`))).toBe(true);

    rmSync(file);
    d.child.kill('SIGHUP');
    await d.waitFor(
      (l) => l['msg'] === 'reload: configuration problem' && String(l['problem']).includes('no such file'),
    );
    const c = await modbusClient(scada['port'] as number);
    expect((await c.readHoldingRegisters(0, 2)).data).toEqual([11, 22]);
    await closeClient(c);
    expect(d.child.exitCode).toBeNull();
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
  });
});

/** The daemon's resident memory in MiB (Linux /proc). */
function rssMiB(pid: number): number {
  const line =
    readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:')) ?? '';
  return Number(/(\d+)/.exec(line)?.[1] ?? 0) / 1024;
}

describe('fieldgate run: SIGHUP onto a path that is not a regular file', () => {
  it('refuses a FIFO and a link to /dev/zero at once, keeps serving Modbus and keeps its config', async () => {
    const file = tempFile('hup.yaml', config(false));
    const d = startDaemon(['run', '-c', file]);
    try {
      const scada = await d.waitFor((l) => l['msg'] === 'listening' && l['server'] === 'scada');
      await d.waitFor((l) => l['msg'] === 'started');
      const c = await modbusClient(scada['port'] as number);
      c.setTimeout(1000);
      const refusals = () => d.lines.filter((l) => String(l['msg']).startsWith('reload refused')).length;

      rmSync(file);
      execFileSync('mkfifo', [file]);
      d.child.kill('SIGHUP');
      const fifo = await d.waitFor(
        (l) => l['msg'] === 'reload: configuration problem' && String(l['problem']).includes('FIFO'),
        3000,
      );
      expect(String(fifo['problem'])).toBe(
        `${file}: cannot read the configuration file: it is a FIFO, not a regular file`,
      );
      await d.waitFor(() => refusals() === 1, 3000);
      expect((await c.readHoldingRegisters(0, 2)).data).toEqual([11, 22]);

      rmSync(file);
      symlinkSync('/dev/zero', file);
      d.child.kill('SIGHUP');
      const zero = await d.waitFor(
        (l) => l['msg'] === 'reload: configuration problem' && String(l['problem']).includes('device'),
        3000,
      );
      expect(String(zero['problem'])).toBe(
        `${file}: cannot read the configuration file: it is a character device, not a regular file`,
      );
      await d.waitFor(() => refusals() === 2, 3000);
      expect((await c.readHoldingRegisters(0, 2)).data).toEqual([11, 22]);
      expect(rssMiB(d.child.pid!)).toBeLessThan(400);

      // the old config still runs: hmi is writable; a good file again is applied
      rmSync(file);
      writeFileSync(file, config(true));
      d.child.kill('SIGHUP');
      const applied = await d.waitFor((l) => l['msg'] === 'reload applied', 3000);
      expect(applied['summary']).toBe('servers ~hmi (1 unchanged)');
      await closeClient(c);
      d.child.kill('SIGTERM');
      expect(await d.exited).toBe(0);
    } finally {
      if (d.child.exitCode === null) d.child.kill('SIGKILL');
    }
  });
});
