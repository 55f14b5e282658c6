/**
 * What the gateway needs from any configured server, whatever its protocol (modbus, raw) and
 * whether it listens on one port or on a pool of ports.
 */
import type { Bank } from '../bank/bank.js';
import type { DecodeCounters } from '../bank/frame-decoder.js';
import type { DeviceIdentity } from '../codec/pdu/device-id.js';
import type { ProfileConfig, ServerConfig } from '../config/types.js';
import type { DeviceLink } from '../devices/device.js';
import type { Logger } from '../log.js';
import type { PortStatus } from '../transport/port-set.js';
import type { CloseReason, SessionStats } from '../transport/session-stream.js';
import type { TlsMaterial } from '../transport/tls-accept.js';
import type { ServerObserver } from './observer.js';

export type { PortStatus };

/** What a server is built with (servers/factory.ts picks the class by protocol). */
export interface ServerDeps {
  readonly banks: ReadonlyMap<string, Bank>;
  readonly devices: ReadonlyMap<string, DeviceLink>;
  /** Profiles the config names (decode handlers), by the name used. */
  readonly profiles: ReadonlyMap<string, ProfileConfig>;
  readonly identity: DeviceIdentity;
  readonly log: Logger;
  readonly observer: ServerObserver;
  /** Session ids are unique across the gateway. */
  readonly nextSessionId: () => number;
  /** The certificate, key and CA of a server with `tls:`, read and checked by the gateway. */
  readonly tls?: (server: string) => TlsMaterial | undefined;
}

/** A Modbus server that is an RTU slave on a serial port: its line, besides what every server shows. */
export interface SerialLineStatus {
  readonly path: string;
  readonly state: 'connecting' | 'up' | 'down';
  readonly lastError: string | null;
  /** Requests for units this server does not serve (left to another slave). */
  readonly ignored: number;
  /** Broadcast writes executed. */
  readonly broadcasts: number;
  /** Bytes dropped: partial frames ended by silence, bytes that made no request, frames while busy. */
  readonly dropped: number;
}

export interface GatewayServer {
  readonly name: string;
  readonly config: ServerConfig;
  start(): Promise<void>;
  /** Stops accepting, lets requests in flight be answered (up to graceMs), closes every session. */
  stop(reason: CloseReason, graceMs: number): Promise<void>;
  /** Every listening port (an ordinary server has one). */
  ports(): PortStatus[];
  /** Every open session. */
  sessionStats(): SessionStats[];
  readonly sessionCount: number;
  /** Servers that decode frames into banks: frames stored and refused since start. */
  decoded?(): DecodeCounters | undefined;
  /** Servers that take RTU frames (frame: rtu, serial): requests dropped for a bad CRC since start. */
  crcErrors?(): number | undefined;
  /** A serial server (RTU slave): its line. */
  serialLine?(): SerialLineStatus;
  /** A server with `tls:`: new connections use these files (a reload); sessions open keep theirs. */
  reloadTls?(material: TlsMaterial): void;
}
