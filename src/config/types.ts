/**
 * The validated, normalized, frozen configuration: what the rest of fieldgate sees. Every type is
 * derived from the declarations (declared.ts: the file's, a profile's, and a few parts'): the file's
 * shape after validation, with every default applied, durations in milliseconds and addresses
 * parsed; where the runtime shape differs from the file (a listen address split into host and port,
 * unit maps as Maps), the declaration's build step gives it. Nothing here is ever mutated after loading.
 */
import type { CommandFramePart, ProfileConfig, TOP } from './declared.js';

export type {
  ChecksumType,
  CommandFramePart,
  PointConfig,
  ProfileChecksum,
  ProfileConfig,
  ProfileField,
  ProfileFieldType,
  ProfileFormat,
  ProfileSimulation,
} from './declared.js';

type Top = NonNullable<(typeof TOP)['__type']>;
type Values<M> = M extends ReadonlyMap<unknown, infer V> ? V : never;

export type TableName = 'holding' | 'input' | 'coils' | 'discrete';
export const TABLE_NAMES: readonly TableName[] = ['holding', 'input', 'coils', 'discrete'];

/** A host and a port; `host` is an IPv4/IPv6 literal or a name, without brackets. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

export type LogLevel = Top['log']['level'];

export type BankConfig = Values<Top['banks']>;

export type ServerConfig = Top['servers'][number];
export type ModbusServerConfig = Extract<ServerConfig, { readonly protocol: 'modbus' }>;
export type RawServerConfig = Extract<ServerConfig, { readonly protocol: 'raw' }>;
/** What every server has, whatever its protocol. */
export type ServerCommon = Omit<
  ModbusServerConfig,
  'protocol' | 'readOnly' | 'bank' | 'device' | 'units' | 'maxInFlight' | 'frame' | 'serial'
>;
export type OnBusy = ServerConfig['onBusy'];
export type PoolPort = NonNullable<ServerConfig['ports']>[number];
/** unit id (0..255) -> where requests for it go */
export type UnitMap = ModbusServerConfig['units'];
export type UnitTarget = Values<UnitMap>;
export type Framing = RawServerConfig['framing'];
export type FramingType = Framing['type'];
export type RawHandlerConfig = RawServerConfig['handler'];

export type DeviceConfig = Top['devices'][number];
type Device<T extends DeviceConfig['type']> = Extract<DeviceConfig, { readonly type: T }>;
export type ModbusRtuDeviceConfig = Device<'modbus-rtu'>;
export type ModbusTcpDeviceConfig = Device<'modbus-tcp'>;
export type TcpDeviceConfig = Device<'tcp'>;
export type SerialDeviceConfig = Device<'serial'>;
export type SimulatorDeviceConfig = Device<'simulator'>;
export type Parity = SerialDeviceConfig['parity'];
/** Reconnection of a device: exponential backoff from `min` to `max` ms, less up to `jitter` of it. */
export type ReconnectConfig = TcpDeviceConfig['reconnect'];
/** What a raw device sends, decoded with a profile into a bank's points. */
export type DeviceDecode = NonNullable<TcpDeviceConfig['decode']>;
export type SignalConfig = Values<SimulatorDeviceConfig['signals']>;

export type PollConfig = Top['polls'][number];

export type CommandConfig = Top['commands'][number];
export type CommandFrame = CommandConfig['frame'];
/** A binary field's value: a constant, the written value (`'value'`), or another point's (`{ point }`). */
export type CommandFieldValue = Extract<CommandFramePart, { readonly value: unknown }>['value'];

export type MqttConfig = NonNullable<Top['mqtt']>;
export type MqttFormat = MqttConfig['format'];

/** The status endpoint: where it listens, its token file, TLS files, whether points may be written. */
export type StatusConfig = NonNullable<Top['status']>;

export type GatewayConfig = Top & {
  /** Absolute path of the file this was loaded from (undefined when built in code). */
  readonly file?: string;
  /** Every profile the config names (decode handlers, raw devices, command replies), by the name used. */
  readonly profiles: ReadonlyMap<string, ProfileConfig>;
};

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
