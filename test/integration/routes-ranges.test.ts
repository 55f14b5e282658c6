/**
 * Unit ranges and a server-level device, end to end: a fake Modbus TCP PLC on loopback sees every
 * routed request with the client's unit id unchanged; units named under `units` still go to their bank.
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

function yaml(port: number, serve: string): string {
  return `
banks:
  local: { holding: 4, values: { holding: { 0: [500, 501, 502, 503] } } }
devices:
  - { name: plc, type: modbus-tcp, host: 127.0.0.1, port: ${port}, timeout: 300ms }
servers:
  - name: scada
    protocol: modbus
    listen: 127.0.0.1:0
${serve}
`;
}

/** Sends FC3 (address 1, 1 register) to each unit in turn; returns each reply's unit and PDU. */
async function readEach(port: number, units: readonly number[], exceptions = 0): Promise<[number, string][]> {
  const conn = await rawConnect(port);
  try {
    conn.socket.write(Buffer.concat(units.map((u, i) => encodeAdu(i, u, hex('03 0001 0001')))));
    // a register reply is 11 bytes, an exception reply 9
    const got = await conn.waitFor(units.length * 11 - exceptions * 2);
    const out: [number, string][] = [];
    for (let at = 0; at < got.length; at += 6 + got.readUInt16BE(at + 4)) {
      const adu = got.subarray(at, at + 6 + got.readUInt16BE(at + 4));
      out.push([adu[6] ?? -1, adu.subarray(7).toString('hex')]);
    }
    return out;
  } finally {
    conn.socket.destroy();
  }
}

describe('unit ranges and a server-level device', () => {
  it('server-level device: every unit not named goes to the device unchanged; named units to their bank', async () => {
    plc = await startFakePlc(1);
    gw = await startGateway(yaml(plc.ports[0]!, '    device: plc\n    units: { 5: { bank: local } }'));
    const units = [1, 2, 5, 17, 247, 255];
    const replies = await readEach(gw.port('scada'), units);
    // the PLC's register 1 holds 1; the bank's holds 501 (0x01f5)
    expect(replies).toEqual([
      [1, '03020001'],
      [2, '03020001'],
      [5, '030201f5'],
      [17, '03020001'],
      [247, '03020001'],
      [255, '03020001'],
    ]);
    expect(plc.requests.map((r) => r.unit)).toEqual([1, 2, 17, 247, 255]);
    expect(plc.requests.every((r) => r.pdu.toString('hex') === '0300010001')).toBe(true);
  });

  it('a range routes its ids unchanged; ids outside every key answer 0A', async () => {
    plc = await startFakePlc(1);
    gw = await startGateway(
      yaml(
        plc.ports[0]!,
        '    units:\n      "1-10": { device: plc }\n      "11": { bank: local }\n      "20-30": { device: plc }',
      ),
    );
    const replies = await readEach(gw.port('scada'), [1, 10, 11, 12, 20, 30, 31], 2);
    expect(replies).toEqual([
      [1, '03020001'],
      [10, '03020001'],
      [11, '030201f5'],
      [12, '830a'],
      [20, '03020001'],
      [30, '03020001'],
      [31, '830a'],
    ]);
    expect(plc.requests.map((r) => r.unit)).toEqual([1, 10, 20, 30]);
  });
});
