/**
 * config/examples/sparkplug-fleet.yaml's "Try it on one machine" steps, followed as a new user would
 * (as test/system/examples-try.test.ts follows the other examples'): each command line is run as it
 * is written, with /tmp/ a fresh directory and the fixed ports free ones. Debian's mosquitto and
 * mosquitto_sub are the broker and the subscriber (the subscriber's terminal is a file here), mbpoll
 * is the HMI, the built `fieldgate` is `npx fieldgate`, and `kill %N` stops the N-th step started in
 * the background. Then what the steps promise must hold: the subscriber prints NBIRTH, the DBIRTH of
 * commissioning (meters, with no bus, is never born), a DDATA of commissioning after mbpoll's write and
 * NDEATH when fieldgate stops; `fieldgate status` shows MQTT online with 1 birth and meters' source gone.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runCommand, startDaemon } from '../helpers/daemon.js';
import { until } from '../helpers/gateway.js';
import { freePorts } from '../helpers/raw-peers.js';
import { freeThePorts, substitute, tryItSteps, type TryItRun } from '../helpers/try-it.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLE = 'sparkplug-fleet.yaml';
/** The broker's, SCADA's Modbus port and the status endpoint's. */
const FIXED_PORTS = ['1883', '1502', '8081'];
/** Bounds for what a loaded 2-core machine may take (the daemon alone takes about a second to start). */
const UP_MS = 15_000;
const STOP_MS = 10_000;

/** A step started in the background: the shell's %1, %2, ... in the order the steps start them. */
interface Job {
  readonly line: string;
  readonly child: ChildProcess;
  readonly exited: Promise<unknown>;
  /** What it printed on stdout (a file: the terminal) and on stderr (kept). */
  readonly out: string;
  err(): string;
}

const jobs: Job[] = [];
afterEach(async () => {
  for (const j of jobs.splice(0).reverse()) {
    if (j.child.exitCode !== null || j.child.signalCode !== null) continue;
    j.child.kill('SIGTERM');
    const killed = setTimeout(() => j.child.kill('SIGKILL'), 5000);
    await j.exited;
    clearTimeout(killed);
  }
});

const exitedPromise = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

/** A tool that runs until stopped, as the shell runs it (its quoting), stdout into a file. */
function startTool(line: string, command: string, out: string): Job {
  const fd = openSync(out, 'w');
  const child = spawn('bash', ['-c', `exec ${command}`], { cwd: ROOT, stdio: ['ignore', fd, 'pipe'] });
  closeSync(fd);
  let err = '';
  child.stderr?.on('data', (c: Buffer) => (err = (err + c.toString()).slice(-64 * 1024)));
  return { line, child, exited: exitedPromise(child), out, err: () => err };
}

function mbpoll(args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile('mbpoll', args, { timeout: 15_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout: `${stdout}${stderr}` }),
    );
  });
}

