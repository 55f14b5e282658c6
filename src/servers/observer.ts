/**
 * What servers and sessions report as they work, for metrics: the gateway builds servers with its
 * ObserverHub (status/observer-hub.ts). Calls are cheap and carry no per-client labels.
 */
import type { CloseReason } from '../transport/session-stream.js';

export interface ServerObserver {
  sessionOpened(server: string): void;
  sessionClosed(server: string, reason: CloseReason): void;
  connectionRefused(server: string, why: string): void;
  /** One request answered: function code, exception code (0 = none), seconds from frame to reply. */
  request(server: string, fc: number, exception: number, seconds: number): void;
  /** A closed session's byte counts (open sessions' counts are read live from sessionStats()). */
  bytes(server: string, bytesIn: number, bytesOut: number): void;
}
