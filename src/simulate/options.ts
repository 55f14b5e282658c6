/**
 * The command line of `fieldgate simulate PROFILE [--connect HOST:PORT | --listen [HOST:]PORT |
 * --serial PATH] [--every DURATION] [--count N] [--baud N] [--parity none|even|odd]`.
 * Pure: a wrong command line is a FieldgateError FG_ERR_USAGE (exit 64) that says what to write.
 */
import { parseEndpoint, parseListen, parseWhole } from '../config/address.js';
import { parseDuration } from '../config/duration.js';
import type { Parity } from '../config/types.js';
import { FieldgateError } from '../errors.js';

export type Transport =
  | { readonly kind: 'connect'; readonly host: string; readonly port: number }
  | { readonly kind: 'listen'; readonly host: string; readonly port: number }
  | { readonly kind: 'serial'; readonly path: string; readonly baudRate: number; readonly parity: Parity };

export interface SimulateOptions {
  /** A profile name (hardware/profiles/NAME.yaml) or a path to a profile file. */
  readonly profile: string;
  readonly transport: Transport;
  /** Overrides the profile's simulate.every (ms; 0 = as fast as the peer takes them). */
  readonly every?: number;
  /** Stop after this many frames sent, replies given or writes acknowledged. */
  readonly count?: number;
  /** Overrides the profile's simulate.unit (plc, rtu-slave). */
  readonly unit?: number;
  /** plc, rtu-slave: the first register of the layout (default: the layout's own addresses). */
  readonly address?: number;
}

export const SIMULATE_USAGE = `fieldgate simulate PROFILE (--connect HOST:PORT | --listen [HOST:]PORT | --serial PATH) [options]

Plays the field hardware a profile describes (its simulate: section): an FPGA board streaming frames
(role stream), a camera answering triggers (answer), a PLC writing its registers with FC16 (plc), a
Modbus RTU slave on a serial line (rtu-slave; any register profile with --serial).
  --connect HOST:PORT   dial HOST:PORT (stream, answer, plc); reconnects when the connection is lost
  --listen [HOST:]PORT  accept connections (stream, answer); HOST defaults to 127.0.0.1
  --serial PATH         answer Modbus RTU on this serial port (a socat pty for tests)
  --baud N, --parity P  serial line settings (default 19200, even)
  --every DURATION      override the profile's interval (e.g. 100ms; 0 = as fast as the peer takes them)
  --count N             stop after N frames, replies or writes
  --unit N              plc, rtu-slave: the unit id (default: the profile's simulate.unit)
  --address N           plc, rtu-slave: the first register of the layout (default: its own addresses)
PROFILE is a name under hardware/profiles/ or a path to a profile file.`;

function usage(message: string): FieldgateError {
  return new FieldgateError('FG_ERR_USAGE', `simulate: ${message}`, SIMULATE_USAGE.split('\n'));
}

interface Raw {
  profile?: string;
  transports: Transport[];
  every?: number;
  count?: number;
  unit?: number;
  address?: number;
  baud: number;
  parity: Parity;
}

/** Options that take one value: given twice is a usage error, not the last one taken silently. */
const SINGLE = new Set(['--every', '--count', '--unit', '--address', '--baud', '--parity']);

export function parseSimulateArgs(argv: readonly string[]): SimulateOptions {
  const raw: Raw = { transports: [], baud: 19200, parity: 'even' };
  const serialPaths: string[] = [];
  const given = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      const v = eq > 0 && arg.startsWith('--') ? arg.slice(eq + 1) : argv[++i];
      if (v === undefined || v === '') throw usage(`${flag} needs a value`);
      const first = given.get(flag);
      if (first !== undefined && SINGLE.has(flag))
        throw usage(`${flag} is given twice ("${first}", then "${v}"): give it once`);
      given.set(flag, v);
      return v;
    };
    if (!flag.startsWith('-')) {
      if (raw.profile !== undefined) throw usage(`unexpected argument "${arg}" (the profile is "${raw.profile}")`);
      raw.profile = arg;
    } else if (flag === '--connect') raw.transports.push(connectTo(value()));
    else if (flag === '--listen') raw.transports.push(listenOn(value()));
    else if (flag === '--serial') serialPaths.push(value());
    else if (flag === '--every') raw.every = every(value());
    else if (flag === '--count') raw.count = whole(flag, value(), 1);
    else if (flag === '--unit') raw.unit = whole(flag, value(), 0, 255);
    else if (flag === '--address') raw.address = whole(flag, value(), 0, 65535);
    else if (flag === '--baud') raw.baud = whole(flag, value(), 1);
    else if (flag === '--parity') raw.parity = parity(value());
    else throw usage(`unknown option "${arg}"`);
  }
  for (const path of serialPaths) raw.transports.push({ kind: 'serial', path, baudRate: raw.baud, parity: raw.parity });
  return finish(raw);
}

function finish(raw: Raw): SimulateOptions {
  if (raw.profile === undefined)
    throw usage('which profile? e.g. fieldgate simulate fpga-telemetry --connect 127.0.0.1:7000');
  const [transport, ...more] = raw.transports;
  if (transport === undefined) throw usage('give one of --connect HOST:PORT, --listen [HOST:]PORT or --serial PATH');
  if (more.length > 0) throw usage('give only one of --connect, --listen and --serial');
  return {
    profile: raw.profile,
    transport,
    ...(raw.every !== undefined ? { every: raw.every } : {}),
    ...(raw.count !== undefined ? { count: raw.count } : {}),
    ...(raw.unit !== undefined ? { unit: raw.unit } : {}),
    ...(raw.address !== undefined ? { address: raw.address } : {}),
  };
}

function connectTo(v: string): Transport {
  const r = parseEndpoint(v);
  if (r.error !== undefined) throw usage(`--connect ${r.error}`);
  return { kind: 'connect', host: r.value.host, port: r.value.port };
}

function listenOn(v: string): Transport {
  if (/^\d+$/.test(v)) return { kind: 'listen', host: '127.0.0.1', port: whole('--listen', v, 0, 65535) };
  const r = parseListen(v);
  if (r.error !== undefined || r.value.port === undefined) throw usage(`--listen "${v}" is not PORT or HOST:PORT`);
  return { kind: 'listen', host: r.value.host, port: r.value.port };
}

function every(v: string): number {
  const r = parseDuration(/^\d+$/.test(v) ? Number(v) : v);
  if (r.error !== undefined) throw usage(`--every ${r.error}`);
  return r.value;
}

function whole(flag: string, v: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const n = parseWhole(v, min, max);
  if (n === undefined)
    throw usage(`${flag} "${v}" is not a whole number from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ''}`);
  return n;
}

function parity(v: string): Parity {
  if (v === 'none' || v === 'even' || v === 'odd') return v;
  throw usage(`--parity "${v}" is not none, even or odd`);
}
