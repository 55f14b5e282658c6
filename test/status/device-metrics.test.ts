/**
 * Device figures on the status endpoint, with a real device link: a modbus-tcp device polling
 * modbus-serial's ServerTCP (a PLC fieldgate did not write) on loopback, and a device with nothing
 * behind it. /metrics shows state, queue, requests, timeouts, CRC errors, coalesced reads, cache
 * hits and poll age per device;
 * /health turns 503 while a device is down.
 */
import { createRequire } from 'node:module';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModbusLink } from '../../src/devices/modbus/modbus-link.js';
import { startGateway, until, type RunningGateway } from '../helpers/gateway.js';
import { parsePrometheusText, sampleValue } from '../helpers/prom-text.js';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

type ServerTCP = InstanceType<(typeof import('modbus-serial'))['ServerTCP']>;
let plc: ServerTCP;
let rg: RunningGateway;
let base = '';
let deadPort = 0;

beforeAll(async () => {
  const { ServerTCP } = createRequire(import.meta.url)('modbus-serial') as typeof import('modbus-serial');
  const port = await freePort();
  deadPort = await freePort();
  plc = new ServerTCP({ getHoldingRegister: (addr: number) => 100 + addr }, { host: '127.0.0.1', port, unitID: 1 });
  plc.on('socketError', () => undefined);
  await new Promise<void>((resolve) => plc.on('initialized', () => resolve()));
  rg = await startGateway(`
status: { listen: 127.0.0.1:0 }
banks: { plant: { holding: 10, points: [{ name: total, table: holding, address: 2, type: uint32 }, { name: idle, table: holding, address: 8 }] } }
servers:
  - { name: scada, protocol: modbus, listen: 127.0.0.1:0, bank: plant }
devices:
  - { name: plc, type: modbus-tcp, host: 127.0.0.1, port: ${port}, unit: 1, timeout: 500ms }
  - { name: gone, type: modbus-tcp, host: 127.0.0.1, port: ${deadPort}, timeout: 200ms }
polls:
  - { device: plc, every: 100ms, read: { table: holding, address: 0, count: 4 }, into: { bank: plant } }
`);
  base = `http://127.0.0.1:${rg.gateway.statusPort}`;
});

afterAll(async () => {
  await rg?.stop();
  await new Promise((r) => plc.close(r));
});

describe('device figures', () => {
  it('/metrics: state, queue, requests, timeouts, CRC errors and poll age per device', async () => {
    await until(() => (rg.gateway.banks.get('plant')?.holding?.[3] ?? 0) === 103, 5000, 'the poll fills the bank');
    const families = parsePrometheusText(await (await fetch(`${base}/metrics`)).text());
    const plcLabels = { device: 'plc' };
    expect(sampleValue(families, 'fieldgate_device_up', plcLabels)).toBe(1);
    expect(sampleValue(families, 'fieldgate_device_state', { device: 'plc', state: 'up' })).toBe(1);
    expect(sampleValue(families, 'fieldgate_device_state', { device: 'plc', state: 'down' })).toBe(0);
    expect(sampleValue(families, 'fieldgate_device_queue_depth', plcLabels)).toBeGreaterThanOrEqual(0);
    expect(sampleValue(families, 'fieldgate_device_requests_total', plcLabels)).toBeGreaterThanOrEqual(1);
    expect(sampleValue(families, 'fieldgate_device_timeouts_total', plcLabels)).toBe(0);
    expect(sampleValue(families, 'fieldgate_device_crc_errors_total', plcLabels)).toBe(0);
    expect(sampleValue(families, 'fieldgate_device_coalesced_total', plcLabels)).toBe(0);
    expect(sampleValue(families, 'fieldgate_device_cache_hits_total', plcLabels)).toBe(0);
    const age = sampleValue(families, 'fieldgate_poll_age_seconds', { device: 'plc', poll: '0' });
    expect(age).toBeGreaterThanOrEqual(0);
    expect(sampleValue(families, 'fieldgate_poll_stale', { device: 'plc', poll: '0' })).toBe(0);
    expect(sampleValue(families, 'fieldgate_device_up', { device: 'gone' })).toBe(0);
    expect(
      sampleValue(families, 'fieldgate_point_age_seconds', { bank: 'plant', point: 'total' }),
    ).toBeGreaterThanOrEqual(0);
    expect(sampleValue(families, 'fieldgate_point_age_seconds', { bank: 'plant', point: 'idle' })).toBeUndefined(); // never updated
  });

  it('/metrics and /status count coalesced reads and cache hits per device', async () => {
    const link = rg.gateway.devices.get('plc') as ModbusLink;
    const read = Buffer.from([3, 0, 5, 0, 2]);
    const asked = [1, 2].map((client) => link.request(1, read, { client: 900 + client }, { cacheMs: 60_000 }));
    for (const r of await Promise.all(asked)) expect(r).toEqual(Buffer.from([3, 4, 0, 105, 0, 106]));
    expect(await link.request(1, read, { client: 903 }, { cacheMs: 60_000 })).toEqual(
      Buffer.from([3, 4, 0, 105, 0, 106]),
    );
    const families = parsePrometheusText(await (await fetch(`${base}/metrics`)).text());
    expect(sampleValue(families, 'fieldgate_device_coalesced_total', { device: 'plc' })).toBe(1);
    expect(sampleValue(families, 'fieldgate_device_cache_hits_total', { device: 'plc' })).toBe(1);
    const doc = (await (await fetch(`${base}/status`)).json()) as { devices: Record<string, unknown>[] };
    expect(doc.devices.find((d) => d.name === 'plc')).toMatchObject({ coalesced: 1, cacheHits: 1 });
  });

  it('/status lists each point with its value and age; a point the poll fills is fresh', async () => {
    await until(() => (rg.gateway.banks.get('plant')?.holding?.[3] ?? 0) === 103, 5000, 'the poll fills the bank');
    const doc = (await (await fetch(`${base}/status`)).json()) as {
      banks: { name: string; points: Record<string, unknown>[] }[];
    };
    expect(doc.banks).toEqual([
      {
        name: 'plant',
        points: [
          {
            name: 'total',
            table: 'holding',
            address: 2,
            type: 'uint32',
            value: 102 * 65536 + 103,
            updatedAt: expect.any(String),
            ageSeconds: expect.any(Number),
          },
          { name: 'idle', table: 'holding', address: 8, type: 'uint16', value: 0, updatedAt: null, ageSeconds: null },
        ],
      },
    ]);
    expect(doc.banks[0]?.points[0]?.ageSeconds).toBeLessThan(5);
  });

  it('/status lists the devices, /health is 503 while one is down', async () => {
    const doc = (await (await fetch(`${base}/status`)).json()) as {
      devices: { name: string; type: string; state: string }[];
    };
    expect(doc.devices.map((d) => [d.name, d.type])).toEqual([
      ['plc', 'modbus-tcp'],
      ['gone', 'modbus-tcp'],
    ]);
    expect(doc.devices[0]?.state).toBe('up');
    await until(
      () => rg.gateway.devices.get('gone')?.status().state === 'down',
      5000,
      'the unreachable device is down',
    );
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(503);
    const body = (await health.json()) as { ok: boolean; problems: string[] };
    expect(body.ok).toBe(false);
    expect(body.problems).toHaveLength(1);
    expect(body.problems[0]).toMatch(/^device gone is down/);
  });
});
