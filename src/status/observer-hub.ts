/**
 * One stable ServerObserver that servers are built with, forwarding to the observers attached to it
 * (status totals, Prometheus metrics, a test's spy). Observers can be attached later (the status
 * endpoint is loaded only when configured, possibly on a reload) without rebuilding servers.
 */
import type { ServerObserver } from '../servers/observer.js';
import type { CloseReason } from '../transport/session-stream.js';

export class ObserverHub implements ServerObserver {
  private sinks: readonly ServerObserver[] = [];

  attach(observer: ServerObserver): void {
    if (!this.sinks.includes(observer)) this.sinks = [...this.sinks, observer];
  }

  sessionOpened(server: string): void {
    for (const s of this.sinks) s.sessionOpened(server);
  }

  sessionClosed(server: string, reason: CloseReason): void {
    for (const s of this.sinks) s.sessionClosed(server, reason);
  }

  connectionRefused(server: string, why: string): void {
    for (const s of this.sinks) s.connectionRefused(server, why);
  }

  request(server: string, fc: number, exception: number, seconds: number): void {
    for (const s of this.sinks) s.request(server, fc, exception, seconds);
  }

  bytes(server: string, bytesIn: number, bytesOut: number): void {
    for (const s of this.sinks) s.bytes(server, bytesIn, bytesOut);
  }
}
