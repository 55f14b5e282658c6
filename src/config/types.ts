/**
 * The validated, normalized, frozen configuration: what the rest of fieldgate sees.
 * The YAML shape is DESIGN §2.2; this is that shape after validation, with every default applied,
 * durations in milliseconds and addresses parsed. Nothing here is ever mutated after loading.
 */

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
export type TableName = 'holding' | 'input' | 'coils' | 'discrete';
export const TABLE_NAMES: readonly TableName[] = ['holding', 'input', 'coils', 'discrete'];

/** A host and a port; `host` is an IPv4/IPv6 literal or a name, without brackets. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

/** A named, typed value in a bank (DESIGN: bank/ typed points). `length`: registers of a string. */
export interface PointConfig {
  readonly name: string;
  readonly table: TableName;
  readonly address: number;
  readonly type: 'bool' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'float32' | 'float64' | 'string';
  readonly order: 'ABCD' | 'CDAB' | 'BADC' | 'DCBA';
  readonly scale: number;
  readonly offset: number;
  readonly length?: number;
}

export interface BankConfig {
  readonly name: string;
  /** Named points, in config order; no two overlap in one table. Bit tables hold only bool points. */
  readonly points: readonly PointConfig[];
  /** Table sizes; a table that is absent (undefined) does not exist. */
  readonly tables: Readonly<Partial<Record<TableName, number>>>;
  /** Initial values, flattened: table -> list of [address, value]. Bits are 0/1, registers 0..65535. */
  readonly values: Readonly<Partial<Record<TableName, readonly (readonly [number, number])[]>>>;
}

/** Where requests for one unit id go. */
export type UnitTarget =
  | { readonly kind: 'bank'; readonly bank: string }
  | { readonly kind: 'device'; readonly device: string; readonly unit: number };

/** unit id (0..255) -> target */
export type UnitMap = ReadonlyMap<number, UnitTarget>;

export type OnBusy = 'reject' | 'replace' | 'replace-same-client';

/** One port of a port pool (DESIGN §1, Omron-style: one session per port). */
export interface PoolPort {
  readonly port: number;
  /** Only this client address may hold the port; undefined = any allowed client. */
  readonly client?: string;
  /** Per-port unit map; takes precedence over the server's. */
  readonly units?: UnitMap;
  /** Per-port bank of a raw server whose handler decodes (several boards of one kind, a bank each). */
  readonly bank?: string;
}

/** What every server has, whatever its protocol. */
export interface ServerCommon {
  readonly name: string;
  /** Host to bind. */
  readonly host: string;
  /** Single-port server: the port (0 = pick a free one). Undefined when `ports` (a pool) is used. */
  readonly port?: number;
  /** Port pool: each port holds at most one session. Undefined for an ordinary server. */
  readonly ports?: readonly PoolPort[];
  readonly onBusy: OnBusy;
  readonly maxClients: number;
  /** ms; 0 = never. */
  readonly idleTimeout: number;
  /** Source addresses / CIDR blocks as written; undefined = everyone. */
  readonly allow?: readonly string[];
  /** ms: a session whose replies stay unsent this long (the peer does not read) is closed. */
  readonly sendTimeout: number;
  /** TCP keepalive on every session; ms of idle before the first probe, 0 = off. */
  readonly keepAlive: number;
}

export interface ModbusServerConfig extends ServerCommon {
  readonly protocol: 'modbus';
  readonly readOnly: boolean;
  /** Serves every unit id not in `units`. */
  readonly bank?: string;
  readonly units: UnitMap;
  /** Requests in flight per session before the session stops reading. */
  readonly maxInFlight: number;
}

/**
 * How a raw byte stream is cut into frames (raw servers, raw devices). A frame is passed on as it
 * is on the wire: framing decides where frames begin and end, never rewrites them.
 */
