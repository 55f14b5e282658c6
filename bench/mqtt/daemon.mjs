// Processes of the mqtt section: fieldgate with a generated config, its /status, and the
// subscriber (bench/mqtt/subscriber.mjs) driven by signals. All started through lib/proc.mjs.
import { writeFile } from 'node:fs/promises';
import http from 'node:http';
import path from 'node:path';

import { waitForPort } from '../lib/net.mjs';
import { startProcess } from '../lib/proc.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** bin/fieldgate.js run -c <file>, as deployed (its shebang's node flags), cwd tmp. */
export async function startFieldgate(ctx, tmp, tag, yamlText, { cpu, extraArgs = [] } = {}) {
  const bin = ctx.opts.fieldgate ?? path.join(ctx.root, 'bin', 'fieldgate.js');
  const file = path.join(tmp, `${tag}.yaml`);
  await writeFile(file, yamlText);
  if (extraArgs.length)
    return startProcess(`fieldgate ${tag}`, process.execPath, [...extraArgs, bin, 'run', '-c', file], {
      cpu,
      cwd: tmp,
    });
  return startProcess(`fieldgate ${tag}`, bin, ['run', '-c', file], { cpu, cwd: tmp });
}

/** GET http://127.0.0.1:port/status as JSON (bounded: 5 s). */
export function statusOf(port) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/status', timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => {
        try {
          resolve(JSON.parse(body));
        } catch (e) {
          reject(e);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('status: no answer within 5 s')));
    req.on('error', reject);
  });
}

/** Waits (bounded) for the status endpoint and, with `mqtt`, for mqtt.state online. */
export async function waitReady(proc, statusPort, { mqtt, timeoutMs = 60000 }) {
  const deadline = performance.now() + timeoutMs;
  await waitForPort(statusPort, { timeoutMs, proc });
  if (!mqtt) return statusOf(statusPort);
  for (;;) {
    const s = await statusOf(statusPort);
    if (s.mqtt?.state === 'online') return s;
    if (proc.exit) throw new Error(`${proc.name} exited: ${proc.stderr().trim().slice(-300)}`);
    if (performance.now() > deadline)
      throw new Error(
        `${proc.name}: mqtt not online within ${timeoutMs} ms (state ${s.mqtt?.state}, ${s.mqtt?.lastError})`,
      );
    await sleep(50);
  }
}

/** The subscriber process: events as they come, start()/stop() windows by signal. */
export async function startSubscriber(ctx, url, { cpu } = {}) {
  const proc = startProcess('subscriber', process.execPath, [path.join(ctx.benchDir, 'mqtt', 'subscriber.mjs'), url], {
    cpu,
    cwd: ctx.root,
  });
  const births = new Set();
  const waiters = [];
  let partial = '';
  proc.child.stdout.on('data', (chunk) => {
    partial += chunk.toString();
    const lines = partial.split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      let ev;
      try {
        ev = JSON.parse(line);
      } catch {
        continue;
      }
      if (ev.ev === 'birth' && ev.type === 'DBIRTH') births.add(ev.node);
      for (const w of [...waiters]) {
        if (!w.pred(ev)) continue;
        waiters.splice(waiters.indexOf(w), 1);
        clearTimeout(w.timer);
        w.resolve(ev);
      }
    }
  });
  const next = (pred, ms, what) =>
    new Promise((resolve, reject) => {
      const w = { pred, resolve };
      w.timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(w), 1);
        reject(new Error(`subscriber: no ${what} within ${ms} ms; stderr: ${proc.stderr().trim().slice(-300)}`));
      }, ms);
      waiters.push(w);
    });
  await next((e) => e.ev === 'ready', 15000, 'ready');
  return {
    proc,
    births,
    /** Resolves once DBIRTHs of all `nodes` were seen (bounded). */
    async bornAll(nodes, ms) {
      const deadline = performance.now() + ms;
      while (!nodes.every((n) => births.has(n))) {
        if (performance.now() > deadline)
          throw new Error(`no DBIRTH from ${nodes.filter((n) => !births.has(n)).join(', ')} within ${ms} ms`);
        await sleep(25);
      }
    },
    async start() {
      const p = next((e) => e.ev === 'started', 5000, 'window start');
      proc.child.kill('SIGUSR1');
      await p;
    },
    async stop() {
      const p = next((e) => e.ev === 'stats', 5000, 'stats');
      proc.child.kill('SIGUSR2');
      return p;
    },
  };
}
