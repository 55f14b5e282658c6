/**
 * What a device link needs from a Modbus master (RTU on a serial line, or TCP lanes): exchanges of
 * one request PDU for one reply PDU, and when it can take one.
 */
import type { DeviceState } from '../device.js';

export type ExchangeResult =
  | { readonly kind: 'reply'; readonly pdu: Buffer }
  /** Broadcast: sent, no reply expected. */
  | { readonly kind: 'sent' }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'crc' }
  /** The reply did not match (wrong transaction id): the connection was reset. */
  | { readonly kind: 'mismatch' }
  | { readonly kind: 'down'; readonly error: string };

export interface ModbusMaster {
  readonly state: DeviceState;
  start(): void;
  stop(): Promise<void>;
  /** Exchanges that can run at once now (lanes up; 0 or 1 on a serial bus). */
  capacity(): number;
  exchange(unit: number, pdu: Buffer, timeoutMs: number): Promise<ExchangeResult>;
  /** Counters the status shows. */
  counters(): { readonly crcErrors: number; readonly mismatched: number };
}
