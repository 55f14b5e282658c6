/**
 * A serial line for byte-exact tests: @serialport/binding-mock behind the RTU transport's opener.
 * The test sees every frame the transport writes (in order) and plays the slave with `reply`.
 */
import { SerialPortMock } from 'serialport';
import type { PortFactory } from '../../src/transport/serial-opener.js';

export interface MockLine {
  readonly path: string;
  readonly open: PortFactory;
  /** Every frame written so far. */
  readonly writes: Buffer[];
  /** The next frame written after the ones already taken by nextWrite (bounded wait). */
  nextWrite(ms?: number): Promise<Buffer>;
  /** Bytes from the slave. */
  reply(bytes: Buffer | string): void;
  /** The port as it is open now (undefined when closed). */
  current(): SerialPortMock | undefined;
  /** How many times the port was opened successfully. */
  opens(): number;
}

/**
 * The mock binding serialport itself uses (its CommonJS instance: importing '@serialport/binding-mock'
 * from ESM loads a second copy whose ports SerialPortMock does not see).
 */
export const MockBinding = SerialPortMock.binding;
type MockPortBinding = NonNullable<SerialPortMock['port']>;

let seq = 0;
export const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

export function mockLine(create = true): MockLine {
  const path = `/dev/fieldgate-mock-${process.pid}-${++seq}`;
  if (create) MockBinding.createPort(path, { echo: false, record: false });
  const writes: Buffer[] = [];
  const waiters: (() => void)[] = [];
  let taken = 0;
  let opened = 0;
  let port: SerialPortMock | undefined;
  const hook = (p: SerialPortMock): void => {
    const binding = p.port as MockPortBinding;
    const write = binding.write.bind(binding);
    binding.write = async (buf: Buffer) => {
      await write(buf);
      writes.push(Buffer.from(buf));
      waiters.splice(0).forEach((w) => w());
    };
  };
  const open: PortFactory = (line, onOpen) => {
    const p: SerialPortMock = new SerialPortMock({ path: line.path, baudRate: line.baudRate }, (err) => {
      if (!err) {
        opened++;
        hook(p);
      }
      onOpen(err ?? null);
    });
    p.on('close', () => {
      if (port === p) port = undefined;
    });
    port = p;
    return p;
  };
  const nextWrite = (ms = 2000) =>
    new Promise<Buffer>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no frame written within ${ms} ms`)), ms);
      const check = () => {
        const frame = writes[taken];
        if (frame) {
          taken++;
          clearTimeout(timer);
          resolve(frame);
        } else waiters.push(check);
      };
      check();
    });
  const reply = (bytes: Buffer | string) => {
    const binding = port?.port;
    if (!binding) throw new Error('mock port is not open');
    binding.emitData(typeof bytes === 'string' ? hex(bytes) : bytes);
  };
  return { path, open, writes, nextWrite, reply, current: () => port, opens: () => opened };
}
