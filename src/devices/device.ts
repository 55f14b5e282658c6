/**
 * What the gateway needs from any device link (something fieldgate connects out to: a serial bus or
 * port, a Modbus TCP PLC, a raw TCP peer). Every device has exactly one queue.
 */
import type { DeviceConfig } from '../config/types.js';
import type { LineState } from '../transport/line.js';

/** A device as the status document shows it (README, "The status document"). */
export interface DeviceStatus {
  readonly name: string;
  readonly type: DeviceConfig['type'];
  readonly state: LineState;
  readonly queue: number;
  readonly requests: number;
  readonly timeouts: number;
  readonly lastError: string | null;
}

export interface DeviceLink {
  readonly name: string;
  readonly config: DeviceConfig;
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): DeviceStatus;
}
