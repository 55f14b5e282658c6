/**
 * Serial cables for the interop suite: a socat pty pair (two linked paths), and the pymodbus RTU
 * slave (or the misbehaving one, rtu_fault_slave.py) on one end. Both are started and awaited by
 * events (the link paths appear, the slave prints "ready"); both are stopped by their own pid.
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
const FAULT_SLAVE = fileURLToPath(new URL('./rtu_fault_slave.py', import.meta.url));

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
  return startPython(SLAVE, [path, String(baud), ...units.map(String)], 'pymodbus slave');
}

/**
 * The misbehaving RTU slave (rtu_fault_slave.py) for UNIT: `late` answers reads at address 0 `ms`
 * late, `twice` sends every reply twice. `lines()`: what it printed (one "req ADDR QTY" per request).
 */
export async function startFaultSlave(
  path: string,
  baud: number,
  unit: number,
  mode: 'late' | 'twice',
  ms = 0,
): Promise<Proc & { lines(): string[] }> {
  return startPython(FAULT_SLAVE, [path, String(baud), String(unit), mode, String(ms)], 'fault slave');
}

export async function startPython(script: string, args: string[], what: string): Promise<Proc & { lines(): string[] }> {
  requireTool(PYTHON, 'python3-pymodbus');
  const child = spawn(PYTHON, [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  try {
    await until(() => out.includes('ready') || child.exitCode !== null, 10_000, `${what} ready`);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  if (!out.includes('ready')) throw new Error(`${what} exited: ${err}`);
  return { child, stop: stopper(child), lines: () => out.split('\n').filter(Boolean) };
}
