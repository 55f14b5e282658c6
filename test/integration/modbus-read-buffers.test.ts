/**
 * Modbus sessions read into one reused buffer each (transport/read-buffer.ts, through
 * transport/accepted-socket.ts). Over real loopback sockets: two clients interleave split and joined
 * frames; each must get exactly the replies to its own requests, in order, and its writes must carry
 * its own values (never the bytes another session or a later read put in a buffer).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { encodeAdu } from '../../src/codec/mbap.js';
import { readBufferFallbacks } from '../../src/transport/accepted-socket.js';
import { rawConnect, type RawConnection } from '../helpers/clients.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';

let gw: RunningGateway | undefined;
const conns: RawConnection[] = [];
afterEach(async () => {
  for (const c of conns.splice(0)) c.socket.destroy();
  await gw?.stop();
  gw = undefined;
});

const YAML = `
banks:
  plant: { holding: 1000 }
servers:
  - { name: scada, protocol: modbus, listen: "127.0.0.1:0", bank: plant, idleTimeout: 0, maxInFlight: 64 }
`;

async function connect(): Promise<RawConnection> {
  const c = await rawConnect(gw!.port('scada'));
  conns.push(c);
  return c;
}

/** Waits until the socket's peer side has taken the bytes (a separate read at the server). */
const flushed = (c: RawConnection) => new Promise<void>((r) => c.socket.write(Buffer.alloc(0), () => r()));

/** FC16 of `values` at `address`, and the reply it must get. */
function write16(tid: number, address: number, values: number[]): { req: Buffer; rsp: Buffer } {
  const pdu = Buffer.alloc(6 + 2 * values.length);
  pdu[0] = 16;
  pdu.writeUInt16BE(address, 1);
  pdu.writeUInt16BE(values.length, 3);
  pdu[5] = 2 * values.length;
  values.forEach((v, i) => pdu.writeUInt16BE(v, 6 + 2 * i));
  return { req: encodeAdu(tid, 1, pdu), rsp: encodeAdu(tid, 1, pdu.subarray(0, 5)) };
}

function read3(tid: number, address: number, values: number[]): { req: Buffer; rsp: Buffer } {
  const pdu = Buffer.alloc(5);
  pdu[0] = 3;
  pdu.writeUInt16BE(address, 1);
  pdu.writeUInt16BE(values.length, 3);
  const rsp = Buffer.alloc(2 + 2 * values.length);
  rsp[0] = 3;
  rsp[1] = 2 * values.length;
  values.forEach((v, i) => rsp.writeUInt16BE(v, 2 + 2 * i));
  return { req: encodeAdu(tid, 1, pdu), rsp: encodeAdu(tid, 1, rsp) };
}

describe('Modbus sessions reading into reused buffers', () => {
  it('keeps a split frame of one client while another client is served in between', async () => {
    gw = await startGateway(YAML);
    const a = await connect();
    const b = await connect();
    const wa = write16(0x0a01, 2, [0x1111, 0x2222]);
    const wb = write16(0x0b01, 10, [0xdead, 0xbeef, 0x5555]);
    a.socket.write(wa.req.subarray(0, 11)); // header and half the PDU
    await flushed(a);
    b.socket.write(wb.req);
    expect(await b.waitFor(wb.rsp.length)).toEqual(wb.rsp);
    a.socket.write(wa.req.subarray(11));
    expect(await a.waitFor(wa.rsp.length)).toEqual(wa.rsp);
    const holding = gw.gateway.banks.get('plant')!.holding!;
    expect([...holding.subarray(2, 4)]).toEqual([0x1111, 0x2222]);
    expect([...holding.subarray(10, 13)]).toEqual([0xdead, 0xbeef, 0x5555]);
    expect(readBufferFallbacks()).toBe(0);
  });

  it('answers two clients pipelining joined and split frames, each only with its own replies, in order', async () => {
    gw = await startGateway(YAML);
    const clients = [await connect(), await connect()];
    const expected: Buffer[][] = [[], []];
    for (let round = 0; round < 20; round++) {
      for (const [k, c] of clients.entries()) {
        // each client owns its block of registers: 100 + 50k ...; writes then reads of its own values
        const base = 100 + 50 * k;
        const values = [round, 0x1000 * (k + 1) + round, 0xffff - round];
        const w = write16((k << 12) | (2 * round), base + round, values);
        const r = read3((k << 12) | (2 * round + 1), base + round, values);
        expected[k]!.push(w.rsp, r.rsp);
        const joined = Buffer.concat([w.req, r.req]);
        const cut = 1 + ((round * 7 + k * 5) % (joined.length - 1)); // split anywhere, even in a header
        c.socket.write(joined.subarray(0, cut));
        await flushed(c);
        c.socket.write(joined.subarray(cut));
      }
    }
    for (const [k, c] of clients.entries()) {
      const want = Buffer.concat(expected[k]!);
      expect((await c.waitFor(want.length)).toString('hex')).toBe(want.toString('hex'));
    }
  });
});
