import { describe, expect, it } from 'vitest';
import { at, configOf, issuesOf, load } from './helpers.js';

describe('devices', () => {
  it('each type gets its own defaults', () => {
    const text = `devices:
  - { name: rtu, type: modbus-rtu, path: /dev/ttyS0 }
  - { name: tcp1, type: modbus-tcp, host: 10.0.0.1, port: 502 }
  - { name: cam, type: tcp, host: cam.local, port: 3000 }
  - { name: ser, type: serial, path: /dev/ttyS1 }
`;
    expect(configOf(load(text)).devices).toStrictEqual([
      {
        name: 'rtu',
        type: 'modbus-rtu',
        path: '/dev/ttyS0',
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
        name: 'tcp1',
        type: 'modbus-tcp',
        host: '10.0.0.1',
        ports: [502],
        unit: 1,
        timeout: 1000,
        retries: 0,
        queue: 32,
        maxInFlight: 1,
        reconnect: { min: 250, max: 5000, jitter: 0.2 },
      },
      {
        name: 'cam',
        type: 'tcp',
        host: 'cam.local',
        port: 3000,
        framing: { type: 'none' },
        reconnect: { min: 500, max: 30_000, jitter: 0.2 },
        connectTimeout: 5000,
        keepAlive: 30_000,
      },
      {
        name: 'ser',
        type: 'serial',
        path: '/dev/ttyS1',
        baudRate: 115200,
        parity: 'none',
        dataBits: 8,
        stopBits: 1,
        framing: { type: 'none' },
        reconnect: { min: 500, max: 30_000, jitter: 0.2 },
      },
    ]);
  });

  it('a modbus-tcp device needs exactly one of port and ports', () => {
    const text =
      'devices:\n  - { name: a, type: modbus-tcp, host: 10.0.0.1 }\n  - { name: b, type: modbus-tcp, host: 10.0.0.1, port: 502, ports: [503] }\n';
    expect(issuesOf(load(text)).map((i) => ({ key: i.key, line: i.line, col: i.col, message: i.message }))).toEqual([
      {
        key: 'devices[0]',
        ...at(text, '^{ name: a'),
        message: 'needs port: N, or ports: [N, ...] for one connection per port',
      },
      {
        key: 'devices[1].ports',
        ...at(text, 'ports: ^[503]'),
        message: 'give either port: N or ports: [N, ...], not both',
      },
    ]);
  });

  it('missing type, name and host are reported at the item', () => {
    const text = 'devices:\n  - name: a\n    host: 10.0.0.1\n  - type: tcp\n    port: 1\n';
    expect(issuesOf(load(text)).map((i) => ({ key: i.key, line: i.line, col: i.col, message: i.message }))).toEqual([
      {
        key: 'devices[0].type',
        ...at(text, '- ^name: a'),
        message: 'is required: the kind of device, one of modbus-rtu, modbus-tcp, tcp, serial, simulator',
      },
      {
        key: 'devices[1].name',
        ...at(text, '- ^type: tcp'),
        message:
          'is required: unique name of this device, used by units routes, logs and status (letters, digits, _ . -)',
      },
      {
        key: 'devices[1].host',
        ...at(text, '- ^type: tcp'),
        message: 'is required: IP address or host name to connect to',
      },
    ]);
  });

  it("framing is validated with the raw servers' framing schema; the type alone takes its defaults", () => {
    const good =
      'devices:\n  - { name: s, type: serial, path: /dev/ttyS1, framing: { type: length, size: 4, endian: little, counts: frame, max: 1MiB } }\n  - { name: t, type: tcp, host: 10.0.0.1, port: 1, framing: line }\n';
    const devices = configOf(load(good)).devices;
    expect(devices[0]).toMatchObject({
      framing: { type: 'length', size: 4, endian: 'little', counts: 'frame', max: 1024 * 1024 },
    });
    expect(devices[1]).toMatchObject({ framing: { type: 'line', delimiter: '\n', max: 4096 } });
    const bad =
      'devices:\n  - { name: s, type: tcp, host: 10.0.0.1, port: 1, framing: { type: length, size: 3, x.y: 1 } }\n  - { name: u, type: serial, path: /dev/x, framing: [line] }\n';
    expect(issuesOf(load(bad)).map((i) => [i.key, i.message])).toEqual([
      ['devices[0].framing.size', '3 is not one of 1, 2, 4'],
      [
        'devices[0].framing["x.y"]',
        expect.stringMatching(/^unknown key; allowed here: type, size, endian, counts, max/),
      ],
      ['devices[1].framing', expect.stringMatching(/^a list is not a framing: write e\.g\./)],
    ]);
  });

  it('lateReplyGuard of a modbus-rtu device is a duration (0 allowed); absent, the device uses 3 x timeout', () => {
    const text =
      'devices:\n  - { name: a, type: modbus-rtu, path: /dev/ttyS0, lateReplyGuard: 2s }\n  - { name: b, type: modbus-rtu, path: /dev/ttyS1, lateReplyGuard: 0 }\n';
    const devices = configOf(load(text)).devices;
    expect(devices[0]).toMatchObject({ lateReplyGuard: 2000 });
    expect(devices[1]).toMatchObject({ lateReplyGuard: 0 });
    const bad =
      'devices:\n  - { name: a, type: modbus-rtu, path: /dev/ttyS0, lateReplyGuard: soon }\n  - { name: t, type: modbus-tcp, host: 10.0.0.1, port: 1, lateReplyGuard: 1s }\n';
    expect(issuesOf(load(bad)).map((i) => i.key)).toEqual(['devices[0].lateReplyGuard', 'devices[1].lateReplyGuard']);
  });

  it('reconnect waits: min may not exceed max, jitter is a fraction', () => {
    const text =
      'devices:\n  - { name: t, type: tcp, host: 10.0.0.1, port: 1, reconnect: { min: 10s, max: 1s, jitter: 2 } }\n';
    expect(issuesOf(load(text)).map((i) => [i.key, i.message])).toEqual([
      ['devices[0].reconnect.min', '"10s" is longer than reconnect.max ("1s")'],
      ['devices[0].reconnect.jitter', '2 is not a fraction from 0 to 1 (e.g. 0.2)'],
    ]);
    const ok = configOf(
      load(
        'devices:\n  - { name: t, type: tcp, host: 10.0.0.1, port: 1, reconnect: { min: 50ms, max: 2s, jitter: 0 } }\n',
      ),
    );
    expect(ok.devices[0]).toMatchObject({ reconnect: { min: 50, max: 2000, jitter: 0 } });
  });

  it('a modbus-tcp device takes the client tls block (verify defaults to true); absent, no TLS', () => {
    const text =
      'devices:\n  - { name: a, type: modbus-tcp, host: plc.local, port: 802, tls: { ca: ca.pem, cert: c.pem, key: c.key } }\n  - { name: b, type: modbus-tcp, host: 10.0.0.1, port: 502 }\n';
    const devices = configOf(load(text)).devices;
    expect(devices[0]).toMatchObject({ tls: { ca: 'ca.pem', cert: 'c.pem', key: 'c.key', verify: true } });
    expect(devices[1]).not.toHaveProperty('tls');
    const bad =
      'devices:\n  - { name: a, type: modbus-tcp, host: 10.0.0.1, port: 802, tls: { cert: c.pem, verify: maybe } }\n  - { name: r, type: modbus-rtu, host: 10.0.0.2, port: 4001, tls: { ca: ca.pem } }\n';
    expect(issuesOf(load(bad)).map((i) => [i.key, i.message])).toEqual([
      ['devices[0].tls.cert', 'a client certificate needs its key: add key'],
      ['devices[0].tls.verify', '"maybe" is not true or false'],
      ['devices[1].tls', expect.stringMatching(/^unknown key/)],
    ]);
  });
});
