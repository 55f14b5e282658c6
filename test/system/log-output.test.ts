/**
 * The built daemon's log lines as journald and a terminal get them: with `JOURNAL_STREAM` set each
 * JSON line starts with its syslog priority (`<6>` info, `<4>` warn); with stdout a terminal (a pty
 * made by script(1)) readable lines `HH:MM:SS LEVEL msg key=value ...`; otherwise plain JSON.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { until } from '../helpers/gateway.js';
import { BIN, startDaemon, tempFile } from '../helpers/daemon.js';
import { freePorts } from '../helpers/raw-peers.js';

/** A server, and a Modbus TCP device on a loopback port nobody listens on: a `device down` warning. */
async function config(): Promise<string> {
  const [dead] = (await freePorts(1)) as [number];
  return tempFile(
    'logs.yaml',
    `
gateway: { name: logtest }
banks:
  plant: { holding: 10 }
devices:
  - { name: plc, type: modbus-tcp, host: 127.0.0.1, port: ${dead}, timeout: 300ms }
servers:
  - name: scada
    protocol: modbus
    listen: 127.0.0.1:0
    bank: plant
`,
  );
}

/** A prefixed line `<N>{json}` as its priority and object; undefined for anything else. */
function journalLine(line: Record<string, unknown>): { priority: number; line: Record<string, unknown> } | undefined {
  const text = line['text'];
  if (typeof text !== 'string') return undefined;
  const m = /^<([0-7])>(\{.*\})$/.exec(text);
  if (!m) return undefined;
  return { priority: Number(m[1]), line: JSON.parse(m[2]!) as Record<string, unknown> };
}

describe('log output', () => {
  it('JOURNAL_STREAM set: every line starts with its syslog priority (info <6>, warn <4>)', async () => {
    const d = startDaemon(['run', '-c', await config()], { JOURNAL_STREAM: '8:12345' });
    try {
      await d.waitFor((l) => journalLine(l)?.line['msg'] === 'started');
      await d.waitFor((l) => journalLine(l)?.line['msg'] === 'device down');
      const parsed = d.lines.map(journalLine);
      // nothing is plain JSON: every line carries its priority
      expect(parsed.every((p) => p !== undefined)).toBe(true);
      const byMsg = (msg: string) => parsed.find((p) => p?.line['msg'] === msg);
      expect(byMsg('started')).toMatchObject({ priority: 6, line: { level: 'info' } });
      expect(byMsg('device down')).toMatchObject({ priority: 4, line: { level: 'warn', device: 'plc' } });
    } finally {
      d.child.kill('SIGTERM');
      expect(await d.exited).toBe(0);
    }
  });

  it('without it and without a terminal: plain JSON lines, as before', async () => {
    const d = startDaemon(['run', '-c', await config()], { JOURNAL_STREAM: '' });
    try {
      const started = await d.waitFor((l) => l['msg'] === 'started');
      expect(started).toMatchObject({ level: 'info', gateway: 'logtest' });
      expect(d.lines.every((l) => l['text'] === undefined)).toBe(true);
    } finally {
      d.child.kill('SIGTERM');
      expect(await d.exited).toBe(0);
    }
  });

  it('stdout a terminal: readable lines (time, level, message, key=value)', async () => {
    const path = await config();
    const command = [process.execPath, BIN, 'run', '-c', path].map((a) => `'${a}'`).join(' ');
    // script(1) runs the daemon on a pty and copies what it writes to our pipe
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      env: { ...process.env, JOURNAL_STREAM: '' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      await until(() => out.includes('device down') && out.includes(' started '), 10_000, 'readable lines');
      const lines = out.split(/\r?\n/);
      const started = lines.find((l) => / INFO started /.test(l));
      expect(started).toMatch(/^\d\d:\d\d:\d\d INFO started servers=\d/);
      expect(started).not.toContain('{');
      const down = lines.find((l) => / WARN device down /.test(l));
      expect(down).toMatch(
        /^\d\d:\d\d:\d\d WARN device down device=plc .*target=127\.0\.0\.1:\d+ error="connect ECONNREFUSED [^"]+"/,
      );
    } finally {
      child.kill('SIGTERM'); // script passes it on to the daemon
      await exited;
    }
  });
});
