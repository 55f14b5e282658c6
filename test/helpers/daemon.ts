/**
 * Spawns the built `fieldgate` command (bin/fieldgate.js → dist/) and reads its JSON log lines,
 * so system tests can wait for events instead of sleeping.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/fieldgate.js', import.meta.url));

export function tempFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fieldgate-'));
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

export interface Daemon {
  readonly child: ChildProcess;
  readonly lines: Record<string, unknown>[];
  stderr(): string;
  /** Resolves with the first log line for which `match` holds (bounded). */
  waitFor(match: (line: Record<string, unknown>) => boolean, ms?: number): Promise<Record<string, unknown>>;
  /** Resolves with the exit code. */
  exited: Promise<number | null>;
}

export function startDaemon(args: readonly string[], env: NodeJS.ProcessEnv = {}): Daemon {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  let err = '';
  let partial = '';
  child.stdout.on('data', (c: Buffer) => {
    partial += c.toString();
    const parts = partial.split('\n');
    partial = parts.pop() ?? '';
    for (const p of parts) {
      try {
        lines.push(JSON.parse(p) as Record<string, unknown>);
      } catch {
        lines.push({ text: p });
      }
    }
    waiters.splice(0).forEach((w) => w());
  });
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.on('exit', (code) => {
      waiters.splice(0).forEach((w) => w());
      resolve(code);
    }),
  );
  const waitFor = (match: (line: Record<string, unknown>) => boolean, ms = 10_000) =>
    new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`log line not seen within ${ms} ms; stderr: ${err}`)), ms);
      const check = () => {
        const hit = lines.find(match);
        if (hit) {
          clearTimeout(timer);
          resolve(hit);
        } else if (child.exitCode !== null) {
          clearTimeout(timer);
          reject(new Error(`daemon exited with ${child.exitCode}; stderr: ${err}`));
        } else waiters.push(check);
      };
      check();
    });
  return { child, lines, stderr: () => err, waitFor, exited };
}

/** Runs the command to completion. */
export async function runCommand(args: readonly string[], env: NodeJS.ProcessEnv = {}) {
  const d = startDaemon(args, env);
  let out = '';
  d.child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  const code = await d.exited;
  return { code, stdout: out, stderr: d.stderr() };
}
