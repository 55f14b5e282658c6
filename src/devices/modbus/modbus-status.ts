/**
 * What a Modbus device link reports (a device of the status document, plus CRC errors, offline units and its polls).
 */
import type { DeviceStatus } from '../device.js';

export interface PollStatus {
  /** The unit id read (optional to readers: older daemons did not show it). */
  readonly unit?: number;
  readonly table: string;
  readonly address: number;
  readonly count: number;
  readonly into: string;
  readonly every: number;
  /** ISO time of the last successful read, or null. */
  readonly lastSuccess: string | null;
  readonly lastError: string | null;
  /** ms of the last read (request to reply). */
  readonly latencyMs: number | null;
  readonly stale: boolean;
}

export type PollStatusSource = () => PollStatus[];

export interface ModbusDeviceStatus extends DeviceStatus {
  /** Reads answered from another asker's identical read (sent once for all of them). */
  readonly coalesced: number;
  /** Reads answered from the reply cache of a route's `cache`. */
  readonly cacheHits: number;
  readonly crcErrors: number;
  readonly offlineUnits: readonly number[];
  readonly polls?: readonly PollStatus[];
}
