import { describe, expect, it } from 'vitest';
import { loadConfigFile, loadConfigText } from '../../src/config/load.js';
import type { GatewayConfig, ModbusServerConfig } from '../../src/config/types.js';
import { configOf } from './helpers.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const FULL = `gateway:
  name: line3-pi
log:
  level: debug
status:
  listen: 127.0.0.1:8081
banks:
  plant:
    holding: 1000
    input: 100
    coils: 256
    discrete: 256
    values:
      holding: { 0: [1, 2, 3], 100: 42, "200": -1 }
      input: { 99: -32768 }
      coils: { 5: [1, 0, true, false] }
  press1: { holding: 10 }
  press2: { holding: 10 }
servers:
  - name: scada
    protocol: modbus
    listen: 0.0.0.0:502
    maxClients: 8
    idleTimeout: 2m
    allow: [192.168.10.0/24, 127.0.0.1, "::1", fe80::/10]
    readOnly: true
    bank: plant
    units:
      1: { bank: plant }
      7: { device: rs485, unit: 3 }
      8: { device: plc1 }
    maxInFlight: 4
    sendTimeout: 1500
    keepAlive: 0
  - name: presses
    protocol: modbus
    listen: 0.0.0.0
    ports:
      9601: { client: 192.168.250.11, units: { 1: { bank: press1 } } }
      9602: { client: 192.168.250.12, units: { 1: { bank: press2 } } }
      9603: {}
      9604:
    onBusy: reject
    bank: plant
  - name: lanes
    protocol: modbus
    listen: "[::1]"
    ports: "9701-9703"
    units: { 1: { bank: plant } }
devices:
  - name: rs485
    type: modbus-rtu
    path: /dev/ttyUSB0
  - name: plc1
    type: modbus-tcp
    host: 192.168.250.1
    ports: [9601, 9602]
  - name: plc2
    type: modbus-tcp
    host: plc2.plant.local
    port: 502
    unit: 5
    timeout: 250ms
    retries: 2
    queue: 8
  - name: camera
    type: tcp
    host: 192.168.1.50
    port: 3000
    framing: { type: line, delimiter: "\\r\\n" }
  - name: scope
    type: serial
    path: /dev/ttyUSB1
  - name: meter
    type: modbus-rtu
    path: /dev/ttyAMA0
    baudRate: 9600
    parity: none
    dataBits: 7
    stopBits: 2
    timeout: 1.5s
    retries: 0
    queue: 1024
