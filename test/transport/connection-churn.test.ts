import { afterEach, describe, expect, it, vi } from 'vitest';
import { CHURN_BURST, ConnectionChurn } from '../../src/transport/connection-churn.js';
import { captureLogger } from '../helpers/log.js';

afterEach(() => vi.useRealTimers());

describe('ConnectionChurn: routine session lines of a source that connects again and again', () => {
  it('the first connections of a window are info, the rest debug, summed up once the window ends', () => {
    vi.useFakeTimers();
    const { log, events } = captureLogger('info');
    const churn = new ConnectionChurn(log);
    const levels = [];
    for (let i = 0; i < 12; i++) {
      const level = churn.opened(`10.0.0.7:${40000 + i}`);
      levels.push(level);
      churn.closed(level, i === 11 ? 'replaced' : 'peer-closed', `10.0.0.7:${40000 + i}`);
    }
    expect(levels.filter((l) => l === 'info')).toHaveLength(CHURN_BURST);
    expect(levels.slice(CHURN_BURST).every((l) => l === 'debug')).toBe(true);
    // another address has its own burst
    expect(churn.opened('10.0.0.8:1000')).toBe('info');
    expect(events('sessions (summary)')).toEqual([]);
    vi.advanceTimersByTime(60_000);
    expect(events('sessions (summary)')).toEqual([
      expect.objectContaining({ address: '10.0.0.7', sessions: 12, atDebug: 12 - CHURN_BURST, lastReason: 'replaced' }),
    ]);
    churn.stop();
  });

  it('churn lasting 3 minutes: one burst at info, then debug with one summary a minute; a quiet minute starts over', () => {
    vi.useFakeTimers();
    const { log, events } = captureLogger('info');
    const churn = new ConnectionChurn(log);
    let info = 0;
    // 7.7 connections a second for 3 minutes
    for (let t = 0; t < 180_000; t += 130) {
      if (churn.opened('127.0.0.1:5000') === 'info') info++;
      vi.advanceTimersByTime(130);
    }
    expect(info).toBe(CHURN_BURST);
    const summaries = events('sessions (summary)');
    expect(summaries.length).toBeGreaterThanOrEqual(2);
    expect(summaries.length).toBeLessThanOrEqual(3);
    expect(summaries.reduce((n, l) => n + (l['atDebug'] as number), 0)).toBeGreaterThan(1000);
    // the churn stops: the window after the last summary has nothing, the address is forgotten
    vi.advanceTimersByTime(180_000);
    const after = events('sessions (summary)').length;
    expect(churn.opened('127.0.0.1:5001')).toBe('info');
    vi.advanceTimersByTime(60_000);
    expect(events('sessions (summary)')).toHaveLength(after); // nothing at debug: no summary
    churn.stop();
  });

  it('at most maxSources addresses have their own window; the rest share "others"', () => {
    vi.useFakeTimers();
    const { log, events } = captureLogger('info');
    const churn = new ConnectionChurn(log, { burst: 1, maxSources: 2 });
    churn.opened('10.0.0.1:1');
    churn.opened('10.0.0.2:1');
    expect(churn.opened('10.0.0.3:1')).toBe('info'); // others' first
    expect(churn.opened('10.0.0.4:1')).toBe('debug'); // others' second
    churn.stop();
    expect(events('sessions (summary)')).toEqual([expect.objectContaining({ address: 'others', atDebug: 1 })]);
  });
});

describe('ConnectionChurn: sources', () => {
  it('a source is its address: IPv4, IPv6 and IPv4-mapped peers with any port', () => {
    vi.useFakeTimers();
    const { log } = captureLogger('info');
    const churn = new ConnectionChurn(log, { burst: 1 });
    expect(churn.opened('[::ffff:10.1.1.1]:5000')).toBe('info');
    expect(churn.opened('10.1.1.1:6000')).toBe('debug');
    expect(churn.opened('[fe80::1]:5000')).toBe('info');
    expect(churn.opened('[fe80::1]:5001')).toBe('debug');
    churn.stop();
  });
});
