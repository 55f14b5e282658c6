/**
 * A Modbus server with `frame: rtu`: RTU frames (unit + PDU + CRC) over TCP, as a SCADA set up for a
 * serial device server sends them. Read and written by pymodbus' TCP client with its RTU framer (a
 * client fieldgate did not write); a frame with a bad CRC is dropped without a reply and counted in
 * /status and /metrics; a function code whose length cannot be told closes the session. Unit 0 is a
 * broadcast, as on an RTU bus: a write is executed once on every bank the server serves and never
 * answered, a read is ignored; the next request on the connection is answered as usual.
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeRtuFrame } from '../../src/codec/rtu/frame.js';
import { rawConnect } from '../helpers/clients.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { hex } from '../helpers/hex.js';
import { parsePrometheusText, sampleValue } from '../helpers/prom-text.js';
import { PYTHON } from './pty.js';
import { run } from './tools.js';

const PY_READS = fileURLToPath(new URL('./tcp_reads.py', import.meta.url));

let gw: RunningGateway;
let base = '';

beforeAll(async () => {
  gw = await startGateway(`
status: { listen: 127.0.0.1:0 }
banks:
  plant:
    holding: 100
    values: { holding: { 0: [11, 12, 13, 14, 15] } }
  line2:
    holding: 100
servers:
  - name: hmi
    protocol: modbus
    frame: rtu
    listen: 127.0.0.1:0
    units: { 1: { bank: plant }, 2: { bank: line2 }, 3: { bank: plant } }
`);
  base = `http://127.0.0.1:${gw.gateway.statusPort}`;
});

afterAll(async () => {
  await gw?.stop();
});

async function serverStatus(): Promise<{ crcErrors?: number }> {
  const doc = (await (await fetch(`${base}/status`)).json()) as { servers: { name: string; crcErrors?: number }[] };
  return doc.servers.find((s) => s.name === 'hmi') ?? {};
}

describe('frame: rtu (RTU over TCP server)', () => {
  it('pymodbus with its RTU framer over TCP reads, writes and gets exceptions from the bank', async () => {
    const r = await run(PYTHON, [PY_READS, String(gw.port('hmi')), '1', 'rtu']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout.trim().split('\n').at(-1)!)).toEqual({
      read: [11, 12, 13, 14, 15],
      written: [4321],
      bad_address: 2,
    });
  });

  it('replies are RTU frames; a frame with a bad CRC is dropped without a reply and counted', async () => {
    expect((await serverStatus()).crcErrors).toBe(0);
    const conn = await rawConnect(gw.port('hmi'));
    try {
      const bad = encodeRtuFrame(1, hex('03 0000 0001'));
      bad.writeUInt8(bad.at(-1)! ^ 0x5a, bad.length - 1);
      // the bad frame, then a good one, split across writes: only the good one is answered
      const good = encodeRtuFrame(1, hex('03 0001 0002'));
      const both = Buffer.concat([bad, good]);
      conn.socket.write(both.subarray(0, 11));
      conn.socket.write(both.subarray(11));
      const reply = await conn.waitFor(9);
      expect(reply).toEqual(encodeRtuFrame(1, hex('03 04 000c 000d')));
      expect((await serverStatus()).crcErrors).toBe(1);
      const families = parsePrometheusText(await (await fetch(`${base}/metrics`)).text());
      expect(sampleValue(families, 'fieldgate_server_crc_errors_total', { server: 'hmi' })).toBe(1);
    } finally {
      conn.socket.destroy();
    }
  });

  it('a function code whose request length cannot be told closes the session', async () => {
    const conn = await rawConnect(gw.port('hmi'));
    conn.socket.write(hex('01 41 0000 0000'));
    await conn.closed;
    expect(conn.received()).toEqual(Buffer.alloc(0));
    expect(gw.captured.lines.some((l) => String(l.reason).includes('function code 65'))).toBe(true);
  });

  it('a broadcast write (unit 0) lands in every bank without a reply; the next request is answered', async () => {
    const conn = await rawConnect(gw.port('hmi'));
    try {
      // FC16 to unit 0: holding 60..61 = 0x1234 0x5678; then, on the same connection, a read of unit 2
      conn.socket.write(encodeRtuFrame(0, hex('10 003c 0002 04 1234 5678')));
      conn.socket.write(encodeRtuFrame(2, hex('03 003c 0002')));
      const reply = await conn.waitFor(9);
      expect(reply).toEqual(encodeRtuFrame(2, hex('03 04 1234 5678')));
      expect([...(gw.gateway.banks.get('plant')?.holding?.subarray(60, 62) ?? [])]).toEqual([0x1234, 0x5678]);
      expect([...(gw.gateway.banks.get('line2')?.holding?.subarray(60, 62) ?? [])]).toEqual([0x1234, 0x5678]);
    } finally {
      conn.socket.destroy();
    }
  });

  it('a broadcast read (unit 0) gets no reply; the next request is answered', async () => {
    const conn = await rawConnect(gw.port('hmi'));
    try {
      conn.socket.write(
        Buffer.concat([encodeRtuFrame(0, hex('03 0000 0002')), encodeRtuFrame(1, hex('03 0000 0001'))]),
      );
      const reply = await conn.waitFor(7);
      expect(reply).toEqual(encodeRtuFrame(1, hex('03 02 000b')));
    } finally {
      conn.socket.destroy();
    }
  });
});
