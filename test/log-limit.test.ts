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
    expect(events('command frame dropped')).toEqual([expect.objectContaining({ device: 'camera', bytes: '0102030405060708090a0b0c0d0e0f10' })]);
    vi.advanceTimersByTime(10_000);
    expect(events('command reply timed out (repeated)')).toEqual([expect.objectContaining({ count: 99, lastReason: 'r99', seconds: 10 })]);
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
});