export type Framing =
  | { readonly type: 'none' }
  /** `delimiter`: 1..8 bytes, each character one byte (latin1); `max`: longest line without it. */
  | { readonly type: 'line'; readonly delimiter: string; readonly max: number }
  /** `max`: largest payload (the prefix not counted). */
  | {
    readonly type: 'length';
    readonly size: 1 | 2 | 4;
    readonly endian: 'big' | 'little';
    readonly counts: 'payload' | 'frame';
    readonly max: number;
  }
  | { readonly type: 'fixed'; readonly size: number };

export type FramingType = Framing['type'];

/** What a raw server does with the frames its sessions receive. */
export type RawHandlerConfig =
  | { readonly kind: 'echo' }
  | { readonly kind: 'hub' }
  /** `reply`: what the device sends goes to every session (`all`) or to the last sender (`sender`). */
  | { readonly kind: 'bridge'; readonly device: string; readonly reply: 'all' | 'sender' }
  /** One file per session under `dir`, rotated at `maxFileSize` bytes; all files of the server within `maxTotalSize`. */
  | { readonly kind: 'record'; readonly dir: string; readonly maxFileSize: number; readonly maxTotalSize: number }
  /** Frames decoded with `profile` into the points of `bank` (undefined: each pool port's `bank`). */
  | { readonly kind: 'decode'; readonly profile: string; readonly bank?: string };

export interface RawServerConfig extends ServerCommon {
  readonly protocol: 'raw';
  readonly framing: Framing;
  readonly handler: RawHandlerConfig;
  /** Bytes one session may have waiting to be sent; past it the session is closed. */
  readonly sendQueue: number;
}

export type ServerConfig = ModbusServerConfig | RawServerConfig;

export type Parity = 'none' | 'even' | 'odd';

interface SerialSettings {
  readonly path: string;
  readonly baudRate: number;
  readonly parity: Parity;
  readonly dataBits: 5 | 6 | 7 | 8;
  readonly stopBits: 1 | 2;
}

export interface ModbusRtuDeviceConfig extends SerialSettings {
  readonly name: string;
  readonly type: 'modbus-rtu';
  readonly timeout: number;
  readonly retries: number;
  readonly queue: number;
  /** ms the line must be quiet after a timeout before the next request; absent: 3 x `timeout`. */
  readonly lateReplyGuard?: number;
  readonly reconnect: ReconnectConfig;
}

export interface ModbusTcpDeviceConfig {
  readonly name: string;
  readonly type: 'modbus-tcp';
  readonly host: string;
  /** One entry per lane; `port: 502` becomes `[502]`. */
  readonly ports: readonly number[];
  readonly unit: number;
  readonly timeout: number;
  readonly retries: number;
  readonly queue: number;
  /** Requests in flight per lane (connection), matched by transaction id; 1 = one at a time. */
  readonly maxInFlight: number;
  readonly reconnect: ReconnectConfig;
}

/** Reconnection of a device: exponential backoff from `min` to `max` ms, less up to `jitter` of it. */
export interface ReconnectConfig {
  readonly min: number;
  readonly max: number;
  /** 0..1: each delay is shortened by a random fraction up to this. */
  readonly jitter: number;
}

/** What a raw device sends, decoded with a profile into a bank's points (instead of, or besides, bridges). */
export interface DeviceDecode {
  readonly profile: string;
  readonly bank: string;
}

export interface TcpDeviceConfig {
  readonly name: string;
  readonly type: 'tcp';
  readonly decode?: DeviceDecode;
  readonly host: string;
  readonly port: number;
  /** How what the device sends is cut into frames. */
  readonly framing: Framing;
  readonly reconnect: ReconnectConfig;
  /** ms a connection attempt may take. */
  readonly connectTimeout: number;
  /** TCP keepalive idle time before the first probe, ms; 0 = off. */
  readonly keepAlive: number;
}

export interface SerialDeviceConfig extends SerialSettings {
  readonly name: string;
  readonly type: 'serial';
  readonly framing: Framing;
  readonly decode?: DeviceDecode;
  /** Reopening the port after it failed or went away (USB unplugged). */
  readonly reconnect: ReconnectConfig;
}