`;

const EXPECTED: GatewayConfig = {
  file: 'full.yaml',
  gateway: { name: 'line3-pi' },
  log: { level: 'debug' },
  status: { listen: { host: '127.0.0.1', port: 8081 }, writes: false },
  banks: new Map([
    [
      'plant',
      {
        name: 'plant',
        tables: { holding: 1000, input: 100, coils: 256, discrete: 256 },
        points: [],
        values: {
          holding: [
            [0, 1],
            [1, 2],
            [2, 3],
            [100, 42],
            [200, 65535],
          ],
          input: [[99, 32768]],
          coils: [
            [5, 1],
            [6, 0],
            [7, 1],
            [8, 0],
          ],
        },
      },
    ],
    ['press1', { name: 'press1', tables: { holding: 10 }, values: {}, points: [] }],
    ['press2', { name: 'press2', tables: { holding: 10 }, values: {}, points: [] }],
  ]),
  servers: [
    {
      name: 'scada',
      protocol: 'modbus',
      host: '0.0.0.0',
      port: 502,
      onBusy: 'replace-same-client',
      maxClients: 8,
      idleTimeout: 120_000,
      allow: ['192.168.10.0/24', '127.0.0.1', '::1', 'fe80::/10'],
      sendTimeout: 1500,
      keepAlive: 0,
      readOnly: true,
      bank: 'plant',
      units: new Map([
        [1, { kind: 'bank', bank: 'plant' }],
        [7, { kind: 'device', device: 'rs485', unit: 3 }],
        [8, { kind: 'device', device: 'plc1', unit: 8 }],
      ]),
      maxInFlight: 4,
    },
    {
      name: 'presses',
      protocol: 'modbus',
      host: '0.0.0.0',
      ports: [
        { port: 9601, client: '192.168.250.11', units: new Map([[1, { kind: 'bank', bank: 'press1' }]]) },
        { port: 9602, client: '192.168.250.12', units: new Map([[1, { kind: 'bank', bank: 'press2' }]]) },
        { port: 9603 },
        { port: 9604 },
      ],
      onBusy: 'reject',
      maxClients: 32,
      idleTimeout: 60_000,
      sendTimeout: 10_000,
      keepAlive: 30_000,
      readOnly: false,
      bank: 'plant',
      units: new Map(),
      maxInFlight: 16,
    },
    {
      name: 'lanes',
      protocol: 'modbus',
      host: '::1',
      ports: [{ port: 9701 }, { port: 9702 }, { port: 9703 }],
      onBusy: 'replace-same-client',
      maxClients: 32,
      idleTimeout: 60_000,
      sendTimeout: 10_000,
      keepAlive: 30_000,
      readOnly: false,
      units: new Map([[1, { kind: 'bank', bank: 'plant' }]]),
      maxInFlight: 16,
    },
  ],
  devices: [
    {
      name: 'rs485',
      type: 'modbus-rtu',
      path: '/dev/ttyUSB0',
      baudRate: 19200,
      parity: 'even',
      dataBits: 8,
      stopBits: 1,
      timeout: 500,
      retries: 1,
      queue: 32,
      reconnect: { min: 250, max: 5000, jitter: 0.2 },
    },
    {
      name: 'plc1',
      type: 'modbus-tcp',
      host: '192.168.250.1',
      ports: [9601, 9602],
      unit: 1,
      timeout: 1000,
      retries: 0,
      queue: 32,
      maxInFlight: 1,
      reconnect: { min: 250, max: 5000, jitter: 0.2 },
    },
    {
      name: 'plc2',
      type: 'modbus-tcp',
      host: 'plc2.plant.local',
      ports: [502],
      unit: 5,
      timeout: 250,
      retries: 2,
      queue: 8,
      maxInFlight: 1,
      reconnect: { min: 250, max: 5000, jitter: 0.2 },
    },
    {
      name: 'camera',
      type: 'tcp',
      host: '192.168.1.50',
      port: 3000,
      framing: { type: 'line', delimiter: '\r\n', max: 4096 },
      reconnect: { min: 500, max: 30000, jitter: 0.2 },
      connectTimeout: 5000,
      keepAlive: 30000,
    },
    {
      name: 'scope',
      type: 'serial',
      path: '/dev/ttyUSB1',
      baudRate: 115200,
      parity: 'none',
      dataBits: 8,
      stopBits: 1,
      framing: { type: 'none' },
      reconnect: { min: 500, max: 30000, jitter: 0.2 },
    },
    {
      name: 'meter',
      type: 'modbus-rtu',
      path: '/dev/ttyAMA0',
      baudRate: 9600,
      parity: 'none',
      dataBits: 7,
      stopBits: 2,
      timeout: 1500,
      retries: 0,
      queue: 1024,
      reconnect: { min: 250, max: 5000, jitter: 0.2 },
    },
  ],
  polls: [],
  commands: [],
  profiles: new Map(),
};

describe('a valid configuration', () => {
  it('normalizes to the exact expected object', () => {
    expect(configOf(loadConfigText(FULL, 'full.yaml'))).toStrictEqual(EXPECTED);
  });

  it('applies every top-level default to an empty set of sections', () => {
    const config = configOf(loadConfigText('gateway: {}\nlog:\nbanks:\nservers: []\n', 'min.yaml'));
    expect(config).toStrictEqual({
      file: 'min.yaml',
      gateway: { name: 'fieldgate' },
      log: { level: 'info' },
      banks: new Map(),
      servers: [],
      devices: [],
      polls: [],
      commands: [],
      profiles: new Map(),
    });
    expect(config.status).toBeUndefined();
  });

  it('is deeply frozen, maps included', () => {
    const config = configOf(loadConfigText(FULL, 'full.yaml'));
    const scada = config.servers[0] as ModbusServerConfig | undefined;
    const plant = config.banks.get('plant');
    for (const part of [
      config,
      config.gateway,
      config.servers,
      scada,
      scada?.allow,
      plant,
      plant?.tables,
      plant?.values.holding,
      plant?.values.holding?.[0],
      config.devices[3],
      (config.devices[3] as { framing?: object }).framing,
    ]) {
      expect(Object.isFrozen(part)).toBe(true);
    }
    expect(Object.isFrozen(config.banks)).toBe(true);
    expect(Object.isFrozen(scada?.units.get(7))).toBe(true);
    // test files are ES modules, hence strict mode: writing to a frozen object throws
    expect(() => {
      (config as { log: unknown }).log = {};
    }).toThrow(TypeError);
    expect(() => {
      (config.gateway as { name: string }).name = 'x';
    }).toThrow(TypeError);
    expect(() => {
      (config.servers as unknown[]).push({});
    }).toThrow(TypeError);
    expect(() => {
      (scada?.allow as string[])[0] = '0.0.0.0/0';
    }).toThrow(TypeError);
    expect(() => (config.banks as Map<string, unknown>).set('x', {})).toThrow(TypeError);
    expect(() => (config.banks as Map<string, unknown>).delete('plant')).toThrow(TypeError);
    expect(() => (scada?.units as Map<number, unknown>).clear()).toThrow(TypeError);
    expect(config.banks.size).toBe(3);
    expect(scada?.units.size).toBe(3);
  });

  it('loads from a file, recording its absolute path', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldgate-config-'));
    const path = join(dir, 'fieldgate.yaml');
    writeFileSync(path, FULL);
    const config = configOf(loadConfigFile(path));
    expect(config.file).toBe(path);
    expect(config.servers.map((s) => s.name)).toEqual(['scada', 'presses', 'lanes']);
  });

  it('accepts YAML anchors, aliases and merge keys', () => {
    const text = `banks:
  plant: { holding: 10 }
servers:
  - &common { name: a, protocol: modbus, listen: "127.0.0.1:1502", bank: plant, idleTimeout: 5s }
  - <<: *common
    name: b
    listen: 127.0.0.1:1503
`;
    const config = configOf(loadConfigText(text, 't.yaml'));
    expect(config.servers.map((s) => [s.name, s.port, s.idleTimeout])).toEqual([
      ['a', 1502, 5000],
      ['b', 1503, 5000],
    ]);
  });
});
