/**
 * A programmable Modbus TCP "PLC" on loopback for device-link tests: serves holding registers
 * (FC 3, 6, 16), counts connections and requests, and can misbehave on demand: hold its replies
 * (a slow device), stay silent, or answer with a wrong transaction id.
 */
import net from 'node:net';
import { encodeAdu, MbapFramer } from '../../src/codec/mbap.js';

export interface PlcRequest {
  readonly conn: number;
  readonly port: number;
  readonly tid: number;
  readonly unit: number;
  readonly pdu: Buffer;
}

export interface FakePlcOptions {
  /** Hold every reply until release() is called. */
  hold?: boolean;
  /** Never answer. */
  silent?: boolean;
  /** Answer the next N requests with transaction id + 1. */
  wrongTid?: number;
  /** Answer every write with this exception code. */
  writeException?: number;
}

export interface FakePlc {
  readonly ports: number[];
  readonly holding: Uint16Array;
  readonly requests: PlcRequest[];
  readonly options: FakePlcOptions;
  /** Connections accepted, per port. */
  connections(port: number): number;
  /** Connections open now, per port. */
  open(port: number): number;
  release(): void;
  close(): Promise<void>;
}

function serve(holding: Uint16Array, pdu: Buffer, o: FakePlcOptions): Buffer {
  const fc = pdu[0] ?? 0;
  const ex = (code: number) => Buffer.from([fc | 0x80, code]);
  const address = pdu.length >= 3 ? pdu.readUInt16BE(1) : 0;
  if ((fc === 6 || fc === 16) && o.writeException) return ex(o.writeException);
  if (fc === 3) {
    const n = pdu.readUInt16BE(3);
    if (address + n > holding.length) return ex(2);
    const out = Buffer.alloc(2 + 2 * n);
    out[0] = 3;
    out[1] = 2 * n;
    for (let i = 0; i < n; i++) out.writeUInt16BE(holding[address + i] ?? 0, 2 + 2 * i);
    return out;
  }
  if (fc === 6) {
    if (address >= holding.length) return ex(2);
    holding[address] = pdu.readUInt16BE(3);
    return Buffer.from(pdu);
  }
  if (fc === 16) {
    const n = pdu.readUInt16BE(3);
    if (address + n > holding.length) return ex(2);
    for (let i = 0; i < n; i++) holding[address + i] = pdu.readUInt16BE(6 + 2 * i);
    return Buffer.from(pdu.subarray(0, 5));
  }
  return ex(1);
}

export async function startFakePlc(lanes = 1, options: FakePlcOptions = {}, size = 1000): Promise<FakePlc> {
  const holding = new Uint16Array(size).map((_, i) => i);
  const requests: PlcRequest[] = [];
  const accepted = new Map<number, number>();
  const sockets = new Set<net.Socket>();
  const held: (() => void)[] = [];
  let conn = 0;
  const servers: net.Server[] = [];
  const ports: number[] = [];
  for (let i = 0; i < lanes; i++) {
    const server = net.createServer((socket) => {
      const port = socket.localPort ?? 0;
      const id = ++conn;
      accepted.set(port, (accepted.get(port) ?? 0) + 1);
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined);
      const framer = new MbapFramer();
      socket.on('data', (chunk: Buffer) => {
        framer.feed(chunk, (frame) => {
          const tid = frame.readUInt16BE(0);
          const unit = frame[6] ?? 0;
          const pdu = Buffer.from(frame.subarray(7));
          requests.push({ conn: id, port, tid, unit, pdu });
          if (options.silent) return;
          let replyTid = tid;
          if (options.wrongTid) {
            options.wrongTid--;
            replyTid = (tid + 1) & 0xffff;
          }
          const answer = () => socket.write(encodeAdu(replyTid, unit, serve(holding, pdu, options)));
          if (options.hold) held.push(answer);
          else answer();
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    ports.push((server.address() as net.AddressInfo).port);
  }
  return {
    ports,
    holding,
    requests,
    options,
    connections: (port) => accepted.get(port) ?? 0,
    open: (port) => [...sockets].filter((s) => s.localPort === port).length,
    release: () => {
      options.hold = false;
      held.splice(0).forEach((answer) => answer());
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
    },
  };
}
