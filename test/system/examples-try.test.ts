/**
 * The "Try it on one machine" steps of the shipped examples, followed as a new user would: each
 * command line of the example's header is run as it is written (the built `fieldgate` for `npx
 * fieldgate`, mbpoll where it is installed), with two changes only: /tmp/ becomes a fresh directory
 * and the example's fixed ports become free ones (so parallel runs cannot collide). Then the data
 * must arrive where the steps say it does.
 */
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { closeClient, modbusClient } from '../helpers/clients.js';
import { runCommand, startDaemon, type Daemon } from '../helpers/daemon.js';
import { until } from '../helpers/gateway.js';
import { freePorts } from '../helpers/raw-peers.js';
import { freeThePorts, substitute, tryItSteps } from '../helpers/try-it.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const installed = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).status === 0;
const HAS_MBPOLL = installed('mbpoll');
const HAS_SOCAT = installed('socat');
const HAS_TLS_TOOLS = installed('openssl') && existsSync('/usr/bin/python3');

type Child = Pick<Daemon, 'child' | 'exited'>;
const children: Child[] = [];
afterEach(async () => {
  for (const c of children.splice(0).reverse()) {
    if (c.child.exitCode !== null || c.child.signalCode !== null) continue;
    c.child.kill('SIGTERM');
    const killed = setTimeout(() => c.child.kill('SIGKILL'), 5000);
    await c.exited;
    clearTimeout(killed);
  }
});

interface Run {
  /** The ports the steps use, each mapped to a free one. */
  readonly ports: Map<string, number>;
  readonly dir: string;
  /** stdout of each mbpoll and `fieldgate status` step, by line. */
  readonly out: Map<string, string>;
}

function mbpoll(args: string[]): Promise<{ code: number; stdout: string }> {
  return new Promise((resolve) => {
    execFile('mbpoll', args, { timeout: 15_000 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number((err as { code?: unknown }).code ?? 1) : 0, stdout: `${stdout}${stderr}` }),
    );
  });
}

/** Runs the steps; `ready` waits (bounded) until the data has arrived before the first read. */
async function follow(
  example: string,
  fixedPorts: string[],
  ready: (port: (p: string) => number) => Promise<void>,
  /** What the steps say to do first, in the run's directory (which stands for /tmp/). */
  prepare?: (dir: string) => void,
): Promise<Run> {
  const free = await freePorts(fixedPorts.length);
  const run: Run = {
    ports: new Map(fixedPorts.map((p, i) => [p, free[i] as number])),
    dir: mkdtempSync(join(tmpdir(), 'fieldgate-try-')),
    out: new Map(),
  };
  const port = (p: string) => run.ports.get(p) as number;
  prepare?.(run.dir);
  let readied = false;
  for (const { line, background } of tryItSteps(example)) {
    const command = substitute(line, run);
    const words = command.split(/\s+/);
    if (line.startsWith('npx fieldgate ')) {
      const args = words.slice(2);
      if (args[0] === 'run') {
        const config = args[args.indexOf('-c') + 1] ?? '';
        expect(config.startsWith(run.dir), `"${line}" runs a copy the steps made for this machine, not ${config}`).toBe(
          true,
        );
        expect(readFileSync(config, 'utf8'), 'the copy listens on loopback only').not.toMatch(/0\.0\.0\.0/);
      }
      if (background) {
        const d = startDaemon(args);
        children.push(d);
        if (args[0] === 'run') await d.waitFor((l) => l['msg'] === 'started');
        else await until(() => /connected|listening|serial port open/.test(d.stderr()), 10_000, `"${line}" to start`);
      } else {
        const r = await runCommand(args);
        expect(r.code, `"${line}": ${r.stderr}`).toBe(0);
        run.out.set(line, r.stdout);
      }
    } else if (words[0] === 'mbpoll') {
      if (!readied) await ready(port);
      readied = true;
      if (!HAS_MBPOLL) continue; // the data was checked by `ready` with modbus-serial
      const r = await mbpoll(words.slice(1));
      expect(r.code, `"${line}":\n${r.stdout}`).toBe(0);
      run.out.set(line, r.stdout);
    } else if (words[0] === 'kill') {
      continue; // the test stops what it started
    } else if (background) {
      // a tool that runs until stopped (socat's virtual serial cable): up once the files it makes exist
      const child = spawn(words[0] as string, words.slice(1), { cwd: ROOT, stdio: 'ignore' });
      children.push({ child, exited: new Promise((resolve) => child.on('exit', resolve)) });
      const made = [...command.matchAll(/link=([^,\s]+)/g)].map((m) => m[1] as string);
      await until(() => made.every((f) => existsSync(f)), 10_000, `"${line}" to make ${made.join(', ')}`);
    } else {
      const r = spawnSync('bash', ['-c', command], { cwd: ROOT, encoding: 'utf8', timeout: 10_000 });
      expect(r.status, `"${line}": ${r.stderr}`).toBe(0);
      run.out.set(line, r.stdout);
      // the files it made (not the virtual cable's pty links, which a read would block on)
      const made = readdirSync(run.dir)
        .map((f) => join(run.dir, f))
        .filter((f) => lstatSync(f).isFile());
      for (const f of made) writeFileSync(f, freeThePorts(readFileSync(f, 'utf8'), run));
    }
  }
  return run;
}

