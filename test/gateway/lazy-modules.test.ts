/**
 * What a config makes the built daemon load (memory on a small board): a daemon is run with
 * test/helpers/module-trace.mjs preloaded, which writes on exit every built-in, ES module and
 * CommonJS file the process loaded. Optional parts load only when the config uses them: mqtt.js,
 * protobufjs and src/mqtt without `mqtt:`, node:crypto without a status token, node:tls/https
 * without a certificate, node:zlib until a console file is asked for, only the four prom-client
 * files the metrics use (not its index, Pushgateway or default metrics), and `fieldgate check`'s
 * describer only in check. A reload that adds a token loads crypto then, and the token works.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCommand, startDaemon, tempFile, type Daemon } from '../helpers/daemon.js';

const TRACE = fileURLToPath(new URL('../helpers/module-trace.mjs', import.meta.url));

interface Trace {
  readonly builtins: string[];
  readonly esm: string[];
  readonly cjs: string[];
}

/**
 * The built-ins this Node's own http server loads by itself (a script file: \`node -e\` loads crypto
 * for its own use). Node 24's node:http loads undici, and with it crypto, tls and zlib: on such a
 * Node fieldgate cannot avoid them, and the checks below are about what fieldgate adds.
 */
const HTTP_LOADS: ReadonlySet<string> = new Set(
  JSON.parse(
    execFileSync(
      process.execPath,
      [
        tempFile(
          'http-only.mjs',
          "import http from 'node:http';\n" +
            "const s = http.createServer().listen(0, '127.0.0.1', () => {\n" +
            "  const list = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13));\n" +
            '  console.log(JSON.stringify(list));\n' +
            '  s.close();\n' +
            '});\n',
        ),
      ],
      { encoding: 'utf8', timeout: 10_000 },
    ),
  ) as string[],
);
/** Optional built-ins fieldgate must not load unasked, less those this Node's http loads anyway. */
const optional = (...names: string[]) => names.filter((m) => !HTTP_LOADS.has(m));

const yaml = (extra: string) => `
gateway: { name: lazy-test }
banks:
  plant: { holding: 10 }
servers:
  - { name: scada, protocol: modbus, listen: 127.0.0.1:0, bank: plant }
${extra}`;

async function traced(config: string, during?: (d: Daemon, file: string) => Promise<void>): Promise<Trace> {
  const file = tempFile('lazy.yaml', config);
  const out = join(file, '..', 'trace.json');
  const d = startDaemon(['run', '-c', file], {
    NODE_OPTIONS: `--import=${TRACE}`,
    FIELDGATE_MODULE_TRACE: out,
  });
  try {
    await d.waitFor((l) => l['msg'] === 'started');
    await during?.(d, file);
  } finally {
    d.child.kill('SIGTERM'); // also when an expectation failed: no daemon outlives its test
  }
  expect(await d.exited).toBe(0);
  return JSON.parse(readFileSync(out, 'utf8')) as Trace;
}

/** The port of the nth `status endpoint listening` line (a reload that changes the section opens it again). */
async function statusPort(d: Daemon, nth = 1): Promise<number> {
  const listening = (l: Record<string, unknown>) => l['msg'] === 'status endpoint listening';
  await d.waitFor(() => d.lines.filter(listening).length >= nth);
  return d.lines.filter(listening)[nth - 1]?.['port'] as number;
}

const get = (port: number, path: string, token?: string) =>
  fetch(`http://127.0.0.1:${port}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});

const dist = (t: Trace, part: string) => t.esm.some((u) => u.includes(`/dist/${part}`));
const pkg = (t: Trace, name: string) => t.cjs.concat(t.esm).some((p) => p.includes(`/node_modules/${name}`));

describe('fieldgate run loads what its config uses', () => {
  it('status without a token or certificate: no mqtt, crypto, tls, https, zlib, nor prom-client index', async () => {
    const t = await traced(yaml('status: { listen: 127.0.0.1:0 }'), async (d) => {
      const port = await statusPort(d);
      const metrics = await get(port, '/metrics');
      expect(metrics.status).toBe(200);
      expect(await metrics.text()).toMatch(/^fieldgate_server_up\{server="scada"\} 1$/m);
      expect((await get(port, '/status')).status).toBe(200);
    });
    expect(t.builtins).toContain('http');
    for (const m of optional('crypto', 'tls', 'https', 'zlib', 'v8')) expect(t.builtins).not.toContain(m);
    expect(dist(t, 'status/endpoint.js')).toBe(true);
    expect(dist(t, 'mqtt/start-mqtt.js')).toBe(false);
    expect(dist(t, 'config/describe.js')).toBe(false);
    expect(pkg(t, 'mqtt/')).toBe(false);
    expect(pkg(t, 'protobufjs/')).toBe(false);
    const prom = t.cjs
      .filter((p) => p.includes('/node_modules/prom-client/'))
      .map((p) => p.replace(/.*prom-client\//, ''));
    expect(prom).toEqual(
      expect.arrayContaining(['lib/registry.js', 'lib/counter.js', 'lib/gauge.js', 'lib/histogram.js']),
    );
    for (const f of ['index.js', 'lib/pushgateway.js', 'lib/defaultMetrics.js', 'lib/summary.js'])
      expect(prom).not.toContain(f);
  });

  it.skipIf(HTTP_LOADS.has('zlib'))('a console file loads zlib when it is asked for', async () => {
    const t = await traced(yaml('status: { listen: 127.0.0.1:0 }'), async (d) => {
      const res = await get(await statusPort(d), '/', undefined);
      expect(await res.text()).toContain('<html');
      expect(res.status).toBe(200);
    });
    expect(t.builtins).toContain('zlib');
  });

  it('mqtt: loads the mqtt modules (the trace sees them)', async () => {
    const dir = join(tempFile('x', ''), '..');
    const t = await traced(
      yaml(`mqtt: { url: "mqtt://127.0.0.1:1", group: lazy, banks: [plant], storeForward: { dir: ${dir}/sf } }`),
    );
    expect(dist(t, 'mqtt/start-mqtt.js')).toBe(true);
    expect(pkg(t, 'mqtt/')).toBe(true);
  });

  it('a reload that adds a token loads crypto then (if node:http did not), and the token is required', async () => {
    const tokenFile = tempFile('token', 'sesame\n');
    const t = await traced(yaml('status: { listen: 127.0.0.1:0 }'), async (d, file) => {
      const port = await statusPort(d);
      expect((await get(port, '/status')).status).toBe(200);
      writeFileSync(file, yaml(`status: { listen: "127.0.0.1:${port}", tokenFile: ${tokenFile} }`));
      d.child.kill('SIGHUP');
      await d.waitFor((l) => l['msg'] === 'reload applied');
      const again = await statusPort(d, 2);
      expect((await get(again, '/status')).status).toBe(401);
      expect((await get(again, '/status', 'sesame')).status).toBe(200);
    });
    expect(t.builtins).toContain('crypto');
  });
});

describe('fieldgate check', () => {
  it('still describes the config (its describer is loaded by check alone)', async () => {
    const file = tempFile('check.yaml', yaml(''));
    const r = await runCommand(['check', '-c', file]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`${file}: valid`);
    expect(r.stdout).toContain('scada');
  });
});
