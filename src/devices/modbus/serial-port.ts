/**
 * The serial port as the RTU transport uses it, and the default opener (the `serialport` package,
 * prebuilt bindings). Tests open `SerialPortMock` (@serialport/binding-mock) through the same shape.
 */
import { EventEmitter } from 'node:events';
import { writeSync } from 'node:fs';
import type { SerialPort } from 'serialport';
import { serialPortClass } from '../../transport/serialport-class.js';
import type { ModbusRtuDeviceConfig } from '../../config/types.js';

export interface SerialPortLike {
  on(event: 'data', listener: (chunk: Buffer) => void): unknown;
  on(event: 'error', listener: (err: Error) => void): unknown;
  on(event: 'close', listener: (err?: Error | null) => void): unknown;
  write(data: Buffer, callback: (err: Error | null | undefined) => void): boolean;
  close(callback?: (err: Error | null) => void): void;
  removeAllListeners(): unknown;
  readonly isOpen: boolean;
  /** Writes synchronously when it can (all or nothing); false: use write(). */
  writeNow?(frame: Buffer): boolean;
  /**
   * Calls `listener` (once open) whenever the driver reports bytes waiting to be read: before the
   * read that delivers them, which goes through the thread pool.
   */
  watchArrivals?(listener: () => void): void;
}

export type SerialLine = Pick<ModbusRtuDeviceConfig, 'path' | 'baudRate' | 'dataBits' | 'parity' | 'stopBits'>;

/** Opens the port; `onOpen` is called once with the result. */
export type PortOpener = (line: SerialLine, onOpen: (err: Error | null) => void) => SerialPortLike;

export const openSerialPort: PortOpener = (line, onOpen) => {
  const port = new (serialPortClass())(
    { path: line.path, baudRate: line.baudRate, dataBits: line.dataBits, parity: line.parity, stopBits: line.stopBits, autoOpen: true },
    (err) => onOpen(err ?? null),
  );
  return Object.assign(port, {
    writeNow: (frame: Buffer) => writeNow(port, frame),
    watchArrivals: (listener: () => void) => watchArrivals(port, listener),
  });
};

/** The binding's poller says "readable" when the tty has bytes and the stream waits for them. */
function watchArrivals(port: SerialPort, listener: () => void): void {
  const poller = (port.port as { poller?: unknown } | undefined)?.poller;
  if (!(poller instanceof EventEmitter)) return;
  poller.on('readable', (err: unknown) => {
    if (!err) listener();
  });
}

/**
 * Writes a frame straight into the tty (a request is at most 256 bytes: the kernel takes it at once),
 * saving the thread-pool round trip of the stream's asynchronous write, which would otherwise be
 * paid on the bus for every request. False when that is not possible (nothing was written).
 */
function writeNow(port: SerialPort, frame: Buffer): boolean {
  const fd = (port.port as { fd?: unknown } | undefined)?.fd;
  if (typeof fd !== 'number' || !port.isOpen || port.writableLength > 0) return false;
  try {
    return writeSync(fd, frame) === frame.length;
  } catch {
    return false;
  }
}
