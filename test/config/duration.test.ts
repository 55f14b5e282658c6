import { describe, expect, it } from 'vitest';
import { MAX_DURATION_MS, parseDuration } from '../../src/config/duration.js';
import { configOf, issueAt, issuesOf, load } from './helpers.js';

describe('durations', () => {
  it.each([
    ['250ms', 250],
    ['0ms', 0],
    ['5s', 5000],
    ['0s', 0],
    ['1.5s', 1500],
    ['0.25s', 250],
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['24h', 86_400_000],
    [0, 0],
    [1500, 1500],
    [MAX_DURATION_MS, MAX_DURATION_MS],
  ])('%j is %d ms', (input, ms) => {
    expect(parseDuration(input)).toEqual({ value: ms });
  });

  it.each([
    ['5 s', '"5 s" is not a duration: write 250ms, 5s, 2m, 1h or a number of milliseconds'],
    [
      '500',
      '"500" is not a duration (add a unit: "500ms" or "500s"): write 250ms, 5s, 2m, 1h or a number of milliseconds',
    ],
    ['5S', '"5S" is not a duration: write 250ms, 5s, 2m, 1h or a number of milliseconds'],
    ['1m30s', '"1m30s" is not a duration: write 250ms, 5s, 2m, 1h or a number of milliseconds'],
    ['-5s', '"-5s" is not a duration: write 250ms, 5s, 2m, 1h or a number of milliseconds'],
    ['5d', '"5d" is not a duration: write 250ms, 5s, 2m, 1h or a number of milliseconds'],
    ['', '"" is not a duration: write 250ms, 5s, 2m, 1h or a number of milliseconds'],
    ['0.5ms', '"0.5ms" is not a whole number of milliseconds'],
    [-1, '-1 is not a duration: a number of milliseconds is a whole number from 0'],
    [1.5, '1.5 is not a duration: a number of milliseconds is a whole number from 0'],
    [true, 'true is not a duration: write 250ms, 5s, 2m, 1h or a number of milliseconds'],
    ['1000h', '"1000h" is too long: at most 2147483647 ms (about 24 days)'],
    [MAX_DURATION_MS + 1, '2147483648 is too long: at most 2147483647 ms (about 24 days)'],
  ])('%j is refused', (input, message) => {
    expect(parseDuration(input)).toEqual({ error: message });
  });

  it('reach the config in milliseconds, every duration key of servers and devices', () => {
    const text = `banks: { plant: { holding: 1 } }
servers:
  - { name: a, protocol: modbus, listen: "127.0.0.1:1", bank: plant, idleTimeout: 0, sendTimeout: 2.5s, keepAlive: 1m }
devices:
  - { name: r, type: modbus-rtu, path: /dev/ttyS0, timeout: 50ms }
  - { name: t, type: modbus-tcp, host: 10.0.0.1, port: 502, timeout: 3000 }
`;
    const config = configOf(load(text));
    expect(config.servers[0]).toMatchObject({ idleTimeout: 0, sendTimeout: 2500, keepAlive: 60_000 });
    expect(config.devices.map((d) => ('timeout' in d ? d.timeout : undefined))).toEqual([50, 3000]);
  });

  it('a timeout of 0 is refused where it would mean "fail at once"', () => {
    const text = `banks: { plant: { holding: 1 } }
servers:
  - { name: a, protocol: modbus, listen: "127.0.0.1:1", bank: plant, sendTimeout: 0ms }
devices:
  - { name: r, type: modbus-rtu, path: /dev/ttyS0, timeout: 0 }
`;
    const issues = issuesOf(load(text));
    expect(issueAt(issues, 'servers[0].sendTimeout').message).toBe('"0ms" is too short: at least 1 ms');
    expect(issueAt(issues, 'devices[0].timeout').message).toBe('0 is too short: at least 1 ms');
  });
});
