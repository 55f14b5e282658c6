/** The built daemon as a user runs it: `fieldgate run`, `fieldgate check`, signals, exit codes. */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { closeClient, modbusClient } from '../helpers/clients.js';
import { runCommand, startDaemon, tempFile } from '../helpers/daemon.js';

const CONFIG = `
gateway: { name: systest }
banks:
  plant: { holding: 10, values: { holding: { 0: [11, 22] } } }
servers:
  - name: scada
    protocol: modbus
    listen: 127.0.0.1:0
    bank: plant
`;

describe('fieldgate run', () => {
  it('serves, then stops on SIGTERM with exit 0', async () => {
    const d = startDaemon(['run', '-c', tempFile('ok.yaml', CONFIG)]);
    const listening = await d.waitFor((l) => l['msg'] === 'listening' && l['server'] === 'scada');
    const c = await modbusClient(listening['port'] as number);
    expect((await c.readHoldingRegisters(0, 2)).data).toEqual([11, 22]);
    await c.writeRegister(5, 55);
    expect((await c.readHoldingRegisters(5, 1)).data).toEqual([55]);
    const t0 = Date.now();
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(d.lines.some((l) => l['msg'] === 'stopped')).toBe(true);
    expect(d.lines.some((l) => l['msg'] === 'session closed' && l['reason'] === 'shutdown')).toBe(true);
    await closeClient(c);
  });

  it('SIGINT also stops cleanly', async () => {
    const d = startDaemon(['run', '-c', tempFile('ok.yaml', CONFIG)]);
    await d.waitFor((l) => l['msg'] === 'started');
    d.child.kill('SIGINT');
    expect(await d.exited).toBe(0);
  });

  it('a port that cannot be bound fails the start with exit 1, naming the server and address', async () => {
    const blocker = net.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', () => r()));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const r = await runCommand([
        'run',
        '-c',
        tempFile('busy.yaml', CONFIG.replace('127.0.0.1:0', `127.0.0.1:${port}`)),
      ]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`server "scada" cannot listen on 127.0.0.1:${port}`);
      expect(r.stderr).toContain('already in use');
    } finally {
      blocker.close();
    }
  });

  it('an invalid config refuses to run with exit 78', async () => {
    const r = await runCommand(['run', '-c', tempFile('bad.yaml', CONFIG.replace('bank: plant', 'bank: nope'))]);
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/bad\.yaml:\d+:\d+: servers\[0\]\.bank/);
  });

  it('a config file that does not exist is exit 78 with its path', async () => {
    const r = await runCommand(['run', '-c', '/nonexistent/fieldgate.yaml']);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain('/nonexistent/fieldgate.yaml');
  });
});

describe('fieldgate check', () => {
  it('prints the plan of a valid file and exits 0', async () => {
    const r = await runCommand(['check', '-c', tempFile('ok.yaml', CONFIG)]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('valid');
    expect(r.stdout).toMatch(/scada: modbus on 127\.0\.0\.1:0/);
  });

  it('reports every problem of a broken file with file:line:col and exits 78', async () => {
    const broken = [
      'gateway: { name: broken }', //                     line 1
      'banks:', //                                          line 2
      '  plant: { holding: 10, colour: red }', //          line 3: unknown key
      'servers:', //                                        line 4
      '  - name: a', //                                     line 5
      '    protocol: modbus', //                           line 6
      '    listen: 127.0.0.1:70000', //                     line 7: bad port
      '    bank: plant', //                                 line 8
      '    idleTimeout: soon', //                           line 9: bad duration
      '',
    ].join('\n');
    const file = tempFile('broken.yaml', broken);
    const r = await runCommand(['check', '-c', file]);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain(`${file}:3:`);
    expect(r.stderr).toContain(`${file}:7:`);
    expect(r.stderr).toContain(`${file}:9:`);
    expect(r.stderr).toMatch(/banks\.plant\.colour/);
    expect(r.stderr).toMatch(/servers\[0\]\.listen/);
    expect(r.stderr).toMatch(/servers\[0\]\.idleTimeout/);
  });

  it('the embedded default config is valid', async () => {
    const r = await runCommand(['check'], { FIELDGATE_CONFIG: '' });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/demo: modbus on 127\.0\.0\.1:1502/);
  });

  it('an unknown command is a usage error (64)', async () => {
    const r = await runCommand(['frobnicate']);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('unknown command');
  });
});
