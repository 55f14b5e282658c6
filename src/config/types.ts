/**
 * The validated, normalized, frozen configuration: what the rest of fieldgate sees. Every type is
 * derived from the declarations (schema.ts, items/, profiles/): the file's shape after validation,
 * with every default applied, durations in milliseconds and addresses parsed; where the runtime shape
 * differs from the file (a listen address split into host and port, unit maps as Maps), from the
 * declaration's build step. Nothing here is ever mutated after loading.
 */
import type { Infer } from './declare/kit.js';
import type { BANKS } from './items/bank.js';
import type { CommandFramePart, finishCommands } from './items/command.js';
import type { DeviceConfig } from './items/device.js';
import type { PARITIES } from './items/device-schemas.js';
import type { HANDLER } from './items/raw-handler.js';
import type { POLL } from './items/poll.js';
import type { POOL } from './items/pool.js';
import type { MODBUS_SERVER, ON_BUSY, RAW_SERVER } from './items/server.js';
import type { UNIT_MAP } from './items/units.js';
import type { LOG_LEVELS, TOP } from './schema.js';
import type { ProfileConfig } from './profiles/profile.js';

export type { Framing, FramingType } from './items/framing.js';
export type { PointConfig } from './items/bank-points.js';
export type { SignalConfig } from './items/signal.js';
export type { CommandFramePart } from './items/command.js';
export type { DeviceConfig } from './items/device.js';
export type { ProfileField, ProfileFieldType, ProfileFormat } from './profiles/field.js';
export type { ChecksumType, ProfileChecksum } from './profiles/parts.js';
export type { ProfileSimulation } from './profiles/simulate.js';
export type { ProfileConfig } from './profiles/profile.js';

export type LogLevel = (typeof LOG_LEVELS)[number];
export type TableName = 'holding' | 'input' | 'coils' | 'discrete';
export const TABLE_NAMES: readonly TableName[] = ['holding', 'input', 'coils', 'discrete'];

/** A host and a port; `host` is an IPv4/IPv6 literal or a name, without brackets. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
}

export type BankConfig = Infer<typeof BANKS> extends ReadonlyMap<string, infer B> ? B : never;

/** unit id (0..255) -> where requests for it go */
export type UnitMap = Infer<typeof UNIT_MAP>;
export type UnitTarget = UnitMap extends ReadonlyMap<number, infer T> ? T : never;

export type OnBusy = (typeof ON_BUSY)[number];
export type PoolPort = Infer<typeof POOL>[number];
export type ModbusServerConfig = Infer<typeof MODBUS_SERVER>;
export type RawServerConfig = Infer<typeof RAW_SERVER>;
export type ServerConfig = ModbusServerConfig | RawServerConfig;
/** What every server has, whatever its protocol. */
export type ServerCommon = Omit<ModbusServerConfig, 'protocol' | 'readOnly' | 'bank' | 'units' | 'maxInFlight'>;
export type RawHandlerConfig = Infer<typeof HANDLER>;

export type Parity = (typeof PARITIES)[number];
type Device<T extends DeviceConfig['type']> = Extract<DeviceConfig, { readonly type: T }>;
export type ModbusRtuDeviceConfig = Device<'modbus-rtu'>;
export type ModbusTcpDeviceConfig = Device<'modbus-tcp'>;
export type TcpDeviceConfig = Device<'tcp'>;
export type SerialDeviceConfig = Device<'serial'>;
export type SimulatorDeviceConfig = Device<'simulator'>;
/** Reconnection of a raw device: exponential backoff from `min` to `max` ms, less up to `jitter` of it. */
export type ReconnectConfig = TcpDeviceConfig['reconnect'];
/** What a raw device sends, decoded with a profile into a bank's points. */
export type DeviceDecode = NonNullable<TcpDeviceConfig['decode']>;

export type PollConfig = Infer<typeof POLL>;

export type CommandConfig = ReturnType<typeof finishCommands>[number];
export type CommandFrame = CommandConfig['frame'];
/** A binary field's value: a constant, the written value (`'value'`), or another point's (`{ point }`). */
export type CommandFieldValue = Extract<CommandFramePart, { readonly value: unknown }>['value'];

export type GatewayConfig = Infer<typeof TOP> & {
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
