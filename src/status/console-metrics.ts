/**
 * /metrics for the web console's event streams (GET /events), read from the EventHub when scraped:
 * streams open now, streams dropped because their client stopped reading, and requests refused
 * because too many streams were open.
 */
import { Counter, Gauge, type Registry } from './prom.js';

/** What the metrics read from the hub (events.ts EventHub). */
export interface ConsoleStreams {
  readonly streams: number;
  readonly dropped: number;
  readonly refused: number;
}

export function defineConsoleMetrics(registry: Registry, hub: ConsoleStreams): void {
  const registers = [registry];
  new Gauge({
    name: 'fieldgate_console_streams',
    help: 'Web console event streams (GET /events) open',
    registers,
    collect() {
      this.set(hub.streams);
    },
  });
  new Counter({
    name: 'fieldgate_console_streams_dropped_total',
    help: 'Event streams closed because the client stopped reading (more than 512 KiB unsent)',
    registers,
    collect() {
      this.reset();
      this.inc(hub.dropped);
    },
  });
  new Counter({
    name: 'fieldgate_console_streams_refused_total',
    help: 'Event stream requests refused with 503 (too many streams open)',
    registers,
    collect() {
      this.reset();
      this.inc(hub.refused);
    },
  });
}
