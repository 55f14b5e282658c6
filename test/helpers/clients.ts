/** Modbus clients for tests: modbus-serial (an independent implementation) and a raw socket. */
import { createRequire } from 'node:module';
import net from 'node:net';
import type { ModbusRTU as ModbusClient } from 'modbus-serial/ModbusRTU.js';

// modbus-serial is CommonJS whose typings declare an ES default export; load it the CJS way.
const ModbusRTU = createRequire(import.meta.url)('modbus-serial') as typeof ModbusClient;
type ModbusRTU = ModbusClient;

export async function modbusClient(port: number, unit = 1, host = '127.0.0.1'): Promise<ModbusRTU> {
  const client = new ModbusRTU();
  await client.connectTCP(host, { port });
  client.setID(unit);
  client.setTimeout(2000);
  return client;
}

export function closeClient(client: ModbusRTU): Promise<void> {
  return new Promise((resolve) => {
    if (!client.isOpen) return resolve();
    client.close(() => resolve());
  });
}

/** A plain TCP connection that collects what it receives. */
export interface RawConnection {
  readonly socket: net.Socket;
  received(): Buffer;
  /** Resolves when at least `n` bytes have arrived. */
  waitFor(n: number, ms?: number): Promise<Buffer>;
  closed: Promise<void>;
}

export function rawConnect(port: number, host = '127.0.0.1'): Promise<RawConnection> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host });
    const chunks: Buffer[] = [];
    const waiters: (() => void)[] = [];
    socket.on('data', (c) => {
      chunks.push(c);
      waiters.splice(0).forEach((w) => w());
    });
    socket.on('error', () => undefined);
    const closed = new Promise<void>((r) => socket.on('close', () => r()));
    const received = () => Buffer.concat(chunks);
    const waitFor = (n: number, ms = 2000) =>
      new Promise<Buffer>((res, rej) => {
        const timer = setTimeout(() => rej(new Error(`only ${received().length} of ${n} bytes within ${ms} ms`)), ms);
        const check = () => {
          if (received().length >= n) {
            clearTimeout(timer);
            res(received());
          } else waiters.push(check);
        };
        check();
      });
    socket.once('connect', () => resolve({ socket, received, waitFor, closed }));
    socket.once('error', reject);
  });
}
