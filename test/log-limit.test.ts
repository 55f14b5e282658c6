/**
 * The rate-limited log: first at once, then one summary per window per message; stop flushes. Persistent
 * conditions: start, at most one summary a minute, end.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PassThrough } from 'node:stream';
import { CONDITION_WINDOW_MS, Condition, LogLimit } from '../src/log-limit.js';
import { Backoff } from '../src/transport/backoff.js';
import { ReconnectingLine, type LineOpener } from '../src/transport/line.js';
import { captureLogger } from './helpers/log.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('LogLimit', () => {
  it('logs the first of each message at once, sums up the rest once per window, and starts over after a quiet window', () => {
    vi.useFakeTimers();
    const { log, events } = captureLogger('debug');
    const limit = new LogLimit(log, 10_000);
    for (let i = 0; i < 100; i++) limit.hit('command reply timed out', { n: i, reason: `r${i}` });
    limit.hit('command frame dropped', { device: 'camera' }, Buffer.from('0102030405060708090a0b0c0d0e0f1011', 'hex'));
    expect(events('command reply timed out')).toEqual([expect.objectContaining({ n: 0, reason: 'r0' })]);
    // another message is not held back by the first one's window; its bytes: the first 16, in hex
    expect(events('command frame dropped')).toEqual([
      expect.objectContaining({ device: 'camera', bytes: '0102030405060708090a0b0c0d0e0f10' }),
    ]);
    vi.advanceTimersByTime(10_000);
    expect(events('command reply timed out (repeated)')).toEqual([
      expect.objectContaining({ count: 99, lastReason: 'r99', seconds: 10 }),
    ]);
    expect(events('command frame dropped (repeated)')).toEqual([]);
    vi.advanceTimersByTime(10_000); // a quiet window: the next one is logged at once again
    limit.hit('command reply timed out', { n: 100 });
    expect(events('command reply timed out')).toHaveLength(2);
    expect(events('command reply timed out (repeated)')).toHaveLength(1);
  });

  it('stop logs what is still counted', () => {
    const { log, events } = captureLogger('debug');
    const limit = new LogLimit(log);
    limit.hit('frame refused', { reason: 'bad crc' });
    limit.hit('frame refused', { reason: 'bad sync' });
    limit.hit('frame refused', { reason: 'bad crc' });
    limit.stop();
    expect(events('frame refused')).toHaveLength(1);
    expect(events('frame refused (repeated)')).toEqual([expect.objectContaining({ count: 2, lastReason: 'bad crc' })]);
    limit.stop();
    expect(events('frame refused (repeated)')).toHaveLength(1);
  });
  it('per source: each source has its own window; the summary names the source', () => {
    vi.useFakeTimers();
    const { log, events } = captureLogger('debug');
    const limit = new LogLimit(log, { windowMs: 10_000, reasonField: 'why', sourceField: 'address' });
    for (let i = 0; i < 30; i++)
      limit.hit(
        'connection refused',
        { peer: `127.0.1.${i % 3}:${1000 + i}`, why: i < 29 ? 'not-allowed' : 'max-clients' },
        undefined,
        `127.0.1.${i % 3}`,
      );
    expect(events('connection refused').map((l) => l['peer'])).toEqual([
      '127.0.1.0:1000',
      '127.0.1.1:1001',
      '127.0.1.2:1002',
    ]);
    vi.advanceTimersByTime(10_000);
    expect(events('connection refused (repeated)').map((l) => [l['address'], l['count'], l['seconds']])).toEqual([
      ['127.0.1.0', 9, 10],
      ['127.0.1.1', 9, 10],
      ['127.0.1.2', 9, 10],
    ]);
    expect(events('connection refused (repeated)')[2]).toMatchObject({ lastReason: 'max-clients' });
    vi.advanceTimersByTime(10_000); // quiet: the windows close and are forgotten
    limit.hit('connection refused', { peer: '127.0.1.1:2000', why: 'not-allowed' }, undefined, '127.0.1.1');
    expect(events('connection refused')).toHaveLength(4);
    limit.stop();
    expect(events('connection refused (repeated)')).toHaveLength(3);
  });

  it('tracks at most maxSources sources: the rest share one "others" window, so lines are bounded however many sources there are', () => {
    vi.useFakeTimers();
    const { log, lines, events } = captureLogger('debug');
    const limit = new LogLimit(log, { windowMs: 10_000, sourceField: 'address', maxSources: 256 });
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 1000; i++) limit.hit('connection refused', { n: i }, undefined, `10.0.${i >> 8}.${i & 255}`);
    }
    expect(events('connection refused')).toHaveLength(257); // 256 sources and the first of the others
    expect(events('connection refused').at(-1)).toMatchObject({ n: 256, address: 'others' });
    vi.advanceTimersByTime(10_000);
    const summaries = events('connection refused (repeated)');
    expect(summaries).toHaveLength(257);
    expect(summaries.find((l) => l['address'] === 'others')).toMatchObject({ count: 3 * 744 - 1 });
    expect(lines).toHaveLength(514);
    vi.advanceTimersByTime(20_000); // quiet windows are forgotten: new sources are tracked again
    limit.hit('connection refused', { n: 0 }, undefined, '127.0.2.1');
    expect(events('connection refused').at(-1)).toMatchObject({ n: 0 });
    expect(events('connection refused').at(-1)?.['address']).toBeUndefined();
    limit.stop();
  });
});

describe('persistent conditions', () => {
  it('a condition that lasts 3 minutes: its start, at most 3 summaries, its end', () => {
    vi.useFakeTimers();
    const { log, lines, events } = captureLogger('debug');
    const down = new Condition(log, 'device down', { context: { target: '/dev/ttyUSB0' }, reasonField: 'error' });
    expect(down.hit({ error: 'ENOENT', attempts: 1 })).toBe(true);
    for (let s = 5; s <= 180; s += 5) {
      vi.advanceTimersByTime(5_000);
      expect(down.hit({ error: `attempt ${s / 5 + 1}`, attempts: s / 5 + 1 })).toBe(false);
    }
    expect(down.end({ attempts: 37 })).toBe(true);
    expect(lines.map((l) => l['msg'])).toEqual([
      'device down',
      'device down (repeated)',
      'device down (repeated)',
      'device down (repeated)',
      'device down ended',
    ]);
    expect(events('device down')[0]).toMatchObject({ level: 40, target: '/dev/ttyUSB0', error: 'ENOENT' });
    const summaries = events('device down (repeated)');
    // the first minute: the hits at 5 s ... 55 s; the one at 180 s comes after the third summary (the end counts it)
    expect(summaries.map((l) => l['count'])).toEqual([11, 12, 12]);
    expect(summaries[0]).toMatchObject({ level: 40, target: '/dev/ttyUSB0', lastReason: 'attempt 12', forSeconds: 60 });
    expect(events('device down ended')).toEqual([
      expect.objectContaining({ level: 30, target: '/dev/ttyUSB0', count: 37, attempts: 37, forSeconds: 180 }),
    ]);
    // over: a new occurrence starts it again; a quiet condition writes no summary
    expect(down.end()).toBe(false);
    expect(down.hit({ error: 'again' })).toBe(true);
    vi.advanceTimersByTime(CONDITION_WINDOW_MS * 3);
    expect(events('device down')).toHaveLength(2);
    expect(events('device down (repeated)')).toHaveLength(3);
    down.stop();
  });

  it('a LogLimit with endMessage: a window summed up ends with one line after a quiet window; a single hit does not', () => {
    vi.useFakeTimers();
    const { log, events } = captureLogger('debug');
    const limit = new LogLimit(log, {
      windowMs: CONDITION_WINDOW_MS,
      reasonField: 'why',
      sourceField: 'address',
      endMessage: 'connection refused ended',
    });
    for (let s = 0; s < 180; s += 2) limit.hit('connection refused', { why: 'max-clients' }, undefined, '127.0.0.7');
    // 90 refusals within the first window (fake time stands still): one line, then one summary a minute
    limit.hit('connection refused', { why: 'not-allowed' }, undefined, '127.0.0.8');
    vi.advanceTimersByTime(CONDITION_WINDOW_MS);
    expect(events('connection refused (repeated)')).toEqual([
      expect.objectContaining({ address: '127.0.0.7', count: 89, lastReason: 'max-clients', seconds: 60 }),
    ]);
    vi.advanceTimersByTime(CONDITION_WINDOW_MS);
    expect(events('connection refused ended')).toEqual([
      expect.objectContaining({ level: 30, address: '127.0.0.7', count: 90, forSeconds: 120 }),
    ]);
    expect(events('connection refused')).toHaveLength(2);
  });
});

describe('a reconnecting line that stays down', () => {
  it('3 minutes down: device down, at most 3 summaries, then device up with the attempts and how long', async () => {
    vi.useFakeTimers();
    const { log, lines } = captureLogger('debug');
    let fail = true;
    const opener: LineOpener<PassThrough> = {
      target: '/dev/ttyUSB9',
      open(opened) {
        const s = new PassThrough();
        queueMicrotask(() => opened(fail ? new Error('No such file or directory') : null));
        return s;
      },
      close: async (s) => void s.destroy(),
    };
    const states: string[] = [];
    const line = new ReconnectingLine(opener, new Backoff({ min: 1000, max: 10_000, jitter: 0 }), log, {
      data: () => undefined,
      drain: () => undefined,
      state: (s) => states.push(s),
    });
    line.start();
    await vi.advanceTimersByTimeAsync(180_000);
    fail = false;
    await vi.advanceTimersByTimeAsync(10_000);
    expect(line.state).toBe('up');
    const kept = lines.filter((l) => (l['level'] as number) >= 30).map((l) => l['msg']);
    expect(kept[0]).toBe('device down');
    expect(kept.at(-1)).toBe('device up');
    const summaries = kept.filter((m) => m === 'device down (repeated)');
    expect(summaries.length).toBeGreaterThanOrEqual(2);
    expect(summaries.length).toBeLessThanOrEqual(3);
    expect(kept).toHaveLength(2 + summaries.length);
    const up = lines.at(-1)!;
    expect(up).toMatchObject({ target: '/dev/ttyUSB9', level: 30 });
    expect(up['attempts']).toBeGreaterThan(15);
    expect(up['forSeconds']).toBeGreaterThanOrEqual(180);
    expect(lines.filter((l) => l['msg'] === 'device still down').length).toBeGreaterThan(10);
    await line.stop();
  });
});
