/**
 * readOnly is an allow list: FC 1, 2, 3, 4, 20 and 43/14 pass; everything else (FC 8 diagnostics
 * such as "restart communications", FC 21 write file record, vendor codes) is answered 01 and never
 * reaches a device. Through a route to a fake PLC and through a bank, from raw sockets.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { encodeAdu } from '../../src/codec/mbap.js';
import { rawConnect } from '../helpers/clients.js';
import { startFakePlc, type FakePlc } from '../helpers/fake-plc.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { hex } from '../helpers/hex.js';

let gw: RunningGateway | undefined;
let plc: FakePlc | undefined;
afterEach(async () => {
  await gw?.stop();
  await plc?.close();
  gw = undefined;
  plc = undefined;
});

/** Requests a read-only server must refuse: answered 01 with their function code. */
const REFUSED: readonly [string, string][] = [
  ['FC 8 sub 1 (restart communications)', '08 0001 0000'],
  ['FC 8 sub 4 (force listen-only mode)', '08 0004 0000'],
  ['FC 8 sub 0 (return query data)', '08 0000 1234'],
  ['FC 21 (write file record)', '15 09 06 0004 0007 0001 0102'],
  ['FC 90 (vendor)', '5a 0102 0304'],
  ['FC 5 (write coil)', '05 0000 ff00'],
  ['FC 16 (write registers)', '10 0000 0001 02 0005'],
  ['FC 43/13 (CANopen general reference)', '2b 0d 00 00'],
  ['FC 17 (report server id)', '11'],
];

/** Requests that pass (the device's or the bank's answer, whatever it is). */
const PASSED: readonly string[] = [
  '01 0000 0008',
  '02 0000 0008',
  '03 0000 0002',
  '04 0000 0001',
  '2b 0e 01 00',
  '14 07 06 0004 0001 0002',
];

/** Sends each PDU to `unit` on `port` in turn (tids 1..n); returns each reply's PDU. */
async function ask(port: number, unit: number, pdus: readonly string[]): Promise<Buffer[]> {
  const conn = await rawConnect(port);
  const replies: Buffer[] = [];
  try {
    let offset = 0;
    for (const [i, pdu] of pdus.entries()) {
      conn.socket.write(encodeAdu(i + 1, unit, hex(pdu)));
      const got = await conn.waitFor(offset + 7);
      const length = got.readUInt16BE(offset + 4);
      const all = await conn.waitFor(offset + 6 + length);
      expect(all.readUInt16BE(offset)).toBe(i + 1);
      replies.push(all.subarray(offset + 7, offset + 6 + length));
      offset += 6 + length;
    }
  } finally {
    conn.socket.destroy();
  }
  return replies;
}

describe('readOnly: an allow list of functions', () => {
  it('through a route: refused functions are answered 01 and the device never receives them; reads pass', async () => {
    plc = await startFakePlc(1);
    gw = await startGateway(`
devices:
  - { name: plc, type: modbus-tcp, host: 127.0.0.1, port: ${plc.ports[0]}, timeout: 1s }
servers:
  - name: ro
    protocol: modbus
    listen: 127.0.0.1:0
    readOnly: true
    units: { 7: { device: plc, unit: 3 } }
`);
    const replies = await ask(
      gw.port('ro'),
      7,
      REFUSED.map(([, pdu]) => pdu),
    );
    for (const [i, [what, pdu]] of REFUSED.entries()) {
      const fc = hex(pdu)[0]!;
      expect(replies[i]?.toString('hex'), what).toBe(Buffer.from([fc | 0x80, 0x01]).toString('hex'));
    }
    expect(plc.requests.map((r) => r.pdu.toString('hex'))).toEqual([]);
    // reads pass: the device receives each of them as it was sent (and answers what it answers)
    const passed = await ask(gw.port('ro'), 7, PASSED);
    expect(passed).toHaveLength(PASSED.length);
    expect(plc.requests.map((r) => r.pdu.toString('hex'))).toEqual(PASSED.map((p) => hex(p).toString('hex')));
    expect(passed[2]?.toString('hex')).toBe('0304' + '0000' + '0001'); // FC3 from the device's registers
  });

  it('through a bank: refused functions are answered 01, the bank is unchanged; reads and 43/14 are served', async () => {
    gw = await startGateway(`
gateway: { name: ro-test }
banks:
  plant: { holding: 10, input: 10, coils: 16, discrete: 16, values: { holding: { 0: [7, 8] } } }
servers:
  - name: ro
    protocol: modbus
    listen: 127.0.0.1:0
    readOnly: true
    units: { 1: { bank: plant } }
`);
    const replies = await ask(
      gw.port('ro'),
      1,
      REFUSED.map(([, pdu]) => pdu),
    );
    for (const [i, [what, pdu]] of REFUSED.entries()) {
      const fc = hex(pdu)[0]!;
      expect(replies[i]?.toString('hex'), what).toBe(Buffer.from([fc | 0x80, 0x01]).toString('hex'));
    }
    const passed = await ask(gw.port('ro'), 1, PASSED.slice(0, 5));
    expect(passed.map((p) => p[0])).toEqual([1, 2, 3, 4, 0x2b]);
    expect(passed[2]?.toString('hex')).toBe('030400070008');
  });
});
