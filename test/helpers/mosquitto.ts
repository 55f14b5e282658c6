/**
 * Debian's mosquitto broker (/usr/sbin/mosquitto) for tests, on a free loopback port with a config
 * of its own in a temp dir: anonymous by default, users from a password file made by
 * `mosquitto_passwd`, or a TLS listener. Its log goes to stderr, kept (bounded) for failure messages.
 *
 * Ready means: the broker logged "running" (after its listener is open), a TCP connect to the port
 * succeeds (a bounded number of attempts) and the broker logs that it accepted that connection.
 * Every broker still running when the test process ends is killed (an 'exit' handler, and a guard
 * process for when the worker is ended by a signal), and none keeps the event loop alive; tests still
 * stop theirs in afterAll.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';

export const MOSQUITTO = '/usr/sbin/mosquitto';
export const MOSQUITTO_PASSWD = '/usr/bin/mosquitto_passwd';
const HOST = '127.0.0.1';
/** Deadline for the "running" log line after spawning. */
const START_MS = 10_000;
/** TCP connect attempts once the broker says it is running, and the pause between them. */
const CONNECT_ATTEMPTS = 50;
const CONNECT_PAUSE_MS = 20;
/** Deadline for the broker's log line about a probe connection it accepted. */
const ACCEPT_MS = 2_000;
/** How many times a port is tried again (another one, or the same on restart) on EADDRINUSE. */
const BIND_ATTEMPTS = 5;
/** Deadline for the exit after SIGTERM; then SIGKILL. SIGTERM is sent again every RESIGNAL_MS. */
const STOP_MS = 5_000;
const RESIGNAL_MS = 500;
/** The log kept: the last this many characters. */
const LOG_LIMIT = 256 * 1024;

export interface MosquittoTls {
  /** PEM file paths. */
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  /** Clients must present a certificate signed by `ca` (mosquitto's require_certificate). */
  readonly requireClientCert?: boolean;
}

export interface MosquittoOptions {
  /** username → password; anonymous clients are then refused. */
  readonly users?: Readonly<Record<string, string>>;
  /** The listener speaks TLS (mqtts://). */
  readonly tls?: MosquittoTls;
  /** Listen on this port (e.g. the port of a broker that was stopped). */
  readonly port?: number;
}

export interface Mosquitto {
  readonly port: number;
  /** mqtt://127.0.0.1:port, or mqtts:// with `tls`. */
  readonly url: string;
  /** SIGTERM, resolves on exit (SIGKILL after a deadline). Does nothing when it is not running. */
  stop(): Promise<void>;
  /** SIGKILL (a crash: no clean disconnects); resolves on exit. */
  kill(): Promise<void>;
  /** Stops it if it runs, then starts it again on the same port with the same config. */
  restart(): Promise<void>;
  /** What the broker logged, all runs of it (the last 256 KiB). */
  log(): string;
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.once('exit', () => {
    for (const child of live) child.kill('SIGKILL');
  });
}

/**
 * A shell that SIGKILLs `pid` when its stdin (a pipe from this process) closes: when this process
 * ends in any way, also when vitest ends a worker with a signal, which skips 'exit' handlers. It is
 * itself killed when the broker exits, so it never signals a reused pid.
 */
function guardPid(pid: number | undefined): ChildProcess | undefined {
  if (pid === undefined) return undefined;
  const guard = spawn('/bin/sh', ['-c', 'read -r _; kill -KILL "$1" 2>/dev/null', 'mosquitto-guard', String(pid)], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  guard.on('error', () => undefined);
  guard.unref();
  (guard.stdin as net.Socket).unref();
  return guard;
}

class AddressInUse extends Error {}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Resolves with the local port of a TCP connection to `port`, or undefined when refused. */
function probe(port: number): Promise<net.Socket | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: HOST });
    socket.once('connect', () => resolve(socket));
    socket.once('error', () => resolve(undefined));
  });
}

function configText(port: number, dir: string, options: MosquittoOptions): string {
  const lines = [
    // As root mosquitto drops to the `mosquitto` user, which cannot read this temp dir; as any other
    // user this line has no effect.
    `user ${userInfo().username}`,
    'persistence false',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    'log_type information',
    'connection_messages true',
    'log_timestamp_format %H:%M:%S',
    `listener ${port} ${HOST}`,
  ];
  if (options.users) {
    lines.push('allow_anonymous false', `password_file ${join(dir, 'passwd')}`);
  } else {
    lines.push('allow_anonymous true');
  }
  if (options.tls) {
    const { ca, cert, key, requireClientCert } = options.tls;
    lines.push(`cafile ${ca}`, `certfile ${cert}`, `keyfile ${key}`);
    lines.push(`require_certificate ${requireClientCert ? 'true' : 'false'}`);
  }
  return lines.join('\n') + '\n';
}

