/**
 * Opens a serial port for a ReconnectingLine, through the `serialport` package (prebuilt bindings).
 * A port that disappears (USB unplugged, a pty whose other side closed) is closed by serialport with
 * a disconnect error; the line then opens it again when the path is back. Tests open
 * `SerialPortMock` (@serialport/binding-mock) through the same factory shape.
 */
import { EventEmitter } from 'node:events';
import { writeSync } from 'node:fs';
import type { SerialPortStream } from '@serialport/stream';
import type { SerialPort } from 'serialport';
import type { SerialDeviceConfig } from '../config/types.js';
import type { LineOpener } from './line.js';
import { serialPortClass } from './serialport-class.js';

/** How a serial line is set up (raw serial and Modbus RTU devices alike). */
export type SerialSettings = Pick<SerialDeviceConfig, 'path' | 'baudRate' | 'dataBits' | 'parity' | 'stopBits'>;

/** An open port, with what the real one adds for the RTU transport's timing (a mock has neither). */
export interface SerialPortLike extends SerialPortStream {
  /** Writes synchronously when it can (all or nothing); false: use write(). */
  writeNow?(frame: Buffer): boolean;
  /**
   * Calls `listener` (once open) whenever the driver reports bytes waiting to be read: before the
   * read that delivers them, which goes through the thread pool.
   */
  watchArrivals?(listener: () => void): void;
}

/** Builds the port object; `opened` is called once with the result. */
export type PortFactory = (settings: SerialSettings, opened: (err: Error | null) => void) => SerialPortLike;

export const openSerialPort: PortFactory = (s, opened) => {
  const port = new (serialPortClass())(
    {
      path: s.path,
      baudRate: s.baudRate,
      dataBits: s.dataBits,
      parity: s.parity,
      stopBits: s.stopBits,
      autoOpen: true,
    },
    (err) => opened(err ?? null),
  );
  return Object.assign(port, {
    writeNow: (frame: Buffer) => writeNow(port, frame),
    watchArrivals: (listener: () => void) => watchArrivals(port, listener),
  });
};

export function serialOpener(
  settings: SerialSettings,
  factory: PortFactory = openSerialPort,
): LineOpener<SerialPortLike> {
  return {
    target: settings.path,
    open: (opened) => factory(settings, opened),
    close(port: SerialPortLike) {
      return new Promise((resolve) => {
        if (!port.isOpen) {
          port.destroy();
          return resolve();
        }
        port.close(() => {
          port.destroy();
          resolve();
        });
      });
    },
  };
}

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
