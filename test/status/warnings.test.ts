/**
 * The last warnings: the bounded ring of warn/error/fatal log lines (log-ring.ts), fed by the root
 * logger's hook without changing its JSON lines, shown in the status document and `fieldgate status`.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { createRootLogger, deviceLogger, serverLogger, sessionLogger } from '../../src/log.js';
import { LogRing, MAX_FIELDS, MAX_TEXT, recentWarnings, RING_CAPACITY } from '../../src/log-ring.js';
import { buildDocument, type GatewayView } from '../../src/status/document.js';
import { renderStatus } from '../../src/status/status-report.js';
import { warningLine, warningsSection } from '../../src/status/warnings.js';

function capture(): { lines: string[]; stream: { write(s: string): void } } {
  const lines: string[] = [];
  return { lines, stream: { write: (s: string) => void lines.push(s) } };
}

describe('LogRing', () => {
  it('keeps the last 50, oldest first, newest last', () => {
    const ring = new LogRing();
    for (let i = 0; i < 60; i++) ring.record(40, [{ i }, `line ${i}`]);
    const list = ring.list();
    expect(RING_CAPACITY).toBe(50);
    expect(list).toHaveLength(50);
    expect(ring.size).toBe(50);
    expect(list[0]?.msg).toBe('line 10');
    expect(list[0]?.['i']).toBe(10);
    expect(list[49]?.msg).toBe('line 59');
  });

  it('records nothing below warn, and names the levels', () => {
    const ring = new LogRing(4);
    ring.record(30, ['info']);
    ring.record(20, ['debug']);
    ring.record(40, ['w']);
    ring.record(50, ['e']);
    ring.record(60, ['f']);
    expect(ring.list().map((e) => [e.level, e.msg])).toEqual([
      ['warn', 'w'],
      ['error', 'e'],
      ['fatal', 'f'],
    ]);
  });

  it('cuts the message and string fields to 200 characters, keeps scalars only, bounds the fields', () => {
    const ring = new LogRing();
    const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}`, i]));
    ring.record(
      50,
      [
        {
          err: new Error('x'.repeat(1000)),
          note: 'y'.repeat(1000),
          obj: { deep: 1 },
          list: [1, 2],
          ok: true,
          n: null,
          ...many,
        },
        'z'.repeat(1000),
      ],
      { server: 'plc-gw', session: 7 },
    );
    const [e] = ring.list();
    expect(e).toBeDefined();
    expect(e?.msg).toHaveLength(MAX_TEXT);
    expect(e?.['err']).toHaveLength(MAX_TEXT);
    expect(String(e?.['err']).startsWith('xxx')).toBe(true);
    expect(e?.['note']).toHaveLength(MAX_TEXT);
    expect(e?.['server']).toBe('plc-gw');
    expect(e?.['session']).toBe(7);
    expect(e?.['ok']).toBe(true);
    expect(e?.['n']).toBeNull();
    expect(e).not.toHaveProperty('obj');
    expect(e).not.toHaveProperty('list');
    expect(Object.keys(e ?? {})).toHaveLength(3 + MAX_FIELDS);
    expect(JSON.stringify(e).length).toBeLessThan(4000);
  });

  it('takes an Error first, a message with format arguments, or a message alone', () => {
    const ring = new LogRing();
    ring.record(50, [new Error('boom')]);
    ring.record(40, ['port %d busy', 502]);
    ring.record(40, [{ device: 'plc' }, 'device %s down', 'plc']);
    expect(ring.list()).toEqual([
      expect.objectContaining({ level: 'error', msg: 'boom', err: 'boom' }),
      expect.objectContaining({ level: 'warn', msg: 'port 502 busy' }),
      expect.objectContaining({ level: 'warn', msg: 'device plc down', device: 'plc' }),
    ]);
  });
});

describe('the root logger feeds the ring', () => {
  it('warn/error/fatal lines of the root and of children reach it with their bindings; info and debug do not', () => {
    const ring = new LogRing();
    const { lines, stream } = capture();
    const root = createRootLogger('debug', 'line3', stream, ring);
    const server = serverLogger(root, 'presses');
    const session = sessionLogger(server, 12, '127.0.0.3:4000');
    const device = deviceLogger(root, 'plc');
    root.info('started');
    root.debug({ x: 1 }, 'details');
    server.info('listening');
    session.warn({ reason: 'bad length' }, 'protocol error');
    device.error({ err: new Error('connect ECONNREFUSED 127.0.0.1:502') }, 'device down');
    root.fatal('cannot start');
    expect(lines).toHaveLength(6);
    const list = ring.list();
    expect(list.map((e) => e.msg)).toEqual(['protocol error', 'device down', 'cannot start']);
    expect(list[0]).toMatchObject({
      level: 'warn',
      server: 'presses',
      session: 12,
      peer: '127.0.0.3:4000',
      reason: 'bad length',
    });
    expect(list[1]).toMatchObject({ level: 'error', device: 'plc', err: 'connect ECONNREFUSED 127.0.0.1:502' });
    expect(list[2]).toMatchObject({ level: 'fatal' });
    expect(list[0]).not.toHaveProperty('gateway');
    expect(Date.parse(list[0]?.time ?? '')).toBeGreaterThan(0);
  });

  it('leaves the JSON lines exactly as a logger without the hook writes them', () => {
    const hooked = capture();
    const plain = capture();
    const root = createRootLogger('info', 'line3', hooked.stream, new LogRing());
    const reference = pino(
      {
        level: 'info',
        base: { gateway: 'line3' },
        timestamp: false,
        formatters: { level: (label) => ({ level: label }) },
      },
      plain.stream,
    );
    for (const log of [root, reference]) {
      const s = log.child({ server: 'presses' });
      s.info({ port: 502 }, 'listening');
      s.warn({ reason: 'x', obj: { a: [1, 2] } }, 'refused %s', 'one');
      s.error({ err: new Error('boom') }, 'failed');
    }
    const strip = (l: string) => {
      const o = JSON.parse(l) as Record<string, unknown>;
      delete o['time'];
      if (typeof o['err'] === 'object' && o['err'] !== null) delete (o['err'] as Record<string, unknown>)['stack'];
      return o;
    };
    expect(hooked.lines).toHaveLength(3);
    expect(hooked.lines.map(strip)).toEqual(plain.lines.map(strip));
    expect(hooked.lines[0]?.startsWith('{"level":"info","time":"')).toBe(true);
  });

  it('keeps feeding it after the level changes (a reload sets it on the root)', () => {
    const ring = new LogRing();
    const { lines, stream } = capture();
    const root = createRootLogger('error', 'line3', stream, ring);
    const child = serverLogger(root, 'presses');
    child.warn('below the level');
    root.level = 'warn';
    child.warn('now logged');
    serverLogger(root, 'new').warn('a new child');
    expect(lines).toHaveLength(2);
    expect(ring.list().map((e) => e.msg)).toEqual(['now logged', 'a new child']);
  });

  it('a logger built without a ring feeds the process ring', () => {
    recentWarnings.clear();
    const root = createRootLogger('info', 'line3', capture().stream);
    root.warn('to the process ring');
    expect(recentWarnings.list().map((e) => e.msg)).toEqual(['to the process ring']);
    recentWarnings.clear();
  });
});

const VIEW: GatewayView = {
  name: 'line3',
  startedAt: new Date('2026-01-01T09:00:00Z'),
  configFile: undefined,
  reloads: { applied: 0, refused: 0, last: null },
  serverViews: () => [],
  deviceLinks: () => [],
};

describe('the status document and the report', () => {
  beforeEach(() => recentWarnings.clear());

  it('the document carries the warnings, newest last', () => {
    expect(buildDocument(VIEW, '0.1.0', undefined).warnings).toEqual([]);
    const root = createRootLogger('info', 'line3', capture().stream);
    root.info('not a warning');
    deviceLogger(root, 'plc').warn({ unit: 3 }, 'unit offline');
    root.error('reload refused: bad file');
    const doc = buildDocument(VIEW, '0.1.0', undefined);
    expect(doc.warnings.map((w) => [w.level, w.msg])).toEqual([
      ['warn', 'unit offline'],
      ['error', 'reload refused: bad file'],
    ]);
    expect(doc.warnings[0]).toMatchObject({ device: 'plc', unit: 3 });
    const json = JSON.parse(JSON.stringify(doc)) as { warnings: unknown[] };
    expect(json.warnings).toEqual(doc.warnings);
    recentWarnings.clear();
  });

  it('the report shows the last 5 under WARNINGS, none when there are none', () => {
    expect(warningsSection([])).toBeUndefined();
    expect(warningsSection(undefined)).toBeUndefined();
    const ring = new LogRing();
    for (let i = 0; i < 8; i++) ring.record(40, [{ device: 'plc', why: 'a b' }, `w${i}`]);
    const text = warningsSection(ring.list()) ?? '';
    const lines = text.split('\n');
    expect(lines[0]).toBe('WARNINGS (last 5 of 8)');
    expect(lines.slice(1).map((l) => l.split(/ {2,}/)[2])).toEqual(['w3', 'w4', 'w5', 'w6', 'w7']);
    expect(lines[1]).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z {2}warn {3}w3 {2}device=plc {2}why="a b"$/);
    const doc = { ...buildDocument(VIEW, '0.1.0', undefined), warnings: ring.list() };
    const report = renderStatus(doc);
    expect(report).toContain(`\n\n${text}\n`);
    expect(renderStatus({ ...doc, warnings: [] })).not.toContain('WARNINGS');
    const one = new LogRing();
    one.record(50, [{ note: 'n'.repeat(200) }, 'm'.repeat(200)]);
    const [entry] = one.list();
    expect(entry && warningLine(entry).length).toBe(200);
  });
});
