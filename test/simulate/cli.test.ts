/**
 * `fieldgate simulate` as a user runs it (the built command): exit 64 on a wrong command line, 78 on
 * a bad profile (with the profile's file:line:col), 0 after --count, 0 on SIGTERM.
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { rawConnect } from '../helpers/clients.js';
import { runCommand, startDaemon, tempFile } from '../helpers/daemon.js';
import { until } from '../helpers/gateway.js';

describe('fieldgate simulate (command line)', () => {
  it('a wrong command line exits 64 and says what to write', async () => {
    const none = await runCommand(['simulate', 'fpga-telemetry']);
    expect(none.code).toBe(64);
    expect(none.stderr).toContain('give one of --connect HOST:PORT, --listen PORT or --serial PATH');
    const role = await runCommand(['simulate', 'omron-nj-press', '--listen', '0']);
    expect(role.code).toBe(64);
    expect(role.stderr).toContain('plays a PLC that dials in: give --connect HOST:PORT');
    const serial = await runCommand(['simulate', 'camera-trigger', '--serial', '/tmp/nonexistent-fieldgate-tty']);
    expect(serial.code).toBe(64);
    expect(serial.stderr).toContain('it needs a register profile');
  });

  it('a bad profile exits 78 naming the profile file, line and key', async () => {
    const file = tempFile('broken.yaml', 'profile: broken\nformat: text\nframing: line\nfields:\n  - { name: a, at: 0, type: number, colour: red }\nsimulate: { role: answer }\n');
    const r = await runCommand(['simulate', file, '--listen', '0']);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain(`the profile ${file} is not valid`);
    expect(r.stderr).toMatch(new RegExp(`${file.replace(/[.]/g, '\\.')}:5:\\d+: fields\\[0\\]\\.colour`));
  });

  it('--count 20 --every 0 streams 20 frames into a TCP peer and exits 0', async () => {
    const received: Buffer[] = [];
    const server = net.createServer((s) => s.on('data', (c) => received.push(c)).on('error', () => undefined));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const r = await runCommand(['simulate', 'fpga-telemetry', '--connect', `127.0.0.1:${port}`, '--every', '0', '--count', '20']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(`playing fpga-telemetry as stream every 0ms, connecting to 127.0.0.1:${port}, 20 times`);
      expect(r.stderr).toMatch(/connected to=127\.0\.0\.1:\d+/);
      expect(r.stderr).toMatch(/stopped reason="count reached" count=20/);
      await until(() => Buffer.concat(received).length === 20 * 64);
    } finally {
      server.close();
    }
  });

  it('answers as a camera until SIGTERM, then exits 0', async () => {
    const d = startDaemon(['simulate', 'camera-trigger', '--listen', '0']);
    await until(() => /listening address=127\.0\.0\.1:\d+/.test(d.stderr()), 5000, 'the camera to listen');
    const port = Number(/listening address=127\.0\.0\.1:(\d+)/.exec(d.stderr())?.[1]);
    const camera = await rawConnect(port);
    camera.socket.write('T7\r\n');
    await until(() => camera.received().toString('latin1').endsWith('\r\n'));
    expect(camera.received().toString('latin1')).toMatch(/^OK,[\d.]+,A1\r\n$/);
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    expect(d.stderr()).toMatch(/stopped reason=SIGTERM count=1/);
    await camera.closed;
  });
});
