/**
 * Per-server totals since start, kept by a ServerObserver (plain counters, no labels): sessions
 * opened, connections refused, requests and exception replies, and the bytes of closed sessions
 * (open sessions' bytes are read live). The status document and `fieldgate status` show them.
 */
import type { ServerObserver } from '../servers/observer.js';

export interface ServerTotals {
  sessionsOpened: number;
  refused: number;
  requests: number;
  exceptions: number;
  bytesIn: number;
  bytesOut: number;
}

export class Totals implements ServerObserver {
  private readonly byServer = new Map<string, ServerTotals>();

  of(server: string): Readonly<ServerTotals> | undefined {
    return this.byServer.get(server);
  }

  private get(server: string): ServerTotals {
    let t = this.byServer.get(server);
    if (!t) {
      t = { sessionsOpened: 0, refused: 0, requests: 0, exceptions: 0, bytesIn: 0, bytesOut: 0 };
      this.byServer.set(server, t);
    }
    return t;
  }

  sessionOpened(server: string): void {
    this.get(server).sessionsOpened++;
  }

  sessionClosed(): void {}

  connectionRefused(server: string): void {
    this.get(server).refused++;
  }

  request(server: string, _fc: number, exception: number, _seconds?: number): void {
    const t = this.get(server);
    t.requests++;
    if (exception !== 0) t.exceptions++;
  }

  bytes(server: string, bytesIn: number, bytesOut: number): void {
    const t = this.get(server);
    t.bytesIn += bytesIn;
    t.bytesOut += bytesOut;
  }
}