/** A generated value: `t` is seconds since the simulator started, `n` the tick count. */
export type SignalConfig =
  | { readonly kind: 'sine'; readonly min: number; readonly max: number; readonly period: number }
  | { readonly kind: 'ramp'; readonly min: number; readonly max: number; readonly period: number }
  | { readonly kind: 'square'; readonly min: number; readonly max: number; readonly period: number }
  | { readonly kind: 'random-walk'; readonly min: number; readonly max: number; readonly step: number }
  | { readonly kind: 'counter'; readonly min: number; readonly max: number; readonly step: number }
  | { readonly kind: 'constant'; readonly value: number | string | boolean };

/** `type: simulator`: writes signals into the points of `bank` every `every` ms (commissioning). */
export interface SimulatorDeviceConfig {
  readonly name: string;
  readonly type: 'simulator';
  readonly bank: string;
  readonly every: number;
  /** point name -> signal */
  readonly signals: ReadonlyMap<string, SignalConfig>;
}

export type DeviceConfig =
  | ModbusRtuDeviceConfig
  | ModbusTcpDeviceConfig
  | TcpDeviceConfig
  | SerialDeviceConfig
  | SimulatorDeviceConfig;

/** One `polls` item: read `read` from `device` every `every` ms into `into` (DESIGN §2.2). */
export interface PollConfig {
  readonly device: string;
  /** Unit id on the device; undefined = the modbus-tcp device's unit, 1 on an RTU bus. */
  readonly unit?: number;
  readonly every: number;
  readonly read: { readonly table: TableName; readonly address: number; readonly count: number };
  readonly into: { readonly bank: string; readonly table: TableName; readonly address: number };
  /** How reads of the range are answered while its last poll failed: as usual, or exception 0B. */
  readonly onStale: 'serve' | 'exception';
  /** Client writes into the bank range are forwarded to the device first. */
  readonly writeThrough: boolean;
}

/**
 * A frame layout (hardware/profiles/*.yaml): how to cut, check and decode what a device sends, and
 * where each field lands (a bank point). `binary`: fields at byte offsets; `text`: a line split at
 * `separator`, fields by index; `registers`: a register layout (what a PLC writes with FC16).
 */
export type ProfileFieldType =
  | 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'float32' | 'float64'
  | 'string' | 'number' | 'enum';

export interface ProfileField {
  readonly name: string;
  /** binary: byte offset; text: index after splitting; registers: register address. */
  readonly at: number;
  readonly type: ProfileFieldType;
  /** binary multi-byte fields (default big); registers: word order. */
  readonly endian: 'big' | 'little';
  readonly order: 'ABCD' | 'CDAB' | 'BADC' | 'DCBA';
  /** string: bytes (binary) or registers (registers). */
  readonly length?: number;
  /** value = raw * scale + offset */
  readonly scale: number;
  readonly offset: number;
  /** enum: text -> number */
  readonly values?: ReadonlyMap<string, number>;
  /** The bank point the value lands in; undefined = not stored (bit fields may still be). */
  readonly point?: string;
  /** Bit number (0 = least significant) -> bool point. */
  readonly bits?: ReadonlyMap<number, string>;
}

export type ChecksumType = 'crc16-modbus' | 'crc32' | 'sum8' | 'xor8';

export interface ProfileChecksum {
  readonly type: ChecksumType;
  /** Byte offset of the checksum in the frame (negative: from the end). */
  readonly at: number;
  readonly endian: 'big' | 'little';
  /** Bytes covered: [from, to) (negative `to`: from the end). */
  readonly from: number;
  readonly to: number;
}

