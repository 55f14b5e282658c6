/**
 * `fieldgate status` beyond the tables: --json prints the document as it came, --watch redraws in
 * place one request at a time (the loop driven with a fake sleep), the endpoint found from the
 * configuration (its token sent as Bearer, its certificate trusted over HTTPS), and plain messages
 * with exit 78 when the configuration cannot be read or has no status.listen. A fake endpoint on
 * 127.0.0.1 answers; the built command is run.
 */
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatusDocument } from '../../src/status/document.js';
import { FieldgateError } from '../../src/errors.js';
import { renderStatus } from '../../src/status/status-report.js';
import { statusTarget } from '../../src/status/status-target.js';
import { CLEAR, watchIntervalMs, watchStatus } from '../../src/status/status-watch.js';
import { makeCerts } from '../helpers/certs.js';
import { runCommand, tempFile } from '../helpers/daemon.js';

const DOC: StatusDocument = {
  gateway: 'fake-gw',
  version: '9.9.9',
  uptimeSeconds: 12,
  startedAt: '2026-01-01T09:59:48.000Z',
  config: null,
  reload: { applied: 0, refused: 0, last: null },
  servers: [
    {
      name: 'boards',
      protocol: 'raw',
      state: 'listening',
      error: null,
      pool: false,
      ports: [{ port: 7000, address: '127.0.0.1', client: null, session: null }],
      sessions: [],
      totals: { sessionsOpened: 3, refused: 0, requests: 0, exceptions: 0, bytesIn: 10, bytesOut: 0 },
      decoded: { stored: 41, refused: 2 },
    },
  ],
  devices: [
    {
      name: 'scale',
      type: 'tcp',
      state: 'up',
      queue: 0,
      requests: 0,
      timeouts: 0,
      lastError: null,
      decoded: { stored: 7, refused: 1 },
    } as StatusDocument['devices'][number],
  ],
  banks: [],
  commands: [
    {
      name: 'capture',
      device: 'camera',
      pending: true,
      triggers: 5,
      sent: 4,
      replies: 3,
      refused: 1,
      timeouts: 0,
      dropped: 1,
      failed: 0,
      queued: 2,
    },
  ],
  mqtt: null,
  warnings: [],
};
// Spaced and key-ordered as no JSON.stringify(doc) would print it: --json must pass the text through.
const BODY = JSON.stringify(DOC, null, 1);

interface Fake {
  readonly port: number;
  readonly auth: (string | undefined)[];
  close(): Promise<void>;
}

