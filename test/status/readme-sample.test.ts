/**
 * The README's status document sample is what GET /status serves: it parses as JSON, its top-level
 * keys are the real document's, and every key it shows in a server, port, session, device, poll,
 * point and command is one a running gateway reports. The README cites no document that is not in
 * the repository.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeClient, modbusClient } from '../helpers/clients.js';
import { startFakePlc, type FakePlc } from '../helpers/fake-plc.js';
import { startGateway, until, type RunningGateway } from '../helpers/gateway.js';
import { freePorts } from '../helpers/raw-peers.js';

const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');

/** The ```json block of the README's "The status document" section. */
function statusSample(): string {
  const section = README.indexOf('#### The status document');
  expect(section, 'the README has a "The status document" section').toBeGreaterThan(0);
  const start = README.indexOf('```json\n', section);
  const end = README.indexOf('\n```', start + 8);
  expect(start).toBeGreaterThan(section);
  return README.slice(start + '```json\n'.length, end);
}

type Json = Record<string, unknown>;
const keys = (o: unknown): string[] => Object.keys(o as Json).sort();
const first = (o: unknown, key: string): Json => ((o as Json)[key] as Json[])[0] as Json;

describe('the README status sample', () => {
  it('is valid JSON (no markers in it)', () => {
    expect(() => JSON.parse(statusSample())).not.toThrow();
  });

  it('cites no DESIGN document (it is not in the repository)', () => {
    expect(README).not.toMatch(/DESIGN/);
  });

  describe("has the keys of a running gateway's /status", () => {
    let plc: FakePlc;
    let rg: RunningGateway;
    let real: Json;

    beforeAll(async () => {
      plc = await startFakePlc();
      const [pool = 0, camera = 0] = await freePorts(2);
      rg = await startGateway(`
status: { listen: 127.0.0.1:0 }
banks:
  vision:
    coils: 8
    holding: 40
    points:
      - { name: trigger, table: coils, address: 0, type: bool }
      - { name: program, table: holding, address: 0, type: uint16 }
      - { name: status, table: holding, address: 1, type: uint16 }
      - { name: result, table: holding, address: 2, type: float32 }
      - { name: code, table: holding, address: 4, type: string, length: 4 }
servers:
  - name: presses
    protocol: modbus
    listen: 127.0.0.1
    ports: { ${pool}: { client: 127.0.0.1, units: { 1: { bank: vision } } } }
devices:
  - { name: plc, type: modbus-tcp, host: 127.0.0.1, port: ${plc.ports[0]}, unit: 1, timeout: 300ms }
  - { name: camera, type: tcp, host: 127.0.0.1, port: ${camera}, framing: { type: line, delimiter: "\\r\\n" } }
polls:
  - { device: plc, every: 100ms, read: { table: holding, address: 20, count: 4 }, into: { bank: vision } }
commands:
  - { name: capture, bank: vision, point: trigger, on: rising, device: camera, frame: "T{program}\\r\\n", reply: { profile: camera-trigger, timeout: 2s }, reset: true }
`);
      const client = await modbusClient(pool);
      try {
        await until(
          () => (rg.gateway.banks.get('vision')?.holding?.[23] ?? 0) === 23,
          5000,
          'the poll to fill the bank',
        );
        real = (await (await fetch(`http://127.0.0.1:${rg.gateway.statusPort}/status`)).json()) as Json;
      } finally {
        await closeClient(client);
      }
    });

    afterAll(async () => {
      await rg?.stop();
      await plc?.close();
    });

    it('the same top-level keys', () => {
      expect(keys(JSON.parse(statusSample()))).toEqual(keys(real));
    });

    it('every key it shows in a server, port, session, device, poll, point and command is real', () => {
      const sample = JSON.parse(statusSample()) as Json;
      const server = first(real, 'servers');
      const pairs: [string, unknown, unknown][] = [
        ['reload', sample['reload'], real['reload']],
        ['server', first(sample, 'servers'), server],
        ['port', first(first(sample, 'servers'), 'ports'), first(server, 'ports')],
        ['session', first(first(sample, 'servers'), 'sessions'), first(server, 'sessions')],
        ['port session', first(first(sample, 'servers'), 'ports')['session'], first(server, 'ports')['session']],
        ['totals', first(sample, 'servers')['totals'], server['totals']],
        ['device', first(sample, 'devices'), first(real, 'devices')],
        ['poll', first(first(sample, 'devices'), 'polls'), first(first(real, 'devices'), 'polls')],
        ['bank', first(sample, 'banks'), first(real, 'banks')],
        ['point', first(first(sample, 'banks'), 'points'), first(first(real, 'banks'), 'points')],
        ['command', first(sample, 'commands'), first(real, 'commands')],
      ];
      for (const [what, shown, served] of pairs) {
        expect(served, `the running gateway has a ${what}`).toBeTypeOf('object');
        expect(keys(served), `the README's ${what}`).toEqual(expect.arrayContaining(keys(shown)));
      }
      // A server and a session have exactly the keys shown (a decoding raw server adds `decoded`, said below the
      // sample).
      expect(keys(first(sample, 'servers'))).toEqual(keys(server));
      expect(keys(first(first(sample, 'servers'), 'sessions'))).toEqual(keys(first(server, 'sessions')));
    });
  });
});
