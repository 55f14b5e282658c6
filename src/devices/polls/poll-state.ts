/** What one poll (one config entry) knows about its last reads: for the status and for stale ranges. */
import type { PollConfig } from '../../config/types.js';
import type { PollStatus } from '../modbus/modbus-status.js';

export class PollState {
  /** True until the first successful read, and after a failed one. */
  stale = true;
  lastSuccess: Date | null = null;
  lastError: string | null = null;
  latencyMs: number | null = null;

  /** `unit`: the unit id the poll reads (its own, else its device's). */
  constructor(
    readonly config: PollConfig,
    readonly unit?: number,
  ) {}

  succeeded(latencyMs: number): void {
    this.stale = false;
    this.lastSuccess = new Date();
    this.lastError = null;
    this.latencyMs = latencyMs;
  }

  failed(error: string, latencyMs: number | null): void {
    this.stale = true;
    this.lastError = error;
    this.latencyMs = latencyMs;
  }

  status(): PollStatus {
    const c = this.config;
    return {
      ...(this.unit !== undefined ? { unit: this.unit } : {}),
      table: c.read.table,
      address: c.read.address,
      count: c.read.count,
      into: `${c.into.bank}.${c.into.table}[${c.into.address}]`,
      every: c.every,
      lastSuccess: this.lastSuccess?.toISOString() ?? null,
      lastError: this.lastError,
      latencyMs: this.latencyMs,
      stale: this.stale,
    };
  }
}
