/**
 * bankAlive: whether a published bank's source is there (the MQTT publisher's DDEATH / DBIRTH). A bank
 * with no polls and no decoding device is always alive; a polled bank is alive while one of its polls
 * is fresh (polls[i] is the status of config.polls[i]); a bank decoded by a raw device is alive while
 * that device is up; a bank with both is alive when either holds.
 */
import { describe, expect, it } from 'vitest';
import type { GatewayConfig } from '../../src/config/types.js';
import type { DeviceLink } from '../../src/devices/device.js';
import type { PollStatus } from '../../src/devices/modbus/modbus-status.js';
import type { LineState } from '../../src/transport/line.js';
import { bankAlive } from '../../src/gateway/bank-sources.js';
import { configOf, load } from '../config/helpers.js';
import { fpgaBankYaml } from '../integration/decode-helpers.js';

const CONFIG: GatewayConfig = configOf(
  load(`banks:
  idle: { holding: 10 }
  polled: { holding: 20 }
${fpgaBankYaml('board')}
${fpgaBankYaml('both')}
${fpgaBankYaml('pair')}
${fpgaBankYaml('served')}
devices:
  - { name: plc, type: modbus-tcp, host: 127.0.0.1, port: 1502 }
  - { name: cam, type: tcp, host: 127.0.0.1, port: 3000, decode: { profile: fpga-telemetry, bank: board } }
  - { name: cam2, type: tcp, host: 127.0.0.1, port: 3001, decode: { profile: fpga-telemetry, bank: both } }
  - { name: left, type: tcp, host: 127.0.0.1, port: 3002, decode: { profile: fpga-telemetry, bank: pair } }
  - { name: right, type: tcp, host: 127.0.0.1, port: 3003, decode: { profile: fpga-telemetry, bank: pair } }
  - { name: plain, type: tcp, host: 127.0.0.1, port: 3004 }
servers:
  - { name: fpga, protocol: raw, listen: "127.0.0.1:0", handler: { decode: fpga-telemetry, bank: served } }
polls:
  - { device: plc, every: 1s, read: { table: holding, address: 0, count: 4 }, into: { bank: polled } }
  - { device: plc, every: 1s, read: { table: holding, address: 0, count: 4 }, into: { bank: both, address: 12 } }
  - { device: plc, every: 1s, read: { table: holding, address: 10, count: 4 }, into: { bank: polled, address: 10 } }
`),
);

function poll(stale: boolean): PollStatus {
  return {
    table: 'holding',
    address: 0,
    count: 4,
    into: 'x',
    every: 1000,
    lastSuccess: null,
    lastError: null,
    latencyMs: null,
    stale,
  };
}

/** Links whose status() says the given state, by device name. */
function links(states: Record<string, LineState>): Map<string, DeviceLink> {
  const out = new Map<string, DeviceLink>();
  for (const [name, state] of Object.entries(states)) {
    const config = CONFIG.devices.find((d) => d.name === name);
    if (!config) throw new Error(`no device ${name}`);
    out.set(name, {
      name,
      config,
      start: () => Promise.resolve(),
      stop: () => Promise.resolve(),
      status: () => ({ name, type: config.type, state, queue: 0, requests: 0, timeouts: 0, lastError: null }),
    });
  }
  return out;
}

const ALL_DOWN = links({ plc: 'down', cam: 'down', cam2: 'down', left: 'down', right: 'down', plain: 'down' });
const FRESH = [poll(false), poll(false), poll(false)];
const STALE = [poll(true), poll(true), poll(true)];

describe('bankAlive', () => {
  it('the config is what the cases assume', () => {
    expect(CONFIG.polls.map((p) => p.into.bank)).toEqual(['polled', 'both', 'polled']);
    expect(CONFIG.devices.map((d) => ('decode' in d ? d.decode?.bank : undefined))).toEqual([
      undefined,
      'board',
      'both',
      'pair',
      'pair',
      undefined,
    ]);
  });

  it('a bank with no polls and no decoding device is alive whatever the rest does', () => {
    expect(bankAlive('idle', CONFIG, STALE, ALL_DOWN)).toBe(true);
    expect(bankAlive('idle', CONFIG, [], new Map())).toBe(true);
    // decoded by a raw server, not a device: no source the gateway can see go away
    expect(bankAlive('served', CONFIG, STALE, ALL_DOWN)).toBe(true);
  });

  it('a polled bank is alive iff one of its own polls is not stale', () => {
    const alive = (stale: [boolean, boolean, boolean]) =>
      bankAlive('polled', CONFIG, stale.map(poll), links({ plc: 'up' }));
    expect(alive([false, false, false])).toBe(true);
    expect(alive([true, false, false])).toBe(true);
    expect(alive([false, true, true])).toBe(true); // poll 1 is the other bank's
    expect(alive([true, true, false])).toBe(true);
    expect(alive([true, false, true])).toBe(false); // only the other bank's poll is fresh
    expect(alive([true, true, true])).toBe(false);
  });

  it('a polled bank without poll statuses (polls not running) is dead', () => {
    expect(bankAlive('polled', CONFIG, [], links({ plc: 'up' }))).toBe(false);
  });

  it("a polled bank's liveness comes from its polls, not from the device's line state", () => {
    expect(bankAlive('polled', CONFIG, FRESH, ALL_DOWN)).toBe(true);
    expect(bankAlive('polled', CONFIG, STALE, links({ plc: 'up' }))).toBe(false);
  });

  it('a bank decoded by a device is alive iff that device is up', () => {
    for (const state of ['up', 'down', 'connecting'] as const) {
      expect([state, bankAlive('board', CONFIG, FRESH, links({ cam: state, cam2: 'up', left: 'up' }))]).toEqual([
        state,
        state === 'up',
      ]);
    }
    expect(bankAlive('board', CONFIG, FRESH, new Map())).toBe(false); // device not running
  });

  it('a bank decoded by two devices is alive while either is up', () => {
    expect(bankAlive('pair', CONFIG, FRESH, links({ left: 'up', right: 'down' }))).toBe(true);
    expect(bankAlive('pair', CONFIG, FRESH, links({ left: 'down', right: 'up' }))).toBe(true);
    expect(bankAlive('pair', CONFIG, FRESH, links({ left: 'connecting', right: 'down' }))).toBe(false);
  });

  it('a bank both polled and decoded is alive when its poll is fresh or its device is up', () => {
    const statuses = (fresh: boolean) => [poll(true), poll(!fresh), poll(true)];
    expect(bankAlive('both', CONFIG, statuses(true), links({ cam2: 'down' }))).toBe(true);
    expect(bankAlive('both', CONFIG, statuses(false), links({ cam2: 'up' }))).toBe(true);
    expect(bankAlive('both', CONFIG, statuses(false), links({ cam2: 'down' }))).toBe(false);
  });

  it('a bank that is not in the config has no source: alive', () => {
    expect(bankAlive('nope', CONFIG, STALE, ALL_DOWN)).toBe(true);
  });
});
