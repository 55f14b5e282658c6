/**
 * The status endpoint's access and console API, on a real Gateway (in this process, loopback, port 0):
 * the token (Bearer and Basic, constant-time check, 401 with a Basic challenge, /health open), the
 * methods, the 4 KiB body limit, the register read API (a table that starts past 0), point writes
 * (off by default, on with writes: true; bad JSON, wrong type, out of range), the console's files
 * (types, caching, gzip, no path traversal), and the check warning for an endpoint beyond loopback.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configWarnings } from '../../src/config/describe.js';
import { loadConfigText } from '../../src/config/load.js';
import { StatusEndpoint } from '../../src/status/endpoint.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';

const TOKEN = 's3cret-Token_42';
const dir = mkdtempSync(join(tmpdir(), 'fieldgate-access-'));
const tokenFile = join(dir, 'status.token');
writeFileSync(tokenFile, `${TOKEN}\n`);

const yaml = (status: string) => `
gateway: { name: access-test }
status: ${status}
banks:
  plant:
    holding: 200
    coils: 16
    input: { start: 300, count: 10 }
    values:
      holding: { 0: [11, 22, 33], 199: 7 }
      coils: { 3: 1 }
      input: { 300: [5, 6, 7] }
    points:
      - { name: setpoint, table: holding, address: 20, type: int16 }
      - { name: level, table: holding, address: 22, type: uint32 }
      - { name: pump, table: coils, address: 2, type: bool }
      - { name: flow, table: input, address: 300, type: uint16 }
servers:
  - { name: scada, protocol: modbus, listen: 127.0.0.1:0, bank: plant }
`;

const bearer = { Authorization: `Bearer ${TOKEN}` };
const basic = (user: string, password: string) => ({
  Authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});
const jsonPost = (body: string, headers: Record<string, string> = bearer): RequestInit => ({
  method: 'POST',
  headers: { ...headers, 'Content-Type': 'application/json' },
  body,
});

let gw: RunningGateway;
let base = '';

beforeAll(async () => {
  gw = await startGateway(yaml(`{ listen: 127.0.0.1:0, tokenFile: ${tokenFile}, writes: true }`));
  base = `http://127.0.0.1:${gw.gateway.statusPort}`;
});

afterAll(async () => {
  await gw.stop();
});

describe('the token', () => {
  it('/health is open without it', async () => {
    const r = await fetch(`${base}/health`);
    expect(r.status).toBe(200);
    expect(await r.json()).toEqual({ ok: true, problems: [] });
  });

  it('missing: 401 with a Basic challenge, on every other page', async () => {
    for (const path of ['/status', '/metrics', '/', '/console/app.js', '/banks/plant/holding', '/events']) {
      const r = await fetch(`${base}${path}`);
      expect(r.status, path).toBe(401);
      expect(r.headers.get('www-authenticate'), path).toMatch(/^Basic realm="fieldgate"/);
    }
  });

  it('wrong: 401 (Bearer, Basic, a prefix of it, an unknown scheme), logged once per client', async () => {
    for (const headers of [
      { Authorization: 'Bearer nope' },
      { Authorization: `Bearer ${TOKEN.slice(0, -1)}` },
      { Authorization: `Bearer ${TOKEN}x` },
      basic('admin', 'nope'),
      basic(TOKEN, ''),
      { Authorization: `Token ${TOKEN}` },
      { Authorization: `Basic ${Buffer.from(TOKEN).toString('base64')}` },
    ]) {
      const r = await fetch(`${base}/status`, { headers });
      expect(r.status, headers.Authorization).toBe(401);
    }
    const refused = gw.captured.events('status endpoint: request without the token refused');
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused[0]).toMatchObject({ client: '127.0.0.1', path: '/status' });
  });

  it('right: Bearer, or Basic with any user and the token as password', async () => {
    for (const headers of [bearer, basic('admin', TOKEN), basic('', TOKEN)]) {
      const r = await fetch(`${base}/status`, { headers });
      expect(r.status).toBe(200);
      expect(((await r.json()) as { gateway: string }).gateway).toBe('access-test');
    }
  });
});

describe('methods and limits', () => {
  it('POST where only GET is taken: 405 with Allow; PUT anywhere: 405', async () => {
    const r = await fetch(`${base}/status`, { method: 'POST', headers: bearer, body: 'x' });
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('GET, HEAD');
    const p = await fetch(`${base}/banks/plant/points/setpoint`, { method: 'PUT', headers: bearer, body: '{}' });
    expect(p.status).toBe(405);
    expect(p.headers.get('allow')).toBe('POST');
  });

  it('a body past 4 KiB: 413, and nothing is written', async () => {
    const big = JSON.stringify({ value: 5, pad: 'x'.repeat(5000) });
    const r = await fetch(`${base}/banks/plant/points/setpoint`, jsonPost(big));
    expect(r.status).toBe(413);
    expect(gw.gateway.banks.get('plant')!.holding![20]).toBe(0);
  });

  it('a body past 4 KiB sent in chunks without a length: 413', async () => {
    const port = gw.gateway.statusPort;
    const reply = await new Promise<string>((resolve) => {
      const s = net.connect({ port, host: '127.0.0.1' });
      let got = '';
      s.on('data', (d: Buffer) => (got += d.toString()));
      s.on('close', () => resolve(got));
      s.on('error', () => undefined);
      s.write(
        `POST /banks/plant/points/setpoint HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${TOKEN}\r\n` +
          'Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
      );
      for (let i = 0; i < 6; i++) s.write(`400\r\n${'y'.repeat(0x400)}\r\n`);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 413 /);
  });
});

describe('GET /banks/<bank>/<table>', () => {
  const get = async (path: string) => {
    const r = await fetch(`${base}${path}`, { headers: bearer });
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };

  it('raw registers from start, count of them', async () => {
    expect(await get('/banks/plant/holding?start=0&count=4')).toEqual({
      status: 200,
      body: { bank: 'plant', table: 'holding', start: 0, count: 4, values: [11, 22, 33, 0] },
    });
    const last = await get('/banks/plant/holding?start=198&count=2');
    expect(last.body['values']).toEqual([0, 7]);
  });

  it('bits as 0/1; without count as many as fit (at most 125 registers)', async () => {
    const coils = await get('/banks/plant/coils');
    expect(coils.body).toMatchObject({ start: 0, count: 16 });
    expect((coils.body['values'] as number[]).slice(0, 4)).toEqual([0, 0, 0, 1]);
    expect((await get('/banks/plant/holding')).body['count']).toBe(125);
  });

  it('a table that starts at 300: its own addresses, below them 400', async () => {
    expect((await get('/banks/plant/input?start=300&count=3')).body).toMatchObject({ start: 300, values: [5, 6, 7] });
    expect((await get('/banks/plant/input')).body).toMatchObject({ start: 300, count: 10 });
    const below = await get('/banks/plant/input?start=0&count=1');
    expect(below.status).toBe(400);
    expect(below.body['error']).toContain('300..309');
  });

  it('bad ranges 400, unknown bank or table 404', async () => {
    expect((await get('/banks/plant/holding?start=199&count=2')).status).toBe(400);
    expect((await get('/banks/plant/holding?count=126')).status).toBe(400);
    expect((await get('/banks/plant/coils?count=2001')).status).toBe(400);
    expect((await get('/banks/plant/holding?count=0')).status).toBe(400);
    expect((await get('/banks/plant/holding?start=-1')).status).toBe(400);
    expect((await get('/banks/plant/holding?start=abc')).status).toBe(400);
    expect((await get('/banks/nope/holding')).status).toBe(404);
    expect((await get('/banks/plant/discrete')).status).toBe(404);
  });
});

describe('POST /banks/<bank>/points/<point>', () => {
  const post = async (point: string, body: string, headers?: Record<string, string>) => {
    const r = await fetch(`${base}/banks/plant/points/${point}`, jsonPost(body, headers));
    return { status: r.status, body: (await r.json()) as Record<string, unknown> };
  };
  const holding = () => gw.gateway.banks.get('plant')!.holding!;

  it('writes a point (a bank register reads it back) and logs it with the client address', async () => {
    expect(await post('setpoint', '{"value": -5}')).toEqual({ status: 200, body: { ok: true } });
    expect(holding()[20]).toBe(0xfffb);
    expect(await post('level', '{"value": 70000}')).toEqual({ status: 200, body: { ok: true } });
    expect([holding()[22], holding()[23]]).toEqual([1, 70000 - 65536]);
    expect(await post('pump', '{"value": true}')).toEqual({ status: 200, body: { ok: true } });
    expect(gw.gateway.banks.get('plant')!.coils![2]).toBe(1);
    const logged = gw.captured.events('status endpoint: point written');
    expect(logged[0]).toMatchObject({ client: '127.0.0.1', bank: 'plant', point: 'setpoint', value: -5 });
    expect(logged[0]!['level']).toBe(30);
  });

  it('bad JSON, no value, wrong type, out of range: 400 with the reason; nothing written', async () => {
    await post('setpoint', '{"value": 1}');
    const bad = await post('setpoint', '{"value": ');
    expect(bad.status).toBe(400);
    expect(bad.body['error']).toMatch(/not JSON/);
    expect((await post('setpoint', '{"v": 1}')).body['error']).toMatch(/no value/);
    expect((await post('setpoint', '[1]')).status).toBe(400);
    expect((await post('setpoint', '{"value": "high"}')).body['error']).toMatch(/not a number/);
    expect((await post('setpoint', '{"value": null}')).status).toBe(400);
    const range = await post('setpoint', '{"value": 40000}');
    expect(range.status).toBe(400);
    expect(range.body['error']).toMatch(/setpoint/);
    expect(holding()[20]).toBe(1);
    expect((await post('flow', '{"value": 1}')).body['error']).toMatch(/read-only/);
    expect((await post('nope', '{"value": 1}')).status).toBe(404);
    const refused = gw.captured.events('status endpoint: point write refused');
    expect(refused.length).toBeGreaterThanOrEqual(1);
    expect(refused[0]).toMatchObject({ client: '127.0.0.1', point: 'setpoint' });
  });

  it('not as JSON (what a cross-site form could send): 415; without the token: 401', async () => {
    const form = await fetch(`${base}/banks/plant/points/setpoint`, {
      method: 'POST',
      headers: { ...bearer, 'Content-Type': 'text/plain' },
      body: '{"value": 9}',
    });
    expect(form.status).toBe(415);
    expect((await post('setpoint', '{"value": 9}', {})).status).toBe(401);
    expect(holding()[20]).not.toBe(9);
  });

  it('writes off (the default): 403 with the reason', async () => {
    const off = await startGateway(yaml(`{ listen: 127.0.0.1:0, tokenFile: ${tokenFile} }`));
    try {
      const r = await fetch(
        `http://127.0.0.1:${off.gateway.statusPort}/banks/plant/points/setpoint`,
        jsonPost('{"value": 3}'),
      );
      expect(r.status).toBe(403);
      expect(((await r.json()) as { error: string }).error).toMatch(/writes are off/);
      expect(off.gateway.banks.get('plant')!.holding![20]).toBe(0);
    } finally {
      await off.stop();
    }
  });
});

describe('the console files', () => {
  const assets = mkdtempSync(join(tmpdir(), 'fieldgate-console-'));
  const big = `export const rows = [${Array.from({ length: 400 }, (_, i) => i).join(', ')}];\n`;
  writeFileSync(join(assets, 'index.html'), '<!doctype html><title>t</title>\n');
  writeFileSync(join(assets, 'app.js'), big);
  writeFileSync(join(assets, 'style.css'), 'body { color: red }\n');
  writeFileSync(join(dir, 'secret.txt'), 'not for you\n');
  let endpoint: StatusEndpoint;
  let url = '';

  beforeAll(async () => {
    endpoint = new StatusEndpoint(gw.gateway, gw.captured.log, { consoleDir: assets });
    await endpoint.open({ listen: { host: '127.0.0.1', port: 0 }, writes: false });
    url = `http://127.0.0.1:${endpoint.port}`;
  });
  afterAll(() => endpoint.close());

  it('GET / is index.html, revalidated every time; assets have their types and a max-age', async () => {
    const index = await fetch(`${url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await index.text()).toContain('<title>t</title>');
    const css = await fetch(`${url}/console/style.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(css.headers.get('cache-control')).toMatch(/max-age=\d+/);
    const again = await fetch(`${url}/console/style.css`, { headers: { 'If-None-Match': css.headers.get('etag')! } });
    expect(again.status).toBe(304);
  });

  it('gzip when accepted and the file is over 1 KiB; small files and other clients get it plain', async () => {
    const raw = await rawGet(endpoint.port, '/console/app.js', 'Accept-Encoding: gzip, br\r\n');
    expect(raw.headers['content-encoding']).toBe('gzip');
    expect(raw.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(raw.body.length).toBeLessThan(big.length);
    expect(gunzipSync(raw.body).toString()).toBe(big);
    const plain = await rawGet(endpoint.port, '/console/app.js', '');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(big);
    const refused = await rawGet(endpoint.port, '/console/app.js', 'Accept-Encoding: gzip;q=0\r\n');
    expect(refused.headers['content-encoding']).toBeUndefined();
    const small = await rawGet(endpoint.port, '/console/style.css', 'Accept-Encoding: gzip\r\n');
    expect(small.headers['content-encoding']).toBeUndefined();
  });

  it('no path traversal: .., encoded dots and slashes, absolute paths, hidden files: 404', async () => {
    for (const path of [
      '/console/../package.json',
      '/console/..%2fpackage.json',
      '/console/%2e%2e/package.json',
      '/console/%2e%2e%2fpackage.json',
      '/console/..\\package.json',
      `/console/${dir}/secret.txt`,
      '/console//etc/passwd',
      '/console/.hidden',
      '/console/',
      '/console/nope.js',
      '/console/index.html/..',
    ]) {
      const r = await rawGet(endpoint.port, path, '');
      expect(r.status, path).toBe(404);
      expect(r.body.toString(), path).not.toContain('"name"');
    }
  });
});

describe('fieldgate check: an endpoint beyond loopback without a token', () => {
  const warnings = (status: string) => {
    const r = loadConfigText(`status: ${status}\n`, 'w.yaml');
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    return configWarnings(r.config);
  };

  it('warns for 0.0.0.0 and a LAN address without tokenFile, not on loopback or with a token', () => {
    expect(warnings('{ listen: 0.0.0.0:8081 }')).toEqual([expect.stringMatching(/^status\.listen: .*without a token/)]);
    expect(warnings('{ listen: 192.168.1.5:8081 }')).toHaveLength(1);
    expect(warnings("{ listen: '[::]:8081' }")).toHaveLength(1);
    expect(warnings('{ listen: 127.0.0.1:8081 }')).toEqual([]);
    expect(warnings("{ listen: '[::1]:8081' }")).toEqual([]);
    expect(warnings('{ listen: localhost:8081 }')).toEqual([]);
    expect(warnings(`{ listen: 0.0.0.0:8081, tokenFile: ${tokenFile} }`)).toEqual([]);
  });

  it('writes without tokenFile is an error at the key', () => {
    const r = loadConfigText('status:\n  listen: 127.0.0.1:8081\n  writes: true\n', 'w.yaml');
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toEqual([expect.objectContaining({ key: 'status.writes', line: 3, col: 3 })]);
  });
});

/** One GET over a raw socket: the path exactly as given (fetch would normalize it), the body undecoded. */
function rawGet(
  port: number,
  path: string,
  extra: string,
): Promise<{ status: number; headers: Record<string, string>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ port, host: '127.0.0.1' });
    const chunks: Buffer[] = [];
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', reject);
    s.on('end', () => {
      const all = Buffer.concat(chunks);
      const split = all.indexOf('\r\n\r\n');
      const head = all.subarray(0, split).toString().split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of head.slice(1)) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(head[0]?.split(' ')[1]), headers, body: all.subarray(split + 4) });
    });
    s.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n${extra}\r\n`);
  });
}
