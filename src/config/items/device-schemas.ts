/** The convict schema of each device type, with its defaults (DESIGN §2.2). */
import type { Leaf, SchemaDef } from '../convict-bridge.js';
import { CHOICE, DURATION, FRACTION, HOST, INT, NAME, PORT_LIST, TEXT } from '../formats.js';
import { SIMULATOR_SCHEMA } from './simulator-device.js';
import { FRAMING_LEAF } from './framing.js';
import type { Parity } from '../types.js';

export const DEVICE_TYPES = ['modbus-rtu', 'modbus-tcp', 'tcp', 'serial', 'simulator'] as const;
export type DeviceType = (typeof DEVICE_TYPES)[number];

const PARITIES: readonly Parity[] = ['none', 'even', 'odd'];

const COMMON: SchemaDef = {
  name: {
    doc: 'unique name of this device, used by units routes, logs and status (letters, digits, _ . -)',
    format: NAME, default: undefined, required: true,
  },
  type: { doc: `the kind of device: ${DEVICE_TYPES.join(', ')}`, format: CHOICE, values: DEVICE_TYPES, default: undefined, required: true },
};

function serialLine(baudRate: number, parity: Parity): SchemaDef {
  return {
    path: { doc: 'serial port device, e.g. /dev/ttyUSB0', format: TEXT, default: undefined, required: true },
    baudRate: { doc: 'line speed in bits per second', format: INT, min: 1, default: baudRate },
    parity: { doc: 'none | even | odd', format: CHOICE, values: PARITIES, default: parity },
    dataBits: { doc: 'data bits, 5..8', format: INT, min: 5, max: 8, default: 8 },
    stopBits: { doc: 'stop bits, 1 or 2', format: CHOICE, values: [1, 2], default: 1 },
  };
}

function queueing(timeout: string, retries: number): SchemaDef {
  return {
    timeout: { doc: 'response timeout per attempt', format: DURATION, min: 1, default: timeout },
    retries: { doc: 'attempts after the first when a request times out, 0..10', format: INT, min: 0, max: 10, default: retries },
    queue: { doc: 'requests waiting for the device, 1..1024; past this the reply is exception 06 (busy)', format: INT, min: 1, max: 1024, default: 32 },
  };
}

const host: Leaf = { doc: 'IP address or host name to connect to', format: HOST, default: undefined, required: true };
const framing: Leaf = {
  ...FRAMING_LEAF,
  doc: 'how what the device sends is cut into frames (so sessions get whole frames): none | line | length | fixed (omit: none)',
};

/** What a raw device sends, decoded with a profile into a bank's points. */
const decode: SchemaDef = {
  decode: {
    profile: { doc: 'the profile what the device sends is decoded with: a name under hardware/profiles, or a .yaml path relative to this file', format: TEXT, default: undefined, required: true },
    bank: { doc: 'the bank the decoded values land in', format: NAME, default: undefined, required: true },
  },
};

/** Devices come back by themselves: reconnect (TCP) or reopen (serial) with backoff. */
function reconnect(what: string, min = '500ms', max = '30s'): SchemaDef {
  return {
    reconnect: {
      min: { doc: `first wait before trying to ${what} again`, format: DURATION, min: 1, default: min },
      max: { doc: 'longest wait between attempts (the wait doubles after each failure up to this)', format: DURATION, min: 1, default: max },
      jitter: { doc: 'each wait is shortened by a random fraction up to this, 0..1, so devices do not retry in step', format: FRACTION, default: 0.2 },
    },
  };
}

export const DEVICE_SCHEMAS: Readonly<Record<DeviceType, SchemaDef>> = {
  'modbus-rtu': {
    ...COMMON,
    ...serialLine(19200, 'even'),
    ...queueing('500ms', 1),
    lateReplyGuard: {
      doc: 'after a timeout, how long the line must be quiet before the next request (a late reply meanwhile is dropped); 0 = t3.5 only (default 3 x timeout)',
      format: DURATION, default: undefined,
    },
    ...reconnect('open the port', '250ms', '5s'), // a Modbus master is back within 5 s
  },
  'modbus-tcp': {
    ...COMMON,
    host,
    port: { doc: 'TCP port of the device, 1..65535', format: INT, min: 1, max: 65535, default: undefined },
    ports: { doc: 'several ports of the same device, one connection (lane) each, e.g. [9601, 9602]', format: PORT_LIST, default: undefined },
    unit: { doc: 'unit id sent to the device, 0..255', format: INT, min: 0, max: 255, default: 1 },
    ...queueing('1s', 0),
    maxInFlight: {
      doc: 'requests in flight per lane (connection), 1..16; 1 (default) suits PLC server blocks that take one request at a time',
      format: INT, min: 1, max: 16, default: 1,
    },
    ...reconnect('connect', '250ms', '5s'),
  },
  tcp: {
    ...COMMON,
    host,
    port: { doc: 'TCP port of the device, 1..65535', format: INT, min: 1, max: 65535, default: undefined, required: true },
    framing,
    ...decode,
    ...reconnect('connect'),
    connectTimeout: { doc: 'how long one connection attempt may take', format: DURATION, min: 1, default: '5s' },
    keepAlive: { doc: 'TCP keepalive idle time before the first probe; 0 = off', format: DURATION, default: '30s' },
  },
  serial: { ...COMMON, ...serialLine(115200, 'none'), framing, ...decode, ...reconnect('open the port') },
  simulator: { ...COMMON, ...SIMULATOR_SCHEMA },
};
