// Child processes of the bench: every one is registered here so that none outlives the run,
// whatever happens (stopAll in a finally, killAllSync on process exit).
import { spawn } from 'node:child_process';

const live = new Set();
const TAIL = 8192;

function keepTail(prev, chunk) {
  const s = prev + chunk.toString();
  return s.length > TAIL ? s.slice(-TAIL) : s;
}

/**
 * Start a long-running process, pinned to `cpu` with taskset when given (taskset execs, so the pid
 * is the program's own). Returns a handle: { name, pid, child, exited, exit, stdout(), stderr() }.
 */
export function startProcess(name, cmd, args, { cpu, cwd, env } = {}) {
  const [file, argv] = cpu === undefined ? [cmd, args] : ['taskset', ['-c', String(cpu), cmd, ...args]];
  const child = spawn(file, argv, { cwd, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c) => {
    out = keepTail(out, c);
  });
  child.stderr.on('data', (c) => {
    err = keepTail(err, c);
  });
  const h = {
    name,
    child,
    pid: child.pid,
    exit: null, // { code, signal } once it has exited
    stdout: () => out,
    stderr: () => err,
  };
  live.add(h);
  h.exited = new Promise((resolve) => {
    const done = (code, signal) => {
      if (h.exit) return;
      h.exit = { code, signal };
      live.delete(h);
      resolve(h.exit);
    };
    child.on('error', (e) => {
      err = keepTail(err, `spawn error: ${e.message}\n`);
      done(null, null);
    });
    child.on('exit', done);
  });
  return h;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM, then SIGKILL after graceMs. Resolves to { code, signal, ms, killed }. */
export async function stopProcess(h, graceMs = 3000) {
  const t0 = performance.now();
  if (h.exit) return { ...h.exit, ms: 0, killed: false, alreadyExited: true };
  try {
    h.child.kill('SIGTERM');
  } catch {
    /* gone */
  }
  const res = await Promise.race([h.exited, sleep(graceMs).then(() => null)]);
  if (res) return { ...res, ms: Math.round(performance.now() - t0), killed: false };
  try {
    h.child.kill('SIGKILL');
  } catch {
    /* gone */
  }
  const r2 = await Promise.race([h.exited, sleep(2000).then(() => ({ code: null, signal: 'SIGKILL?' }))]);
  return { ...r2, ms: Math.round(performance.now() - t0), killed: true };
}

/** Run a program to completion, bounded by timeoutMs (SIGKILL past it). */
export async function runProcess(name, cmd, args, { cpu, cwd, timeoutMs = 60000 } = {}) {
  const h = startProcess(name, cmd, args, { cpu, cwd });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      h.child.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }, timeoutMs);
  const { code, signal } = await h.exited;
  clearTimeout(timer);
  return { code, signal, timedOut, stdout: h.stdout(), stderr: h.stderr() };
}

/** Stop every process still running (in parallel). */
export async function stopAll(graceMs = 2000) {
  await Promise.all([...live].map((h) => stopProcess(h, graceMs)));
}

/** Last resort, synchronous (for process.on('exit')): SIGKILL whatever is left. */
export function killAllSync() {
  for (const h of live) {
    try {
      h.child.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
}

export function liveCount() {
  return live.size;
}