/** mbpoll's `[ref]: value` lines. */
function polled(out: string | undefined): Map<number, number> {
  return new Map([...(out ?? '').matchAll(/\[(\d+)\]:\s+(-?\d+)/g)].map((m) => [Number(m[1]), Number(m[2])]));
}

describe('"Try it on one machine", as written', () => {
  it('fpga-decoded.yaml: two simulated boards stream into their banks; SCADA reads them; status shows the points', async () => {
    const run = await follow('fpga-decoded.yaml', ['7001', '7002', '1502', '8081'], async (port) => {
      const scada = await modbusClient(port('1502'));
      try {
        const deadline = Date.now() + 10_000;
        for (;;) {
          scada.setID(1);
          const seq = (await scada.readInputRegisters(0, 2)).data;
          scada.setID(2);
          const running = (await scada.readDiscreteInputs(0, 1)).data[0];
          if ((seq[0] ?? 0) + (seq[1] ?? 0) > 0 && running === true) break;
          if (Date.now() > deadline) throw new Error("the boards' frames did not arrive in their banks within 10 s");
          await new Promise((r) => setTimeout(r, 50));
        }
      } finally {
        await closeClient(scada);
      }
    });
    if (HAS_MBPOLL) {
      const [board1, board2] = [...run.out.entries()]
        .filter(([l]) => l.startsWith('mbpoll'))
        .map(([, out]) => polled(out));
      expect(board1?.get(8), 'ch6, a constant 1.5 V').toBe(150);
      expect(((board1?.get(9) ?? 0) << 16) >> 16, 'ch7, a constant -2.25 V (mbpoll shows it unsigned)').toBe(-225);
      expect([board2?.get(1), board2?.get(2), board2?.get(3)], 'running, fault, overtemp').toEqual([1, 0, 0]);
    }
    const status = [...run.out.entries()].find(([l]) => l.startsWith('npx fieldgate status'))?.[1] ?? '';
    expect(status).toMatch(/^board1\s+seq\s+input 0\s+uint32\s+\d+\s+\d+s ago$/m);
    expect(status).toMatch(/^board2\s+running\s+discrete 0\s+bool\s+true\s+\d+s ago$/m);
  });

  it('omron-pool.yaml: two simulated presses push their blocks, each on its port; status shows who holds which port', async () => {
    const run = await follow('omron-pool.yaml', ['9601', '9602', '1502', '8081'], async (port) => {
      const scada = await modbusClient(port('1502'), 2);
      try {
        const deadline = Date.now() + 10_000;
        while ((await scada.readHoldingRegisters(4, 1)).data[0] === 0) {
          if (Date.now() > deadline) throw new Error("press 2's block did not arrive within 10 s");
          await new Promise((r) => setTimeout(r, 50));
        }
      } finally {
        await closeClient(scada);
      }
    });
    if (HAS_MBPOLL) {
      const press2 = polled([...run.out.entries()].find(([l]) => l.startsWith('mbpoll'))?.[1]);
      expect([1, 2]).toContain(press2.get(5)); // state: running or stopped
      expect(press2.get(6), 'recipe "PA" of PART-A').toBe(0x5041);
    }
    const status = [...run.out.entries()].find(([l]) => l.startsWith('npx fieldgate status'))?.[1] ?? '';
    for (const p of ['9601', '9602'])
      expect(status).toMatch(
        new RegExp(`^presses\\s+${run.ports.get(p)}\\s+127\\.0\\.0\\.1\\s+#\\d+\\s+127\\.0\\.0\\.1:\\d+`, 'm'),
      );
  });

  it.skipIf(!HAS_SOCAT)(
    "rs485-gateway.yaml: a simulated RTU instrument on a virtual cable is polled and routed; status shows unit 2's poll stale",
    async () => {
      const run = await follow('rs485-gateway.yaml', ['1502', '8081'], async (port) => {
        const scada = await modbusClient(port('1502'), 1);
        try {
          const deadline = Date.now() + 15_000;
          // onStale: exception: unit 1's copy answers 0B until its first poll is in
          while (((await scada.readHoldingRegisters(4, 1).catch(() => ({ data: [0] }))).data[0] ?? 0) === 0) {
            if (Date.now() > deadline) throw new Error('the poll of unit 1 did not fill the bank within 15 s');
            await new Promise((r) => setTimeout(r, 100));
          }
        } finally {
          await closeClient(scada);
        }
      });
      if (HAS_MBPOLL) {
        const [copy, direct] = [...run.out.entries()]
          .filter(([l]) => l.startsWith('mbpoll'))
          .map(([, out]) => polled(out));
        expect([1, 2], 'state, polled').toContain(copy?.get(5));
        expect([1, 2], 'state, from the instrument itself').toContain(direct?.get(5));
        expect(copy?.get(6), 'recipe "PA" of PART-A, polled').toBe(0x5041);
        expect(direct?.get(6), 'recipe "PA" of PART-A, routed').toBe(0x5041);
      }
      const status = [...run.out.entries()].find(([l]) => l.startsWith('npx fieldgate status'))?.[1] ?? '';
      expect(status).toMatch(/^rs485\s+1\s+holding 0\.\.12\s+meters\.holding\[0\]\s+1s\s+\d+s ago\s+no\s+-$/m);
      expect(status).toMatch(/^rs485\s+2\s+input 0\s+meters\.holding\[20\]\s+5s\s+never\s+yes\s/m);
    },
    40_000,
  );

  it.skipIf(!HAS_TLS_TOOLS)(
    "modbus-security.yaml: README's openssl lines make the certificates; a Viewer reads and may not write, an Operator writes, no certificate is closed",
    async () => {
      const run = await follow(
        'modbus-security.yaml',
        ['8802', '1502', '8081'],
        () => Promise.resolve(),
        (dir) => {
          // README "Security", its worked example: the sh block's lines, less the install into /etc
          const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
          const at = readme.indexOf('A worked example with openssl');
          expect(at, 'README shows how to make the certificates').toBeGreaterThan(0);
          const block = /```sh\n([\s\S]*?)```/.exec(readme.slice(at))?.[1] ?? '';
          const script = block
            .split('\n')
            .filter((l) => !l.startsWith('sudo '))
            .join('\n');
          mkdirSync(join(dir, 'mbs'));
          const r = spawnSync('bash', ['-e', '-c', script], {
            cwd: join(dir, 'mbs'),
            encoding: 'utf8',
            timeout: 30_000,
          });
          expect(r.status, r.stderr).toBe(0);
          expect(r.stdout, 'the role is in the operator certificate').toContain('Operator');
        },
      );
      const replies = (prefix: string) =>
        [...run.out.entries()]
          .filter(([l]) => l.startsWith('python3') && l.includes(prefix))
          .map(([, out]) => JSON.parse(out) as { replies: string[]; closed: boolean; error: string | null });
      const [viewer] = replies('viewer.pem');
      expect(viewer?.replies, 'Viewer: FC3 served (4 registers), FC6 answered 01').toEqual([
        '030804b0054600000007',
        '8601',
      ]);
      const [operator] = replies('operator.pem');
      expect(operator?.replies, 'Operator: FC6 written (echoed)').toEqual(['0600000001']);
      const [none] = replies(' - - ');
      expect(none?.replies, 'no certificate: nothing answered').toEqual([]);
      expect(none?.error ?? (none?.closed ? 'closed' : null), 'no certificate: refused').not.toBeNull();
      const status = [...run.out.entries()].find(([l]) => l.startsWith('npx fieldgate status'))?.[1] ?? '';
      expect(status).toMatch(/^secure\s/m);
    },
    40_000,
  );
});
