/**
 * The `serialport` package, loaded on first use: it brings its native binding, a mock binding and a
 * dozen parsers (about 7 MB of RSS), which a gateway without serial devices should not carry.
 */
import { createRequire } from 'node:module';
import type { SerialPort as SerialPortType } from 'serialport';

let loaded: typeof SerialPortType | undefined;

export function serialPortClass(): typeof SerialPortType {
  loaded ??= (createRequire(import.meta.url)('serialport') as typeof import('serialport')).SerialPort;
  return loaded;
}
