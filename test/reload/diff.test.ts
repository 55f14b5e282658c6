/** The reload plan: what differs between two validated configs (src/config/diff.ts). */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { banksNamedBy, describePlan, diffConfig, sameValue } from '../../src/config/diff.js';
import { formatIssue, loadConfigText } from '../../src/config/load.js';
import type { GatewayConfig } from '../../src/config/types.js';

function config(yaml: string): GatewayConfig {
  const r = loadConfigText(yaml, 'diff.yaml');
  if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
  return r.config;
}

const BASE = `
gateway: { name: line3 }
log: { level: info }
banks:
  plant: { holding: 10, values: { holding: { 0: [1, 2] } } }
  other: { coils: 8 }
servers:
  - { name: scada, protocol: modbus, listen: 127.0.0.1:0, bank: plant }
  - { name: hmi, protocol: modbus, listen: 127.0.0.1:0, bank: other, readOnly: true }
  - { name: spare, protocol: modbus, listen: 127.0.0.1:0, units: { 1: { bank: other } } }
`;

describe('sameValue', () => {
  it('compares primitives, arrays, Maps and plain objects structurally', () => {
    expect(sameValue({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBe(true);
    expect(sameValue({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] })).toBe(false);
    expect(sameValue(new Map([[1, { x: 'a' }]]), new Map([[1, { x: 'a' }]]))).toBe(true);
    expect(sameValue(new Map([[1, { x: 'a' }]]), new Map([[2, { x: 'a' }]]))).toBe(false);
    expect(sameValue(new Map(), {})).toBe(false);
    expect(sameValue([1, 2], [1, 2, 3])).toBe(false);
    expect(sameValue({ a: 1, b: undefined }, { a: 1 })).toBe(true);
    expect(sameValue(null, {})).toBe(false);
  });
});

describe('banksNamedBy', () => {
  it('finds every bank a server names: its bank, its unit map, pool ports', () => {
    const c = config(`
banks: { a: { holding: 1 }, b: { holding: 1 }, c: { holding: 1 } }
servers:
  - name: p
    protocol: modbus
    listen: 127.0.0.1
    bank: a
    units: { 2: { bank: b } }
    ports: { 9601: { units: { 1: { bank: c } } }, 9602: {} }
`);
    expect([...banksNamedBy(c.servers[0])].sort()).toEqual(['a', 'b', 'c']);
  });
});

describe('diffConfig', () => {
  it('the same file is an empty plan', () => {
    const plan = diffConfig(config(BASE), config(BASE));
    expect(plan.empty).toBe(true);
    expect(plan.servers.unchanged).toEqual(['scada', 'hmi', 'spare']);
    expect(describePlan(plan)).toBe('nothing changed');
  });

  it('sorts servers into added, removed, changed and unchanged by name', () => {
    const next = BASE.replace('bank: other, readOnly: true', 'bank: other, readOnly: false').replace(
      / {2}- \{ name: spare.*\n/,
      '  - { name: extra, protocol: modbus, listen: 127.0.0.1:0, bank: plant }\n',
    );
    const plan = diffConfig(config(BASE), config(next));
    expect(plan.servers.added.map((s) => s.name)).toEqual(['extra']);
    expect(plan.servers.removed).toEqual(['spare']);
    expect(plan.servers.changed.map((s) => s.name)).toEqual(['hmi']);
    expect(plan.servers.unchanged).toEqual(['scada']);
    expect(plan.empty).toBe(false);
    expect(describePlan(plan)).toBe('servers +extra -spare ~hmi (1 unchanged)');
  });

  it('a bank with the same shape is kept (new initial values are not applied); a reshaped bank restarts its servers', () => {
    const valuesOnly = diffConfig(config(BASE), config(BASE.replace('0: [1, 2]', '0: [7, 7]')));
    expect(valuesOnly.banks.kept).toEqual(['plant', 'other']);
    expect(valuesOnly.banks.valuesNotApplied).toEqual(['plant']);
    expect(valuesOnly.servers.changed).toEqual([]);

    const reshaped = diffConfig(config(BASE), config(BASE.replace('other: { coils: 8 }', 'other: { coils: 16 }')));
    expect(reshaped.banks.reshaped.map((b) => b.name)).toEqual(['other']);
    expect(reshaped.banks.kept).toEqual(['plant']);
    // hmi serves bank other; spare maps unit 1 to it: both hold the old bank object, both restart
    expect(reshaped.servers.changed.map((s) => s.name)).toEqual(['hmi', 'spare']);
    expect(reshaped.servers.unchanged).toEqual(['scada']);
  });

  it('changed points redefine a kept bank (values stay) and restart what is built with its points', () => {
    const withPoints = BASE.replace(
      'plant: { holding: 10, values: { holding: { 0: [1, 2] } } }',
      'plant: { holding: 10, values: { holding: { 0: [1, 2] } }, points: [{ name: t, table: holding, address: 0 }] }',
    );
    const plan = diffConfig(
      config(withPoints),
      config(withPoints.replace('address: 0 }', 'address: 1, type: int16 }')),
    );
    expect(plan.banks.repointed.map((b) => b.name)).toEqual(['plant']);
    expect(plan.banks.kept).toEqual(['plant', 'other']);
    expect(plan.servers.changed.map((s) => s.name)).toEqual(['scada']);
    expect(describePlan(plan)).toContain('points of plant redefined');
    expect(plan.empty).toBe(false);
  });

  it('an edited profile restarts the servers and devices that decode with it, and nothing else', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldgate-diff-'));
    const profile = readFileSync(
      fileURLToPath(new URL('../../hardware/profiles/camera-trigger.yaml', import.meta.url)),
      'utf8',
    );
    const yaml = `
banks:
  cam: { holding: 10, points: [{ name: status, table: holding, address: 0 }, { name: result, table: holding, address: 1, type: float32 }, { name: code, table: holding, address: 3, type: string, length: 2 }] }
devices:
  - { name: camera, type: tcp, host: 127.0.0.1, port: 3000, decode: { profile: ./camera-trigger.yaml, bank: cam } }
  - { name: other, type: tcp, host: 127.0.0.1, port: 3001 }
servers:
  - { name: lines, protocol: raw, listen: 127.0.0.1:0, handler: { decode: ./camera-trigger.yaml, bank: cam } }
  - { name: scada, protocol: modbus, listen: 127.0.0.1:0, bank: cam }
`;
    const loadWith = (profileText: string) => {
      writeFileSync(join(dir, 'camera-trigger.yaml'), profileText);
      const r = loadConfigText(yaml, join(dir, 'fieldgate.yaml'));
      if (!r.ok) throw new Error(r.issues.map(formatIssue).join('\n'));
      return r.config;
    };
    const before = loadWith(profile);
    expect(diffConfig(before, loadWith(profile)).empty).toBe(true);
    const plan = diffConfig(before, loadWith(profile.replace('NG: 2', 'NG: 20')));
    expect(plan.servers.changed.map((s) => s.name)).toEqual(['lines']);
    expect(plan.devices.changed.map((d) => d.name)).toEqual(['camera']);
    expect(plan.servers.unchanged).toEqual(['scada']);
    expect(plan.devices.unchanged).toEqual(['other']);
  });

  it('reports a new log level, gateway name and status endpoint', () => {
    const next =
      BASE.replace('level: info', 'level: debug').replace('name: line3', 'name: line4') +
      'status: { listen: 127.0.0.1:8081 }\n';
    const plan = diffConfig(config(BASE), config(next));
    expect(plan.logLevel).toBe('debug');
    expect(plan.gatewayName).toBe('line4');
    expect(plan.status).toEqual({ listen: { host: '127.0.0.1', port: 8081 } });
    // the gateway name is in every Modbus server's device identification: they restart
    expect(plan.servers.changed).toHaveLength(3);
    expect(describePlan(plan)).toContain('log level debug');
    expect(describePlan(plan)).toContain('status endpoint 127.0.0.1:8081');
  });

  it('a log level change alone touches nothing else', () => {
    const plan = diffConfig(config(BASE), config(BASE.replace('level: info', 'level: warn')));
    expect(plan.logLevel).toBe('warn');
    expect(plan.servers.changed).toEqual([]);
    expect(plan.status).toBeUndefined();
    expect(plan.empty).toBe(false);
  });

  it('reports changed polls', () => {
    const polled = (every: string) => `${BASE}devices:
  - { name: plc, type: modbus-tcp, host: 127.0.0.1, port: 502 }
polls:
  - { device: plc, every: ${every}, read: { table: holding, address: 0, count: 2 }, into: { bank: plant } }
`;
    expect(diffConfig(config(polled('1s')), config(polled('1s'))).empty).toBe(true);
    const plan = diffConfig(config(polled('1s')), config(polled('2s')));
    expect(plan.polls).toBe(true);
    expect(plan.devices.unchanged).toEqual(['plc']);
    expect(describePlan(plan)).toBe('polls changed');
  });

  it('a changed device reconnects; neither the raw bridges to it nor the Modbus servers routing to it restart', () => {
    const withDevices = (
      camPort: number,
    ) => `${BASE}  - { name: cam-bridge, protocol: raw, listen: 127.0.0.1:0, framing: { type: line, delimiter: "\\n" }, handler: { bridge: cam } }
  - { name: routed, protocol: modbus, listen: 127.0.0.1:0, units: { 1: { device: plc, unit: 1 } } }
devices:
  - { name: cam, type: tcp, host: 127.0.0.1, port: ${camPort}, framing: { type: line, delimiter: "\\n" } }
  - { name: plc, type: modbus-tcp, host: 127.0.0.1, port: 502 }
`;
    const camMoved = diffConfig(config(withDevices(3000)), config(withDevices(3001)));
    expect(camMoved.devices.changed.map((d) => d.name)).toEqual(['cam']);
    expect(camMoved.servers.changed).toEqual([]);
    expect(camMoved.servers.unchanged).toContain('cam-bridge');
    const plcMoved = diffConfig(config(withDevices(3000)), config(withDevices(3000).replace('port: 502', 'port: 503')));
    expect(plcMoved.devices.changed.map((d) => d.name)).toEqual(['plc']);
    expect(plcMoved.servers.changed).toEqual([]);
  });
});
