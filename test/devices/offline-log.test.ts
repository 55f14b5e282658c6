/** A unit offline is a persistent condition: logged when it goes offline, a summary a minute, its end. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { OfflineLog, UNIT_OFFLINE } from '../../src/devices/modbus/offline-log.js';
import { captureLogger } from '../helpers/log.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('OfflineLog', () => {
  it('a unit offline for 3 minutes (probed every 5 s): one warn, at most 3 summaries, unit back online', () => {
    vi.useFakeTimers();
    const { log, lines, events } = captureLogger('debug');
    const offline = new OfflineLog(log);
    offline.answered(3); // a unit that was never offline: nothing
    for (let s = 0; s < 180; s += 5) {
      offline.offline(3, { timeouts: s / 5 + 3, reason: `unit 3 fc 3: no reply within 300 ms (${s})` });
      vi.advanceTimersByTime(5_000);
    }
    offline.offline(7, { timeouts: 99, reason: 'unit 7' }); // another unit: its own condition
    offline.answered(3);
    expect(events(UNIT_OFFLINE)).toEqual([
      expect.objectContaining({ level: 40, unit: 3, timeouts: 3 }),
      expect.objectContaining({ level: 40, unit: 7 }),
    ]);
    const summaries = events(`${UNIT_OFFLINE} (repeated)`);
    expect(summaries.length).toBe(3);
    expect(summaries[0]).toMatchObject({ unit: 3, count: 11, lastReason: 'unit 3 fc 3: no reply within 300 ms (55)' });
    expect(events('unit back online')).toEqual([
      expect.objectContaining({ level: 30, unit: 3, count: 36, forSeconds: 180 }),
    ]);
    expect(lines).toHaveLength(6);
    offline.stop();
    expect(lines).toHaveLength(6); // unit 7 had nothing more counted
  });
});
