/** A Modbus server with serial: instead of listen: an RTU slave on a serial port. */
import { describe, expect, it } from 'vitest';
import { at, configOf, issuesOf, load } from './helpers.js';

const issues = (text: string) =>
  issuesOf(load(text)).map((i) => ({ key: i.key, line: i.line, col: i.col, message: i.message }));

const BANKS = 'banks: { plant: { holding: 10 } }\n';

describe('servers: serial', () => {
  it('a serial server gets the line defaults (19200 8E1) and no address', () => {
    const text = `${BANKS}servers:
  - { name: hmi, protocol: modbus, serial: { path: /dev/ttyUSB1 }, bank: plant }
  - { name: hmi2, protocol: modbus, serial: { path: /dev/ttyUSB2, baudRate: 9600, parity: none, stopBits: 2 }, bank: plant }
`;
    const [a, b] = configOf(load(text)).servers;
    expect(a).toMatchObject({
      name: 'hmi',
      protocol: 'modbus',
      serial: { path: '/dev/ttyUSB1', baudRate: 19200, parity: 'even', dataBits: 8, stopBits: 1 },
      bank: 'plant',
    });
    expect(a?.port).toBeUndefined();
    expect(b).toMatchObject({ serial: { path: '/dev/ttyUSB2', baudRate: 9600, parity: 'none', stopBits: 2 } });
  });

  it('exactly one of listen and serial; no pools, frame or allow list with serial', () => {
    const text = `${BANKS}servers:
  - { name: a, protocol: modbus, listen: 127.0.0.1:1502, serial: { path: /dev/ttyS0 }, bank: plant }
  - { name: b, protocol: modbus, bank: plant }
  - { name: c, protocol: modbus, serial: { path: /dev/ttyS0 }, ports: "1502-1503", frame: rtu, bank: plant }
  - { name: d, protocol: modbus, serial: { baudRate: 9600 }, bank: plant }
`;
    const tcpOnly = 'is for servers that listen on TCP; a serial server has one line and no clients to tell apart';
    expect(issues(text)).toEqual([
      {
        key: 'servers[0].serial',
        ...at(text, '1502, ^serial'),
        message: 'give either listen (a TCP server) or serial (an RTU slave on a serial port), not both',
      },
      {
        key: 'servers[1]',
        ...at(text, '^{ name: b'),
        message: 'needs listen: host:port, or serial: { path: ... } (an RTU slave on a serial port)',
      },
      { key: 'servers[2].ports', ...at(text, '/dev/ttyS0 }, ^ports'), message: `ports ${tcpOnly}` },
      { key: 'servers[2].frame', ...at(text, '^frame: rtu'), message: `frame ${tcpOnly}` },
      {
        key: 'servers[3].serial.path',
        ...at(text, 'name: d, protocol: modbus, serial: ^{'),
        message: expect.stringContaining('is required: serial port the server answers on') as string,
      },
    ]);
  });
});
