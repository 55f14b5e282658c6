/**
 * A serial port that is kept open: opened at start, reopened with backoff when it fails, closes or
 * disappears (a USB adapter unplugged, a pty whose other side went away). Reports its state and
 * hands every received chunk on. Never throws for anything the port does.
 */
import type { Logger } from '../../log.js';
import type { DeviceState } from '../device.js';
import { Backoff } from '../../transport/backoff.js';
import type { PortOpener, SerialLine, SerialPortLike } from './serial-port.js';

export interface ReopeningPortOptions {
  readonly line: SerialLine;
  readonly open: PortOpener;
  readonly log: Logger;
  readonly onData: (chunk: Buffer) => void;
  /** The driver has bytes that onData will deliver shortly (where the port can tell). */
  readonly onArrival?: () => void;
  /** Called on every state change, with the error that caused a change to down. */
  readonly onState: (state: DeviceState, error?: string) => void;
  readonly backoff?: Backoff;
}

export class ReopeningPort {
  state: DeviceState = 'down';
  private port: SerialPortLike | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private readonly backoff: Backoff;

  constructor(private readonly o: ReopeningPortOptions) {
    this.backoff = o.backoff ?? new Backoff({ min: 250, max: 5000, jitter: 0.2 });
  }

  start(): void {
    this.stopped = false;
    this.open();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const port = this.port;
    this.port = undefined;
    this.setState('down');
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
    port?.removeAllListeners();
  }

  /** Writes a frame; the callback gets an error when the port cannot take it. */
  write(frame: Buffer, done: (err: Error | undefined) => void): void {
    const port = this.port;
    if (!port || this.state !== 'up') return done(new Error('port is not open'));
    try {
      if (port.writeNow?.(frame)) return done(undefined);
      port.write(frame, (err) => done(err ?? undefined));
    } catch (err) {
      done(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** Closes the port and opens it again later (after a write error, for example). */
  fail(reason: string): void {
    const port = this.port;
    if (!port) return;
    this.lost(port, reason);
    if (port.isOpen) port.close(() => undefined);
  }

  private open(): void {
    if (this.stopped) return;
    this.setState('connecting');
    let port: SerialPortLike;
    try {
      port = this.o.open(this.o.line, (err) => this.opened(port, err));
    } catch (err) {
      this.retry(err instanceof Error ? err.message : String(err));
      return;
    }
    this.port = port;
    port.on('data', (chunk: Buffer) => {
      if (this.port === port) this.o.onData(chunk);
    });
    port.on('error', (err: Error) => this.lost(port, err.message));
    port.on('close', (err?: Error | null) => this.lost(port, err?.message ?? 'port closed'));
  }

  private opened(port: SerialPortLike, err: Error | null): void {
    if (this.port !== port) return;
    if (err) {
      this.port = undefined;
      port.removeAllListeners();
      port.on('error', () => undefined);
      this.retry(err.message);
      return;
    }
    if (this.stopped) {
      port.close(() => undefined);
      return;
    }
    this.backoff.reset();
    port.watchArrivals?.(() => {
      if (this.port === port) this.o.onArrival?.();
    });
    this.o.log.info({ path: this.o.line.path, baudRate: this.o.line.baudRate }, 'serial port open');
    this.setState('up');
  }

  private lost(port: SerialPortLike, reason: string): void {
    if (this.port !== port || this.stopped) return;
    this.port = undefined;
    port.removeAllListeners();
    port.on('error', () => undefined);
    this.retry(reason);
  }

  private retry(reason: string): void {
    if (this.stopped) return;
    const delay = this.backoff.next();
    this.o.log.warn({ path: this.o.line.path, error: reason, retryMs: delay }, 'serial port unavailable');
    this.setState('down', reason);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.open(), delay);
  }

  private setState(state: DeviceState, error?: string): void {
    if (this.state === state) return;
    this.state = state;
    this.o.onState(state, error);
  }
}
