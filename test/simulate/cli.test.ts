/**
 * `fieldgate simulate` as a user runs it (the built command): exit 64 on a wrong command line, 78 on
 * a bad profile (with the profile's file:line:col), 0 after --count, 0 on SIGTERM.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { rawConnect } from '../helpers/clients.js';
import { runCommand, startDaemon, tempFile } from '../helpers/daemon.js';
import { until } from '../helpers/gateway.js';

describe('fieldgate simulate (command line)', () => {
  it('a wrong command line exits 64 and says what to write', async () => {
    const none = await runCommand(['simulate', 'fpga-telemetry']);
    expect(none.code).toBe(64);
    expect(none.stderr).toContain('give one of --connect HOST:PORT, --listen [HOST:]PORT or --serial PATH');
    const role = await runCommand(['simulate', 'omron-nj-press', '--listen', '0']);
    expect(role.code).toBe(64);
    expect(role.stderr).toContain('plays a PLC that dials in: give --connect HOST:PORT');
    const serial = await runCommand(['simulate', 'camera-trigger', '--serial', '/tmp/nonexistent-fieldgate-tty']);
    expect(serial.code).toBe(64);
    expect(serial.stderr).toContain('it needs a register profile');
  });

  it('an unknown profile name exits 64 and lists the shipped profiles', async () => {
    const r = await runCommand(['simulate', 'nosuch', '--listen', '0']);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain(
      'simulate: no profile "nosuch": the shipped ones are camera-trigger, fpga-telemetry, omron-nj-press',
    );
    const path = await runCommand(['simulate', './nosuch.yaml', '--listen', '0']);
    expect(path.code).toBe(64);
    expect(path.stderr).toMatch(/no profile file .*nosuch\.yaml/);
    expect(path.stderr).toContain('camera-trigger, fpga-telemetry, omron-nj-press');
  });

  it('a profile without a simulate: section exits 78 and says what to add, with an example from its own fields', async () => {
    const file = tempFile(
      'quiet.yaml',
      'profile: quiet\nframing: { type: fixed, size: 4 }\nfields:\n  - { name: level, at: 0, type: uint16 }\n',
    );
    const r = await runCommand(['simulate', file, '--listen', '0']);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain(
      `profile quiet (${file}) has no simulate: section, so there is nothing to play. Add one, e.g.:`,
    );
    expect(r.stderr).toContain('  simulate:\n');
    expect(r.stderr).toContain('    role: stream');
    expect(r.stderr).toContain('    values:');
    expect(r.stderr).toContain('      level: { signal: sine, min: 0, max: 100, period: 10s }');
    // the example, added as printed, makes the profile play
    const example = r.stderr
      .split('e.g.:\n')[1]
      ?.split('\n')
      .filter((l) => l.startsWith('  '))
      .map((l) => l.slice(2))
      .join('\n');
    writeFileSync(file, `${readFileSync(file, 'utf8')}${example}\n`);
    const received: Buffer[] = [];
    const server = net.createServer((s) => s.on('data', (c) => received.push(c)).on('error', () => undefined));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const played = await runCommand([
        'simulate',
        file,
        '--connect',
        `127.0.0.1:${port}`,
        '--every',
        '0',
        '--count',
        '3',
      ]);
      expect(played.code, played.stderr).toBe(0);
      await until(() => Buffer.concat(received).length === 3 * 4);
    } finally {
      server.close();
    }
  });

  it('--help and the README give the same command line (--listen [HOST:]PORT)', async () => {
    const r = await runCommand(['--help']);
    const line = r.stdout
      .split('\n')
      .find((l) => l.trim().startsWith('fieldgate simulate'))
      ?.trim();
    expect(line).toContain('--listen [HOST:]PORT');
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(line);
  });

  it('a single-value option given twice exits 64 naming it (not the last one silently)', async () => {
    const twice = await runCommand([
      'simulate',
      'fpga-telemetry',
      '--connect',
      '127.0.0.1:1',
      '--every',
      '1s',
      '--every',
      '5ms',
    ]);
    expect(twice.code).toBe(64);
    expect(twice.stderr).toContain('--every is given twice');
  });

  it('a bad profile exits 78 naming the profile file, line and key', async () => {
    const file = tempFile(
      'broken.yaml',
      'profile: broken\nformat: text\nframing: line\nfields:\n  - { name: a, at: 0, type: number, colour: red }\nsimulate: { role: answer }\n',
    );
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
      const r = await runCommand([
        'simulate',
        'fpga-telemetry',
        '--connect',
        `127.0.0.1:${port}`,
        '--every',
        '0',
        '--count',
        '20',
      ]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain(
        `playing fpga-telemetry as stream every 0ms, connecting to 127.0.0.1:${port}, 20 times`,
      );
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
