// The RTU cable of the mixed section: a socat pty pair, and fieldgate's own simulated RTU slave
// (`fieldgate simulate omron-nj-press --serial`, unit 1) on one end; fieldgate gets the other.
// Both started through lib/proc.mjs; every wait is bounded and fails at once if the process exits.
import { existsSync } from 'node:fs';
import path from 'node:path';

import { startProcess } from '../lib/proc.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function until(what, check, proc, timeoutMs) {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (proc.exit) throw new Error(`${proc.name} exited (${proc.exit.code ?? proc.exit.signal}): ${proc.stderr()}`);
    if (performance.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await sleep(25);
  }
}

/** Returns { path: fieldgate's end, procs: [socat, slave] }. */
export async function startRtuCable(ctx, tmp, baud) {
  const a = path.join(tmp, 'ttyA');
  const b = path.join(tmp, 'ttyB');
  const socat = startProcess('socat', 'socat', [`pty,raw,echo=0,link=${a}`, `pty,raw,echo=0,link=${b}`]);
  await until('socat pty pair', () => existsSync(a) && existsSync(b), socat, 5000);
  const bin = ctx.opts.fieldgate ?? path.join(ctx.root, 'bin', 'fieldgate.js');
  const args = ['simulate', 'omron-nj-press', '--serial', b, '--baud', String(baud), '--parity', 'none'];
  const slave = startProcess('rtu slave', bin, args, { cwd: ctx.root });
  const said = () => `${slave.stdout()}${slave.stderr()}`.includes('serial port open');
  await until('simulated RTU slave', said, slave, 15000);
  return { path: a, procs: [socat, slave] };
}
