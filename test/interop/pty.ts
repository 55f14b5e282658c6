/**
 * Serial cables for the interop suite: a socat pty pair (two linked paths), and the pymodbus RTU
 * slave on one end. Both are started and awaited by events (the link paths appear, the slave prints
 * "ready"); both are stopped by their own pid.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { until } from '../helpers/gateway.js';
import { requireTool } from './tools.js';

export const SOCAT = '/usr/bin/socat';
export const PYTHON = '/usr/bin/python3';
const SLAVE = fileURLToPath(new URL('./rtu_slave.py', import.meta.url));

export interface Proc {
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

function stopper(child: ChildProcess): () => Promise<void> {
  return () =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
}

/** Two paths in a fresh directory: `a` for fieldgate, `b` for the slave. */
export function ptyPaths(): { a: string; b: string } {
  const dir = mkdtempSync(join(tmpdir(), 'fieldgate-pty-'));
  return { a: join(dir, 'a'), b: join(dir, 'b') };
}

export async function startSocat(paths: { a: string; b: string }): Promise<Proc> {
  requireTool(SOCAT, 'socat');
  const child = spawn(SOCAT, [`pty,raw,echo=0,link=${paths.a}`, `pty,raw,echo=0,link=${paths.b}`], { stdio: 'ignore' });
  await until(() => existsSync(paths.a) && existsSync(paths.b), 5000, 'socat pty links');
  return { child, stop: stopper(child) };
}

export async function startSlave(path: string, baud: number, units: number[]): Promise<Proc> {
  requireTool(PYTHON, 'python3-pymodbus');
  const child = spawn(PYTHON, [SLAVE, path, String(baud), ...units.map(String)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  try {
    await until(() => out.includes('ready') || child.exitCode !== null, 10_000, 'pymodbus slave ready');
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  if (!out.includes('ready')) throw new Error(`pymodbus slave exited: ${err}`);
  return { child, stop: stopper(child) };
}
