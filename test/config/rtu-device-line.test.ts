/** A modbus-rtu device on a serial port (path) or behind a serial device server (host and port). */
import { describe, expect, it } from 'vitest';
import { at, configOf, issuesOf, load } from './helpers.js';

const issues = (text: string) =>
  issuesOf(load(text)).map((i) => ({ key: i.key, line: i.line, col: i.col, message: i.message }));

describe('modbus-rtu: path, or host and port', () => {
  it('host and port: RTU over TCP; frameGap is 0 without a baudRate, t3.5 (left to the line) with one', () => {
    const text = `devices:
  - { name: a, type: modbus-rtu, host: 10.0.0.9, port: 4001 }
  - { name: b, type: modbus-rtu, host: 10.0.0.9, port: 4002, baudRate: 9600 }
  - { name: c, type: modbus-rtu, host: 10.0.0.9, port: 4003, frameGap: 5ms }
  - { name: d, type: modbus-rtu, path: /dev/ttyS0, frameGap: 4ms }
`;
    const devices = configOf(load(text)).devices;
    expect(devices[0]).toMatchObject({ host: '10.0.0.9', port: 4001, frameGap: 0, timeout: 500, retries: 1 });
    expect(devices[0]).not.toHaveProperty('path');
    expect(devices[1]).toMatchObject({ host: '10.0.0.9', port: 4002, baudRate: 9600 });
    expect((devices[1] as { frameGap?: number }).frameGap).toBeUndefined();
    expect(devices[2]).toMatchObject({ port: 4003, frameGap: 5 });
    expect(devices[3]).toMatchObject({ path: '/dev/ttyS0', frameGap: 4 });
  });

  it('exactly one of path and host+port, each error at its key', () => {
    const text = `devices:
  - { name: a, type: modbus-rtu, path: /dev/ttyS0, host: 10.0.0.9, port: 4001 }
  - { name: b, type: modbus-rtu, host: 10.0.0.9 }
  - { name: c, type: modbus-rtu, port: 4001 }
  - { name: d, type: modbus-rtu }
`;
    expect(issues(text)).toEqual([
      {
        key: 'devices[0].host',
        ...at(text, 'host: ^10.0.0.9, port: 4001 }\n  - { name: b'),
        message: 'give either path (a serial port) or host and port (a serial device server), not both',
      },
      {
        key: 'devices[1].host',
        ...at(text, 'name: b, type: modbus-rtu, host: ^10'),
        message: 'needs port: N, the TCP port of the serial device server',
      },
      {
        key: 'devices[2].port',
        ...at(text, 'name: c, type: modbus-rtu, port: ^4001'),
        message: 'needs host: the address of the serial device server',
      },
      {
        key: 'devices[3]',
        ...at(text, '^{ name: d'),
        message: 'needs path: /dev/ttyUSB0 (a serial port), or host and port (a serial device server)',
      },
    ]);
  });
});