describe('"Try it on one machine", as written, with Debian\'s mosquitto', () => {
  it('sparkplug-fleet.yaml: the subscriber sees NBIRTH, DBIRTH and DDATA of commissioning, no meters, NDEATH; status shows MQTT online', async () => {
    const free = await freePorts(FIXED_PORTS.length);
    const run: TryItRun = {
      ports: new Map(FIXED_PORTS.map((p, i) => [p, free[i] as number])),
      dir: mkdtempSync(join(tmpdir(), 'fieldgate-try-')),
    };
    const port = (p: string) => run.ports.get(p) as number;
    const jobOf = (tool: string) => jobs.find((j) => j.line.split(/\s+/)[0] === tool);
    /** What the subscriber has printed so far (its terminal). */
    const printed = () => {
      const sub = jobOf('mosquitto_sub');
      return sub ? readFileSync(sub.out, 'utf8') : '';
    };
    const seen = (what: string, re: RegExp, from = 0) =>
      until(() => re.test(printed().slice(from)), UP_MS, `the subscriber printing ${what}`).catch((e: Error) => {
        throw new Error(`${e.message}; it printed:\n${printed()}`);
      });
    const topic = (kind: string, device?: string) =>
      new RegExp(`^spBv1\\.0/plant1/${kind}/line3-pi${device ? `/${device}` : ''} \\d+ bytes$`, 'm');
    let beforeWrite = -1;
    let status = '';
    let copy = '';

    const steps = tryItSteps(EXAMPLE);
    expect(steps.map((s) => s.line.split(/\s+/).slice(0, 2).join(' '))).toEqual([
      'mosquitto -p',
      'mosquitto_sub -h',
      'sed -e',
      'npx fieldgate',
      'mbpoll -m',
      'npx fieldgate',
      'kill %3',
      'kill %2',
    ]);
    for (const { line, background } of steps) {
      const command = substitute(line, run);
      const words = command.split(/\s+/);
      if (words[0] === 'npx' && words[1] === 'fieldgate') {
        const args = words.slice(2);
        if (args[0] === 'run') {
          expect(background, `"${line}" runs in the background`).toBe(true);
          const d = startDaemon(args);
          jobs.push({ line, child: d.child, exited: d.exited, out: '', err: d.stderr });
          await d.waitFor((l) => l['msg'] === 'started', UP_MS);
        } else {
          // what the steps promise by now: the mbpoll write went out as a DDATA
          await seen('a DDATA of commissioning after the write', topic('DDATA', 'commissioning'), beforeWrite);
          const r = await runCommand(args);
          expect(r.code, `"${line}": ${r.stderr}`).toBe(0);
          status = r.stdout;
        }
      } else if (words[0] === 'mbpoll') {
        // a user writes once the births are on the screen
        await seen('NBIRTH', topic('NBIRTH'));
        await seen('the DBIRTH of commissioning', topic('DBIRTH', 'commissioning'));
        beforeWrite = printed().length;
        const r = await mbpoll(words.slice(1));
        expect(r.code, `"${line}":\n${r.stdout}`).toBe(0);
        expect(r.stdout).toContain('Written 1 references');
      } else if (words[0] === 'kill') {
        const targets = words.slice(1).map((w) => {
          const n = /^%(\d+)$/.exec(w);
          const job = n ? jobs[Number(n[1]) - 1] : undefined;
          expect(job, `"${line}": ${w} is a job the steps started`).toBeDefined();
          return job as Job;
        });
        // the subscriber is stopped once the NDEATH is on its screen (a user types the next line then)
        if (targets.some((j) => j === jobOf('mosquitto_sub'))) await seen('NDEATH', topic('NDEATH'));
        for (const j of targets) j.child.kill('SIGTERM');
        for (const j of targets)
          await Promise.race([
            j.exited,
            new Promise((_, reject) =>
              setTimeout(() => reject(new Error(`"${j.line}" did not stop within ${STOP_MS} ms`)), STOP_MS),
            ),
          ]);
      } else if (background) {
        const job = startTool(line, command, join(run.dir, `job${jobs.length + 1}.out`));
        const broker = jobOf('mosquitto');
        const clientsBefore = broker?.err().match(/New client connected/g)?.length ?? 0;
        jobs.push(job);
        const up = () => {
          expect(job.child.exitCode, `"${line}" exited: ${job.err()}`).toBeNull();
          return words[0] === 'mosquitto'
            ? / running$/m.test(job.err()) // its listener is open
            : (broker?.err().match(/New client connected/g)?.length ?? 0) > clientsBefore; // the broker has it
        };
        await until(up, UP_MS, `"${line}" to be up`);
      } else {
        const r = spawnSync('bash', ['-c', command], { cwd: ROOT, encoding: 'utf8', timeout: 10_000 });
        expect(r.status, `"${line}": ${r.stderr}`).toBe(0);
        const made = />\s*(\S+)$/.exec(command)?.[1] ?? '';
        expect(made.startsWith(`${run.dir}/`), `"${line}" makes a file in this run's directory`).toBe(true);
        expect(existsSync(made)).toBe(true);
        copy = freeThePorts(readFileSync(made, 'utf8'), run);
        writeFileSync(made, copy);
        // the copy is for this machine: loopback only, its store in the run's directory
        expect(copy).not.toMatch(/0\.0\.0\.0|10\.0\.0\.|username:|passwordFile:|primaryHost:|\/var\/lib/);
        expect(copy).toContain(`url: mqtt://127.0.0.1:${port('1883')}`);
        expect(copy).toContain(`listen: 127.0.0.1:${port('1502')}`);
        expect(copy).toContain(`dir: ${run.dir}/fieldgate-mqtt`);
      }
    }
    expect(copy, 'the sed step made the copy').not.toBe('');

    // the subscriber, stopped by the last step: births, the write's DDATA, NDEATH last; meters never born
    const out = printed();
    const lines = out.trim().split('\n');
    expect(lines[0]).toMatch(topic('NBIRTH'));
    expect(out).toMatch(topic('DBIRTH', 'commissioning'));
    expect(out.slice(0, beforeWrite), 'no DDATA before the write').not.toMatch(/\/DDATA\//);
    expect(out.slice(beforeWrite)).toMatch(topic('DDATA', 'commissioning'));
    expect(out, 'meters has no bus: never born').not.toMatch(/\/DBIRTH\/line3-pi\/meters /);
    expect(out).not.toMatch(/\/DDATA\/line3-pi\/meters /);
    expect(lines.at(-1)).toMatch(topic('NDEATH'));
    expect(
      lines.filter((l) => /\/NBIRTH\//.test(l)),
      'one session',
    ).toHaveLength(1);

    // `fieldgate status`: MQTT online on the broker of the copy, births 1, meters' source gone
    expect(status).toMatch(/^MQTT \(sparkplug-b, bdSeq \d+\)$/m);
    expect(status).toMatch(new RegExp(`^mqtt://127\\.0\\.0\\.1:${port('1883')}\\s+online\\s+1\\s`, 'm'));
    expect(status).toMatch(/^banks whose source is gone \(DDEATH\): meters$/m);
  }, 90_000);
});
