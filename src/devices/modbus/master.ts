/**
 * What a device link needs from a Modbus master (RTU on a serial line, or TCP lanes): exchanges of
 * one request PDU for one reply PDU, and when it can take one.
 */
import type { LineState } from '../../transport/line.js';

export type ExchangeResult =
  | { readonly kind: 'reply'; readonly pdu: Buffer }
  /** Broadcast: sent, no reply expected. */
  | { readonly kind: 'sent' }
  /** Nothing came from the unit within the timeout. */
  | { readonly kind: 'timeout' }
  | { readonly kind: 'crc' }
  /** Something came from the unit (its address and function) within the timeout, but no reply that fits. */
  | { readonly kind: 'invalid'; readonly reason: string }
  /** The reply did not match (wrong transaction id): the connection was reset. */
  | { readonly kind: 'mismatch' }
  /** The request was sent, then the connection or port went away: its fate is unknown. */
  | { readonly kind: 'lost'; readonly error: string }
  /** Not sent: the device is not reachable. */
  | { readonly kind: 'down'; readonly error: string };

export interface ModbusMaster {
  readonly state: LineState;
  start(): void;
  stop(): Promise<void>;
  /** Exchanges that can run at once now (lanes up; 0 or 1 on a serial bus). */
  capacity(): number;
  exchange(unit: number, pdu: Buffer, timeoutMs: number): Promise<ExchangeResult>;
  /** Counters the status shows. */
  counters(): { readonly crcErrors: number; readonly mismatched: number };
}