/** What `fieldgate simulate PROFILE` plays. */
export interface ProfileSimulation {
  readonly role: 'stream' | 'answer' | 'plc' | 'rtu-slave';
  readonly every: number;
  /** plc / rtu-slave: unit id; plc: first register written. */
  readonly unit: number;
  /** field name -> signal */
  readonly values: ReadonlyMap<string, SignalConfig>;
  /** answer: how a request frame is recognised (text with {value}) and what is sent back. */
  readonly request?: string;
  readonly reply?: string;
}

export interface ProfileConfig {
  readonly name: string;
  /** Absolute path of the profile file. */
  readonly file: string;
  readonly description: string;
  readonly format: 'binary' | 'text' | 'registers';
  readonly framing: Framing;
  /** binary: these bytes at `syncAt` (a frame without them is refused). */
  readonly sync?: Buffer;
  readonly syncAt: number;
  /** binary: shortest valid frame in bytes (derived from the fields and checksum). */
  readonly minLength: number;
  readonly checksum?: ProfileChecksum;
  /** text: field separator. */
  readonly separator: string;
  /** registers: which table the layout is in. */
  readonly table: TableName;
  readonly fields: readonly ProfileField[];
  readonly simulate?: ProfileSimulation;
}

/**
 * `commands:` a write by a Modbus client into point `point` of `bank` sends a frame to raw device
 * `device`, built from `frame` (text with {value}, escapes allowed) or `fields` (binary);
 * the device's reply, when `reply` is given, is decoded with that profile into the same bank;
 * `reset`: the point is set back to 0 once the command is done (reply, timeout or drop).
 */
export interface CommandConfig {
  readonly name: string;
  readonly bank: string;
  readonly point: string;
  /** `change`: every write that changes the value; `rising`: 0 -> non-zero only; `write`: every write. */
  readonly on: 'change' | 'rising' | 'write';
  readonly device: string;
  readonly frame: CommandFrame;
  readonly reply?: { readonly profile: string; readonly timeout: number };
  readonly reset: boolean;
}

/** A binary field's value: a constant, the written value (`'value'`), or another point's (`{ point }`). */
export type CommandFieldValue = number | 'value' | { readonly point: string };

/**
 * One part of a binary command frame: a number field, constant bytes (`hex`), or a checksum of the
 * frame's bytes from `from` up to the checksum itself.
 */
export type CommandFramePart =
  | { readonly type: ProfileFieldType; readonly endian: 'big' | 'little'; readonly value: CommandFieldValue }
  | { readonly hex: Buffer }
  | { readonly checksum: ChecksumType; readonly from: number; readonly endian: 'big' | 'little' };

export type CommandFrame =
  | { readonly kind: 'text'; readonly template: string }
  | { readonly kind: 'binary'; readonly fields: readonly CommandFramePart[] };

export interface GatewayConfig {
  /** Absolute path of the file this was loaded from (undefined when built in code). */
  readonly file?: string;
  readonly gateway: { readonly name: string };
  readonly log: { readonly level: LogLevel };
  /** HTTP status endpoint; undefined = disabled. */
  readonly status?: { readonly listen: Endpoint };
  readonly banks: ReadonlyMap<string, BankConfig>;
  readonly servers: readonly ServerConfig[];
  readonly devices: readonly DeviceConfig[];
  /** Reads from Modbus devices into banks, on a schedule. */
  readonly polls: readonly PollConfig[];
  /** Writes into bank points that send frames to raw devices. */
  readonly commands: readonly CommandConfig[];
  /** Every profile the config names (decode handlers, raw devices, command replies), by the name used. */
  readonly profiles: ReadonlyMap<string, ProfileConfig>;
}

/** One problem found in a config file. */
export interface ConfigIssue {
  /** Key path as a user would write it: `servers[1].listen`, `banks.plant.values.holding.100`. */
  readonly key: string;
  readonly message: string;
  readonly file: string;
  /** 1-based; 0 when the key has no position (e.g. a missing required key: the parent's position). */
  readonly line: number;
  readonly col: number;
}

export type LoadResult =
  | { readonly ok: true; readonly config: GatewayConfig }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[] };