async function listen(server: http.Server | https.Server, auth: (string | undefined)[]): Promise<Fake> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    auth,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Answers /status with BODY; with a token, only to "Bearer TOKEN" (else 401). */
function handler(auth: (string | undefined)[], token?: string): http.RequestListener {
  return (req, res) => {
    auth.push(req.headers.authorization);
    if (token !== undefined && req.headers.authorization !== `Bearer ${token}`) {
      res.writeHead(401).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(BODY);
  };
}

let plain: Fake;
let guarded: Fake;

beforeAll(async () => {
  const a: (string | undefined)[] = [];
  plain = await listen(http.createServer(handler(a)), a);
  const b: (string | undefined)[] = [];
  guarded = await listen(http.createServer(handler(b, 's3cret-token')), b);
});
afterAll(async () => {
  await plain.close();
  await guarded.close();
});

const table = (report: string, title: string) => {
  const lines = report.split('\n');
  const start = lines.indexOf(title);
  if (start < 0) throw new Error(`no ${title} in:\n${report}`);
  const end = lines.indexOf('', start);
  return lines.slice(start, end < 0 ? undefined : end);
};

describe('the report: commands and decoding', () => {
  it('prints each command with its counters and the stored/refused frames per raw server and device', () => {
    const report = renderStatus(DOC);
    expect(table(report, 'COMMANDS')).toEqual([
      'COMMANDS',
      'NAME     DEVICE  TRIGGERS  SENT  REPLIES  REFUSED  TIMEOUTS  DROPPED  FAILED  QUEUED  WAITING',
      '-------  ------  --------  ----  -------  -------  --------  -------  ------  ------  -------',
      'capture  camera         5     4        3        1         0        1       0       2  yes',
    ]);
    expect(table(report, 'DECODING')).toEqual([
      'DECODING',
      'FROM    NAME    STORED  REFUSED',
      '------  ------  ------  -------',
      'server  boards      41        2',
      'device  scale        7        1',
    ]);
  });

  it('leaves both sections out when nothing commands or decodes', () => {
    const report = renderStatus({ ...DOC, servers: [], devices: [], commands: [] });
    expect(report).not.toContain('COMMANDS');
    expect(report).not.toContain('DECODING');
  });
});

describe('fieldgate status --json', () => {
  it('prints the document exactly as the endpoint sent it', async () => {
    const r = await runCommand(['status', '--json', '--url', `127.0.0.1:${plain.port}`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${BODY}\n`);
  });

  it('is a usage error on another command', async () => {
    const r = await runCommand(['check', '--json']);
    expect(r.code).toBe(64);
    expect(r.stderr).toContain('--json is an option of fieldgate status');
  });
});

describe('fieldgate status --watch', () => {
  it('redraws in place, one request at a time, the interval waited after each answer', async () => {
    const events: string[] = [];
    let inFlight = 0;
    let most = 0;
    let n = 0;
    const frames = await watchStatus({
      frame: async () => {
        inFlight++;
        most = Math.max(most, inFlight);
        events.push(`fetch ${++n}`);
        await new Promise((r) => setImmediate(r));
        inFlight--;
        if (n === 2) throw new FieldgateError('FG_ERR_STATUS', 'connection refused');
        return `report ${n}\n`;
      },
      write: (t) => events.push(`write ${JSON.stringify(t)}`),
      sleep: (ms) => {
        events.push(`sleep ${ms}`);
        return Promise.resolve();
      },
      intervalMs: 2000,
      count: 3,
    });
    expect(frames).toBe(3);
    expect(most).toBe(1);
    expect(events).toEqual([
      'fetch 1',
      `write ${JSON.stringify(`${CLEAR}report 1\n`)}`,
      'sleep 2000',
      'fetch 2',
      `write ${JSON.stringify(`${CLEAR}fieldgate: connection refused\n`)}`,
      'sleep 2000',
      'fetch 3',
      `write ${JSON.stringify(`${CLEAR}report 3\n`)}`,
    ]);
  });

  it('stops before the next frame once stopped', async () => {
    let stop = false;
    let fetched = 0;
    const frames = await watchStatus({
      frame: () => Promise.resolve(`report ${++fetched}`),
      write: () => undefined,
      sleep: () => {
        stop = true;
        return Promise.resolve();
      },
      intervalMs: 10,
      stopped: () => stop,
    });
    expect(frames).toBe(1);
    expect(fetched).toBe(1);
  });

  it('takes SECONDS (default 2) and refuses what is not a number of seconds', () => {
    expect(watchIntervalMs(undefined)).toBe(2000);
    expect(watchIntervalMs('5')).toBe(5000);
    expect(watchIntervalMs('0.5')).toBe(500);
    expect(() => watchIntervalMs('0')).toThrow(/--watch takes seconds between 0.1 and 86400, not "0"/);
    expect(() => watchIntervalMs('x')).toThrow(FieldgateError);
  });

  it('the command clears the screen and draws the report, then keeps going until SIGINT (exit 0)', async () => {
    const { startDaemon } = await import('../helpers/daemon.js');
    const d = startDaemon(['status', '--watch', '0.2', '--url', `127.0.0.1:${plain.port}`]);
    let out = '';
    const twice = new Promise<void>((resolve) =>
      d.child.stdout!.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.split(CLEAR).length > 2) resolve();
      }),
    );
    await twice;
    d.child.kill('SIGINT');
    expect(await d.exited).toBe(0);
    const frames = out.split(CLEAR).slice(1);
    expect(frames.length).toBeGreaterThanOrEqual(2);
    expect(frames[0]).toContain('fieldgate 9.9.9 "fake-gw"');
    expect(frames[0]).toContain('COMMANDS');
  });
});

describe('fieldgate status finds the endpoint in the configuration', () => {
  it('says the configuration has no status.listen (exit 78) instead of guessing an address', async () => {
    const file = tempFile('nostatus.yaml', 'gateway: { name: x }\n');
    const r = await runCommand(['status', '-c', file]);
    expect(r.code).toBe(78);
    expect(r.stderr).toContain(
      `fieldgate: the configuration ${file} has no status.listen: fieldgate status needs the status endpoint`,
    );
    expect(r.stdout).toBe('');
  });

  it('says so when the configuration cannot be read (exit 78), also from $FIELDGATE_CONFIG', async () => {
    const missing = '/nonexistent/fieldgate.yaml';
    const r = await runCommand(['status'], { FIELDGATE_CONFIG: missing });
    expect(r.code).toBe(78);
    expect(r.stderr).toContain(`fieldgate: the configuration ${missing} cannot be read`);
    expect(r.stderr).toContain('give --url');
    const bad = tempFile('bad.yaml', 'status: { listen: [\n');
    const b = await runCommand(['status', '-c', bad]);
    expect(b.code).toBe(78);
    expect(b.stderr).toContain(`the configuration ${bad} cannot be read`);
  });

  it('sends the token of status.tokenFile as Bearer', async () => {
    const token = tempFile('status.token', 's3cret-token\n');
    const file = tempFile('c.yaml', `status: { listen: "127.0.0.1:${guarded.port}", tokenFile: ${token} }\n`);
    const r = await runCommand(['status', '-c', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('"fake-gw"');
    expect(guarded.auth.at(-1)).toBe('Bearer s3cret-token');
  });

  it('without the token, a 401 says where the token comes from (exit 1)', async () => {
    const r = await runCommand(['status', '--url', `127.0.0.1:${guarded.port}`]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('it needs a token (status.tokenFile)');
  });

  it('with --url and -c: the address from --url, the token from the configuration', async () => {
    const token = tempFile('status.token', 's3cret-token\n');
    const file = tempFile('c.yaml', `status: { listen: "127.0.0.1:1", tokenFile: ${token} }\n`);
    const r = await runCommand(['status', '-c', file, '--url', `127.0.0.1:${guarded.port}`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('says when the certificate of status.tls cannot be read', async () => {
    const file = tempFile('t.yaml', 'status: { listen: "0.0.0.0:8443", tls: { cert: a.pem, key: a.key } }\n');
    await expect(statusTarget({ config: file, configGiven: true })).rejects.toThrow(/status\.tls\.cert: cannot read/);
  });
});

describe('fieldgate status over HTTPS', () => {
  it('trusts the configured certificate (a leaf signed by a CA it was not told of), on 127.0.0.1', async () => {
    const certs = await makeCerts();
    const auth: (string | undefined)[] = [];
    const server = https.createServer(
      { cert: readFileSync(certs.server.cert), key: readFileSync(certs.server.key) },
      handler(auth),
    );
    const fake = await listen(server, auth);
    try {
      const file = tempFile(
        's.yaml',
        `status: { listen: "0.0.0.0:${fake.port}", tls: { cert: ${certs.server.cert}, key: ${certs.server.key} } }\n`,
      );
      const target = await statusTarget({ config: file, configGiven: true });
      expect(target.url).toBe(`https://127.0.0.1:${fake.port}`);
      const r = await runCommand(['status', '-c', file]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('"fake-gw"');
      // Another certificate (a new CA's) is refused.
      const other = await makeCerts();
      const wrong = tempFile(
        'w.yaml',
        `status: { listen: "127.0.0.1:${fake.port}", tls: { cert: ${other.server.cert}, key: ${other.server.key} } }\n`,
      );
      const w = await runCommand(['status', '-c', wrong]);
      expect(w.code).toBe(1);
      expect(w.stderr).toContain('its certificate is not the one trusted');
    } finally {
      await fake.close();
    }
  });
});
