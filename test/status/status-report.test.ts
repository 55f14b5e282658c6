/**
 * `fieldgate status` tables: the POLLS table (device, unit, what is read, interval, last success,
 * stale, last error), from a document and from a running gateway whose second poll's unit never
 * answers; numbers in the POINTS table as a person writes them (a float32 47.967, not 47.966999).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModbusDeviceStatus } from '../../src/devices/modbus/modbus-status.js';
import type { StatusDocument } from '../../src/status/document.js';
import type { PointEntry } from '../../src/status/points.js';
import { fetchStatus } from '../../src/status/status-client.js';
import { renderStatus } from '../../src/status/status-report.js';
import { startFakePlc, type FakePlc } from '../helpers/fake-plc.js';
import { startGateway, until, type RunningGateway } from '../helpers/gateway.js';

const NOW = new Date('2026-01-01T10:00:00Z');

function doc(devices: ModbusDeviceStatus[], points: PointEntry[] = []): StatusDocument {
  return {
    gateway: 'line3-rs485',
    version: '0.1.0',
    uptimeSeconds: 60,
    startedAt: '2026-01-01T09:59:00.000Z',
    config: null,
    reload: { applied: 0, refused: 0, last: null },
    servers: [],
    devices,
    banks: points.length > 0 ? [{ name: 'meters', points }] : [],
    commands: [],
    mqtt: null,
    warnings: [],
  };
}

/** The lines of one table of the report, from its title to the blank line after it. */
function table(report: string, title: string): string[] {
  const lines = report.split('\n');
  const start = lines.indexOf(title);
  if (start < 0) throw new Error(`no ${title} table in:\n${report}`);
  const end = lines.indexOf('', start);
  return lines.slice(start, end < 0 ? undefined : end);
}

const rs485: ModbusDeviceStatus = {
  name: 'rs485',
  type: 'modbus-rtu',
  state: 'up',
  queue: 0,
  requests: 80,
  timeouts: 12,
  coalesced: 40,
  cacheHits: 7,
  lastError: 'timeout',
  crcErrors: 0,
  offlineUnits: [2],
  polls: [
    {
      unit: 1,
      table: 'holding',
      address: 0,
      count: 13,
      into: 'meters.holding[0]',
      every: 1000,
      lastSuccess: '2026-01-01T09:59:58.600Z',
      lastError: null,
      latencyMs: 21,
      stale: false,
    },
    {
      unit: 2,
      table: 'input',
      address: 0,
      count: 1,
      into: 'meters.holding[20]',
      every: 5000,
      lastSuccess: null,
      lastError: 'no reply within 300 ms',
      latencyMs: null,
      stale: true,
    },
    {
      unit: 1,
      table: 'coils',
      address: 8,
      count: 2,
      into: 'meters.coils[0]',
      every: 250,
      lastSuccess: '2026-01-01T09:57:00.000Z',
      lastError: 'exception 02 (illegal data address)',
      latencyMs: 30,
      stale: true,
    },
  ],
};

describe('the POLLS table', () => {
  it('one row per poll: device, unit, what it reads, every, last success, stale, last error', () => {
    expect(table(renderStatus(doc([rs485]), NOW), 'POLLS')).toEqual([
      'POLLS',
      'DEVICE  UNIT  READ           INTO                EVERY    LAST OK  STALE  LAST ERROR',
      '------  ----  -------------  ------------------  -----  ---------  -----  -----------------------------------',
      'rs485      1  holding 0..12  meters.holding[0]      1s     1s ago  no     -',
      'rs485      2  input 0        meters.holding[20]     5s      never  yes    no reply within 300 ms',
      'rs485      1  coils 8..9     meters.coils[0]     250ms  3m 0s ago  yes    exception 02 (illegal data address)',
    ]);
  });

  it('is left out when no device polls; a poll from an older daemon without a unit shows -', () => {
    expect(renderStatus(doc([{ ...rs485, polls: [] }]), NOW)).not.toContain('POLLS');
    const { unit: _, ...old } = rs485.polls?.[0] as NonNullable<ModbusDeviceStatus['polls']>[number];
    expect(table(renderStatus(doc([{ ...rs485, polls: [old] }]), NOW), 'POLLS')[3]).toMatch(
      /^rs485\s+-\s+holding 0\.\.12 /,
    );
  });
});

describe('numbers in the POINTS table', () => {
  const point = (name: string, type: string, value: number | string): PointEntry => ({
    name,
    table: 'holding',
    address: 0,
    type,
    value,
    updatedAt: null,
    ageSeconds: null,
  });

  it('a float32 as its shortest form, scaled values without binary noise, whole numbers whole', () => {
    const rows = table(
      renderStatus(
        doc(
          [],
          [
            point('speed', 'float32', Math.fround(47.967)),
            point('tiny', 'float32', Math.fround(0.000123)),
            point('micro', 'float32', Math.fround(1.5e-7)),
            point('volts', 'int16', 1234 * 0.01),
            point('sum', 'float64', 0.1 + 0.2),
            point('total', 'uint32', 4294967295),
            point('label', 'string', 'PART-A'),
          ],
        ),
        NOW,
      ),
      'POINTS',
    ).slice(3);
    expect(rows.map((r) => r.split(/\s+/)[5])).toEqual([
      '47.967',
      '0.000123',
      '1.5e-7',
      '12.34',
      '0.3',
      '4294967295',
      '"PART-A"',
    ]);
  });
});

describe('fieldgate status against a running gateway', () => {
  let plc: FakePlc;
  let rg: RunningGateway;

  beforeAll(async () => {
    plc = await startFakePlc();
    rg = await startGateway(`
status: { listen: 127.0.0.1:0 }
banks: { meters: { holding: 40 } }
devices:
  - { name: plc, type: modbus-tcp, host: 127.0.0.1, port: ${plc.ports[0]}, unit: 1, timeout: 300ms }
polls:
  - { device: plc, every: 100ms, read: { table: holding, address: 0, count: 13 }, into: { bank: meters } }
  - { device: plc, unit: 2, every: 100ms, read: { table: input, address: 0, count: 1 }, into: { bank: meters, table: holding, address: 20 } }
`);
  });

  afterAll(async () => {
    await rg?.stop();
    await plc?.close();
  });

  it('shows the poll that works as fresh and the one whose unit does not answer as stale, with why', async () => {
    const polled = () => plc.requests.filter((r) => r.unit === 2).length > 0 && plc.requests.some((r) => r.unit === 1);
    await until(polled, 5000, 'both polls to have been sent');
    await until(
      () => (rg.gateway.banks.get('meters')?.holding?.[12] ?? 0) === 12,
      5000,
      'the first poll to fill the bank',
    );
    const report = renderStatus(await fetchStatus(`127.0.0.1:${rg.gateway.statusPort}`));
    const rows = table(report, 'POLLS')
      .slice(3)
      .map((r) => r.split(/\s{2,}/));
    expect(rows).toHaveLength(2);
    expect(rows[0]?.slice(0, 6)).toEqual([
      'plc',
      '1',
      'holding 0..12',
      'meters.holding[0]',
      '100ms',
      expect.stringMatching(/^\ds ago$/),
    ]);
    expect(rows[0]?.[6]).toBe('no');
    expect(rows[1]?.slice(0, 4)).toEqual(['plc', '2', 'input 0', 'meters.holding[20]']);
    expect(rows[1]?.[6]).toBe('yes');
    expect(rows[1]?.[7]).toMatch(/exception 01|illegal function/);
  });
});
