/**
 * The daemon's sd_notify sequence, as systemd would see it: the test binds a unix datagram socket
 * (a small Python receiver, standing in for systemd's notify socket), points NOTIFY_SOCKET at it,
 * and reads what the built daemon sends through the real `systemd-notify` program (Debian package
 * systemd): READY=1 once listening, STATUS=, WATCHDOG=1 at half WATCHDOG_USEC, RELOADING=1 and
 * READY=1 around a reload, STOPPING=1. Without NOTIFY_SOCKET nothing is sent at all.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { watchdogIntervalMs } from '../../src/status/service.js';
import { closeClient, modbusClient } from '../helpers/clients.js';
import { startDaemon, tempFile, type Daemon } from '../helpers/daemon.js';

// Prints every datagram on one line (fields joined by "|"); SCM_RIGHTS fds (systemd-notify's
// BARRIER=1) are dropped by recv(), which closes them: that releases systemd-notify's barrier.
const RECEIVER = `
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("bound", flush=True)
while True:
    print(s.recv(65536).decode().strip().replace("\\n", "|"), flush=True)
`;

interface Receiver {
  readonly path: string;
  readonly messages: string[];
  waitFor(match: (m: string) => boolean, what: string, ms?: number): Promise<string>;
  close(): void;
}

function fakeNotifySocket(): Promise<Receiver> {
  const path = join(mkdtempSync(join(tmpdir(), 'fg-notify-')), 'notify.sock');
  const child: ChildProcess = spawn('python3', ['-c', RECEIVER, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  const messages: string[] = [];
  const waiters: (() => void)[] = [];
  let partial = '';
  return new Promise((resolve, reject) => {
    child.on('error', (err) => reject(new Error(`python3 is needed for this test: ${err.message}`)));
    child.stdout!.on('data', (c: Buffer) => {
      const lines = (partial + c.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (line === 'bound') resolve(receiver);
        else if (line !== 'BARRIER=1') messages.push(line);
      }
      waiters.splice(0).forEach((w) => w());
    });
    const receiver: Receiver = {
      path,
      messages,
      waitFor: (match, what, ms = 10_000) =>
        new Promise((res, rej) => {
          const timer = setTimeout(
            () => rej(new Error(`${what} not received within ${ms} ms; got: ${JSON.stringify(messages)}`)),
            ms,
          );
          const check = () => {
            const hit = messages.find(match);
            if (hit !== undefined) {
              clearTimeout(timer);
              res(hit);
            } else waiters.push(check);
          };
          check();
        }),
      close: () => child.kill(),
    };
  });
}

const CONFIG = `
gateway: { name: notify-test }
banks: { plant: { holding: 10 } }
servers:
  - { name: scada, protocol: modbus, listen: 127.0.0.1:0, bank: plant }
`;

let daemon: Daemon | undefined;
let receiver: Receiver | undefined;
afterEach(async () => {
  if (daemon && daemon.child.exitCode === null) {
    daemon.child.kill('SIGKILL');
    await daemon.exited;
  }
  receiver?.close();
  daemon = undefined;
  receiver = undefined;
});

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ port, host: '127.0.0.1' }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

describe('systemd notifications', () => {
  it('READY once listening, STATUS, WATCHDOG at half WATCHDOG_USEC, RELOADING/READY on reload, STOPPING on stop', async () => {
    receiver = await fakeNotifySocket();
    const file = tempFile('notify.yaml', CONFIG);
    daemon = startDaemon(['run', '-c', file], {
      NOTIFY_SOCKET: receiver.path,
      WATCHDOG_USEC: '300000',
      WATCHDOG_PID: '',
    });
    const ready = await receiver.waitFor((m) => m.startsWith('READY=1'), 'READY=1');
    const port = (daemon.lines.find((l) => l['msg'] === 'listening')?.['port'] as number | undefined) ?? 0;
    expect(await canConnect(port)).toBe(true);
    expect(ready).toBe('READY=1|STATUS=1 server(s) listening, 0 session(s), 0/0 device(s) up');
    expect(receiver.messages[0]).toBe(ready); // nothing before readiness
    expect(daemon.lines.find((l) => l['msg'] === 'systemd watchdog armed')).toMatchObject({ everyMs: 150 });

    await receiver.waitFor(
      (m) => receiver!.messages.filter((x) => x === 'WATCHDOG=1').length >= 3 && m === 'WATCHDOG=1',
      'three WATCHDOG=1',
    );
    const client = await modbusClient(port);
    await receiver.waitFor(
      (m) => m === 'STATUS=1 server(s) listening, 1 session(s), 0/0 device(s) up',
      'STATUS= with the session',
    );
    await closeClient(client);

    writeFileSync(file, CONFIG.replace('holding: 10', 'holding: 20'));
    const before = receiver.messages.length;
    daemon.child.kill('SIGHUP');
    await receiver.waitFor(
      (m) => m.startsWith('READY=1') && receiver!.messages.indexOf(m) >= before,
      'READY=1 after the reload',
    );
    const reload = receiver.messages.slice(before).filter((m) => m !== 'WATCHDOG=1' && !m.startsWith('STATUS='));
    expect(reload[0]).toBe('RELOADING=1|STATUS=reloading the configuration');
    expect(reload[1]).toMatch(
      /^READY=1\|STATUS=1 server\(s\) listening, \d session\(s\), 0\/0 device\(s\) up; last reload: applied: servers ~scada \(0 unchanged\); banks reshaped plant$/,
    );

    daemon.child.kill('SIGTERM');
    expect(await daemon.exited).toBe(0);
    await receiver.waitFor((m) => m.startsWith('STOPPING=1'), 'STOPPING=1');
    const stopAt = receiver.messages.findIndex((m) => m.startsWith('STOPPING=1'));
    expect(receiver.messages[stopAt]).toBe('STOPPING=1|STATUS=stopping');
    expect(receiver.messages.slice(stopAt + 1).filter((m) => m === 'WATCHDOG=1')).toEqual([]);
  });

  it('sends nothing, and runs no systemd-notify, when NOTIFY_SOCKET is unset', async () => {
    // a systemd-notify first on PATH that records every call
    const dir = mkdtempSync(join(tmpdir(), 'fg-spy-'));
    const calls = join(dir, 'calls');
    writeFileSync(join(dir, 'systemd-notify'), `#!/bin/sh\necho "$@" >> ${calls}\n`);
    chmodSync(join(dir, 'systemd-notify'), 0o755);
    const env = { PATH: `${dir}:${process.env['PATH'] ?? ''}`, WATCHDOG_USEC: '100000' };

    const run = async (extra: NodeJS.ProcessEnv) => {
      daemon = startDaemon(['run', '-c', tempFile('quiet.yaml', CONFIG)], { ...env, ...extra });
      await daemon.waitFor((l) => l['msg'] === 'started');
      daemon.child.kill('SIGHUP');
      await daemon.waitFor((l) => l['msg'] === 'reload applied');
      daemon.child.kill('SIGTERM');
      expect(await daemon.exited).toBe(0);
    };
    await run({ NOTIFY_SOCKET: '' });
    expect(existsSync(calls)).toBe(false);
    // the spy does record when systemd asks for notifications (so the check above means something)
    await run({ NOTIFY_SOCKET: join(dir, 'no-such.sock') });
    expect(readFileSync(calls, 'utf8')).toMatch(/^READY=1 STATUS=/m);
  });
});

describe('WATCHDOG_USEC', () => {
  it('pings at half the interval, only for this process', () => {
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000' })).toBe(15000);
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '42' }, 42)).toBe(15000);
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '30000000', WATCHDOG_PID: '43' }, 42)).toBeUndefined();
    expect(watchdogIntervalMs({})).toBeUndefined();
    expect(watchdogIntervalMs({ WATCHDOG_USEC: '0' })).toBeUndefined();
    expect(watchdogIntervalMs({ WATCHDOG_USEC: 'soon' })).toBeUndefined();
  });
});
