/**
 * Opens a serial port for a ReconnectingLine, through the `serialport` package (prebuilt bindings).
 * A port that disappears (USB unplugged, a pty whose other side closed) is closed by serialport with
 * a disconnect error; the line then opens it again when the path is back.
 */
import type { Duplex } from 'node:stream';
import { serialPortClass } from './serialport-class.js';
import type { SerialPortStream } from '@serialport/stream';
import type { Parity } from '../config/types.js';
import type { LineOpener } from './line.js';

export interface SerialSettings {
  readonly path: string;
  readonly baudRate: number;
  readonly dataBits: 5 | 6 | 7 | 8;
  readonly parity: Parity;
  readonly stopBits: 1 | 2;
}

/** Builds the port object (tests pass one that makes a SerialPortMock). */
export type PortFactory = (settings: SerialSettings, opened: (err: Error | null) => void) => SerialPortStream;

const realPort: PortFactory = (s, opened) =>
  new (serialPortClass())(
    { path: s.path, baudRate: s.baudRate, dataBits: s.dataBits, parity: s.parity, stopBits: s.stopBits, autoOpen: true },
    (err) => opened(err ?? null),
  );

export function serialOpener(settings: SerialSettings, factory: PortFactory = realPort): LineOpener {
  return {
    target: settings.path,
    open: (opened) => factory(settings, opened),
    close(stream: Duplex) {
      const port = stream as SerialPortStream;
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
