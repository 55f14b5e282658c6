/** The rate-limited log: first at once, then one summary per window per message; stop flushes. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { LogLimit } from '../src/log-limit.js';
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
