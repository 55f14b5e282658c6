import { describe, expect, it } from 'vitest';
import { FailureLog } from '../../src/commands/failure-log.js';
import { captureLogger } from '../helpers/log.js';

describe('failure log', () => {
  it('logs the first failure of a kind at once, then one line per period with the number left out', () => {
    const { log, events } = captureLogger('debug');
    const failures = new FailureLog(log, 10_000);
    for (let i = 0; i < 100; i++) failures.report('timeout', { n: i }, 'command reply timed out', 1000 + i);
    failures.report('dropped', {}, 'command frame dropped', 1050);
    expect(events('command reply timed out')).toEqual([expect.objectContaining({ n: 0 })]);
    expect(events('command frame dropped')).toHaveLength(1);
    failures.report('timeout', { n: 100 }, 'command reply timed out', 11_000);
    expect(events('command reply timed out')[1]).toMatchObject({ n: 100, skipped: 99 });
    failures.report('timeout', { n: 101 }, 'command reply timed out', 21_001);
    expect(events('command reply timed out')[2]).not.toHaveProperty('skipped');
  });
});
