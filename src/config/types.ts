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

export interface BankConfig {
  readonly name: string;
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
  /** One file per session under `dir`, rotated at `maxFileSize` bytes. */
  | { readonly kind: 'record'; readonly dir: string; readonly maxFileSize: number };

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
}

/** Reconnection of a raw device: exponential backoff from `min` to `max` ms, less up to `jitter` of it. */
export interface ReconnectConfig {
  readonly min: number;
  readonly max: number;
  /** 0..1: each delay is shortened by a random fraction up to this. */
  readonly jitter: number;
}

export interface TcpDeviceConfig {
  readonly name: string;
  readonly type: 'tcp';
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
  /** Reopening the port after it failed or went away (USB unplugged). */
  readonly reconnect: ReconnectConfig;
}

export type DeviceConfig =
  | ModbusRtuDeviceConfig
  | ModbusTcpDeviceConfig
  | TcpDeviceConfig
  | SerialDeviceConfig;

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