async function writePasswordFile(path: string, users: Readonly<Record<string, string>>): Promise<void> {
  // Plain "user:password" lines, then hashed in place by mosquitto_passwd -U.
  writeFileSync(
    path,
    Object.entries(users)
      .map(([user, password]) => `${user}:${password}\n`)
      .join(''),
    {
      mode: 0o600,
    },
  );
  try {
    await promisify(execFile)(MOSQUITTO_PASSWD, ['-U', path], { timeout: 10_000 });
  } catch (err) {
    throw new Error(`mosquitto_passwd -U failed: ${(err as { stderr?: string }).stderr ?? String(err)}`, {
      cause: err,
    });
  }
}

export async function startMosquitto(options: MosquittoOptions = {}): Promise<Mosquitto> {
  installExitHook();
  const dir = mkdtempSync(join(tmpdir(), 'fieldgate-mosquitto-'));
  if (options.users) await writePasswordFile(join(dir, 'passwd'), options.users);
  let log = '';
  const append = (text: string) => {
    log += text;
    if (log.length > LOG_LIMIT) log = log.slice(-LOG_LIMIT);
  };
  let child: ChildProcess | undefined;

  /** One attempt on one port: resolves when it accepts connections. */
  const launch = async (port: number): Promise<void> => {
    const conf = join(dir, `mosquitto-${port}.conf`);
    writeFileSync(conf, configText(port, dir, options));
    const from = log.length;
    const proc = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'pipe'] });
    child = proc;
    live.add(proc);
    proc.unref();
    const stderr = proc.stderr;
    (stderr as net.Socket).unref();
    stderr.on('data', (c: Buffer) => append(c.toString()));
    const guard = guardPid(proc.pid);
    const exited = new Promise<void>((resolve) =>
      proc.once('exit', () => {
        live.delete(proc);
        guard?.kill('SIGKILL');
        resolve();
      }),
    );
    proc.once('error', (err) => append(`spawn error: ${err.message}\n`));
    /** Resolves true when the log (from `since`) contains `text`, false on exit or after `ms`. */
    const logged = (text: string | RegExp, since: number, ms: number) =>
      new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => done(false), ms);
        const check = () => {
          const tail = log.slice(since);
          if (typeof text === 'string' ? tail.includes(text) : text.test(tail)) done(true);
        };
        const done = (ok: boolean) => {
          clearTimeout(timer);
          stderr.off('data', check);
          resolve(ok);
        };
        stderr.on('data', check);
        void exited.then(() => done(false));
        check();
      });
    const running = await logged(/mosquitto version \S+ running/, from, START_MS);
    if (running) {
      for (let i = 0; i < CONNECT_ATTEMPTS && proc.exitCode === null; i++) {
        const socket = await probe(port);
        if (socket) {
          // The kernel completes a TCP connect before mosquitto's main loop runs; its log line for the
          // accepted connection proves the loop is serving (a SIGTERM before that point can be lost).
          const accepted = await logged(`New connection from ${HOST}:${socket.localPort}`, from, ACCEPT_MS);
          socket.destroy();
          if (accepted) return;
        }
        await sleep(CONNECT_PAUSE_MS);
      }
    }
    const ownLog = log.slice(from);
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
      await exited;
    } else await exited;
    if (/Address already in use/i.test(ownLog)) throw new AddressInUse(`port ${port} is in use:\n${ownLog}`);
    throw new Error(
      `mosquitto did not start on ${HOST}:${port} (exit ${proc.exitCode ?? proc.signalCode}):\n${ownLog}`,
    );
  };

  /** Tries `pick()` up to BIND_ATTEMPTS times while the port is in use. */
  const launchWithRetry = async (pick: () => Promise<number>): Promise<number> => {
    for (let attempt = 1; ; attempt++) {
      const port = await pick();
      try {
        await launch(port);
        return port;
      } catch (err) {
        if (!(err instanceof AddressInUse) || attempt >= BIND_ATTEMPTS) throw err;
        await sleep(CONNECT_PAUSE_MS * attempt);
      }
    }
  };

  const fixed = options.port;
  const port = await launchWithRetry(fixed === undefined ? freePort : () => Promise.resolve(fixed));

  const signal = async (sig: NodeJS.Signals): Promise<void> => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    proc.kill(sig);
    // A signal is repeated until the exit (mosquitto can miss one), then SIGKILL after the deadline.
    const again = setInterval(() => proc.kill(sig), RESIGNAL_MS);
    const timer = setTimeout(() => proc.kill('SIGKILL'), STOP_MS);
    await exited;
    clearInterval(again);
    clearTimeout(timer);
  };

  return {
    port,
    url: `${options.tls ? 'mqtts' : 'mqtt'}://${HOST}:${port}`,
    stop: () => signal('SIGTERM'),
    kill: () => signal('SIGKILL'),
    restart: async () => {
      await signal('SIGTERM');
      await launchWithRetry(() => Promise.resolve(port));
    },
    log: () => log,
  };
}
