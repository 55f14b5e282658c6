/** The keys of each device type, with their defaults. */
import { optionalSection, required, section, type Leaf } from '../declare/kit.js';
import { choice, duration, fraction, host, int, name, portList, text } from '../declare/leaves.js';
import { optionalClientTls } from './client-tls.js';
import { FRAMING } from './framing.js';
import { SIGNAL_MAP } from './signal.js';

export const DEVICE_TYPES = ['modbus-rtu', 'modbus-tcp', 'tcp', 'serial', 'simulator'] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

export const PARITIES = ['none', 'even', 'odd'] as const;
/** The shortest tick: a simulator is for people watching values, not a load generator. */
export const MIN_SIMULATOR_EVERY_MS = 10;

const COMMON = {
  name: name({
    doc: 'unique name of this device, used by units routes, logs and status (letters, digits, _ . -)',
    required: true,
    example: 'rs485',
  }),
  type: choice(DEVICE_TYPES, { doc: `the kind of device: ${DEVICE_TYPES.join(', ')}`, required: true }),
};

export function serialLine(
  baudRate: number,
  parity: (typeof PARITIES)[number],
  pathDoc = 'serial port device, e.g. /dev/ttyUSB0',
) {
  return {
    path: text({ doc: pathDoc, required: true, example: '/dev/ttyUSB0' }),
    baudRate: int({ doc: 'line speed in bits per second', min: 1, default: baudRate }),
    parity: choice(PARITIES, { doc: 'none | even | odd', default: parity }),
    dataBits: int({ doc: 'data bits, 5..8', min: 5, max: 8, default: 8 }) as Leaf<5 | 6 | 7 | 8, false>,
    stopBits: choice([1, 2], { doc: 'stop bits, 1 or 2', default: 1 }),
  };
}

function queueing(timeout: string, retries: number) {
  return {
    timeout: duration({ doc: 'response timeout per attempt', min: 1, default: timeout }),
    retries: int({
      doc: 'attempts after the first when a request times out, 0..10',
      min: 0,
      max: 10,
      default: retries,
    }),
    queue: int({
      doc: 'requests waiting for the device, 1..1024; past this the reply is exception 06 (busy)',
      min: 1,
      max: 1024,
      default: 32,
    }),
  };
}

const hostKey = host({ doc: 'IP address or host name to connect to', required: true, example: '192.168.1.50' });
const framing = {
  ...FRAMING,
  doc: 'how what the device sends is cut into frames (so sessions get whole frames): none | line | length | fixed (omit: none)',
};

/** What a raw device sends, decoded with a profile into a bank's points. */
const decode = optionalSection('what the device sends, decoded with a profile into bank points', {
  profile: text({
    doc: 'the profile what the device sends is decoded with: a name under hardware/profiles, or a .yaml path relative to this file',
    required: true,
    example: 'camera-trigger',
  }),
  bank: name({ doc: 'the bank the decoded values land in', required: true, example: 'camera' }),
});

/**
 * Devices come back by themselves: reconnect (TCP) or reopen (serial) with backoff, from `min` to `max`, less up to
 * `jitter` of it.
 */
export const reconnect = (what: string, min = '500ms', max = '30s') =>
  section('reconnection after a failure: exponential backoff', {
    min: duration({ doc: `first wait before trying to ${what} again`, min: 1, default: min }),
    max: duration({
      doc: 'longest wait between attempts (the wait doubles after each failure up to this)',
      min: 1,
      default: max,
    }),
    jitter: fraction({
      doc: 'each wait is shortened by a random fraction up to this, 0..1, so devices do not retry in step',
      default: 0.2,
    }),
  });

export const DEVICE_KEYS = {
  'modbus-rtu': {
    ...COMMON,
    ...serialLine(19200, 'even'),
    path: text({
      doc: 'serial port device, e.g. /dev/ttyUSB0 (or host and port for a serial device server)',
      example: '/dev/ttyUSB0',
    }),
    host: host({
      doc: 'a serial device server (Moxa NPort, USR-TCP232 in TCP server mode) that passes RTU frames to the bus: its IP address or name (with port; instead of path)',
      example: '192.168.1.60',
    }),
    port: int({ doc: 'TCP port of the serial device server, 1..65535 (with host)', min: 1, max: 65535, example: 4001 }),
    frameGap: duration({
      doc: 'silence before each request: default t3.5 of baudRate on a serial port; over host/port, t3.5 of baudRate when baudRate is given, else 0 (the device server keeps the bus timing)',
    }),
    ...queueing('500ms', 1),
    lateReplyGuard: duration({
      doc: 'after a timeout, how long the line must be quiet before the next request (a late reply meanwhile is dropped); 0 = t3.5 only (default 3 x timeout)',
    }),
    reconnect: reconnect('open the port (or connect to host:port)', '250ms', '5s'), // a Modbus master is back within 5 s
  },
  'modbus-tcp': {
    ...COMMON,
    host: hostKey,
    port: int({ doc: 'TCP port of the device, 1..65535', min: 1, max: 65535, example: 502 }),
    ports: portList({ doc: 'several ports of the same device, one connection (lane) each, e.g. [9601, 9602]' }),
    unit: int({ doc: 'unit id sent to the device, 0..255', min: 0, max: 255, default: 1 }),
    ...queueing('1s', 0),
    maxInFlight: int({
      doc: 'requests in flight per lane (connection), 1..16; 1 (default) suits PLC server blocks that take one request at a time',
      min: 1,
      max: 16,
      default: 1,
    }),
    reconnect: reconnect('connect', '250ms', '5s'),
    tls: optionalClientTls(
      'Modbus/TCP Security: connect with TLS 1.2+ (every lane); files in PEM form, read at every connect; the server name checked is host unless host is an IP address',
    ),
  },
  tcp: {
    ...COMMON,
    host: hostKey,
    port: int({ doc: 'TCP port of the device, 1..65535', min: 1, max: 65535, required: true, example: 3000 }),
    framing,
    decode,
    reconnect: reconnect('connect'),
    connectTimeout: duration({ doc: 'how long one connection attempt may take', min: 1, default: '5s' }),
    keepAlive: duration({ doc: 'TCP keepalive idle time before the first probe; 0 = off', default: '30s' }),
  },
  serial: { ...COMMON, ...serialLine(115200, 'none'), framing, decode, reconnect: reconnect('open the port') },
  simulator: {
    ...COMMON,
    bank: name({ doc: 'the bank whose points the simulator writes', required: true, example: 'demo' }),
    every: duration({
      doc: `how often every signal is written, at least ${MIN_SIMULATOR_EVERY_MS}ms (default 1s)`,
      min: MIN_SIMULATOR_EVERY_MS,
      default: '1s',
    }),
    signals: required(SIGNAL_MAP),
  },
} as const;

export const DOCS: Readonly<Record<keyof typeof DEVICE_KEYS, string>> = {
  'modbus-rtu': 'a Modbus RTU bus on a serial port (units routes and polls reach its slaves)',
  'modbus-tcp': 'a Modbus TCP device (a PLC): routes and polls reach it over one or more connections',
  tcp: 'a raw TCP device (a camera, a board): raw servers bridge to it, commands send to it',
  serial: 'a raw serial device',
  simulator: 'a simulator writing signals into the points of a bank (commissioning without hardware)',
};
