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

interface ServerCommon {
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

export type ServerConfig = ModbusServerConfig;

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
}

export interface TcpDeviceConfig {
  readonly name: string;
  readonly type: 'tcp';
  readonly host: string;
  readonly port: number;
  /** Raw framing as written (validated by the raw-server issue); undefined = none. */
  readonly framing?: Readonly<Record<string, unknown>>;
}

export interface SerialDeviceConfig extends SerialSettings {
  readonly name: string;
  readonly type: 'serial';
  readonly framing?: Readonly<Record<string, unknown>>;
}

export type DeviceConfig =
  | ModbusRtuDeviceConfig
  | ModbusTcpDeviceConfig
  | TcpDeviceConfig
  | SerialDeviceConfig;

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
