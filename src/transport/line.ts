/**
 * An outbound byte line that fieldgate keeps open by itself: a TCP connection to a device that is a
 * server, or a serial port. Opened at start; when it cannot be opened, fails or goes away, opened
 * again after a backoff wait (the device's `reconnect:`), for as long as the gateway runs. Bytes
 * only: framing is the caller's. Every outbound link uses it: raw devices, Modbus TCP lanes and the
 * Modbus RTU transport.
 *
 *   state: connecting (an attempt is under way) -> up -> down (with the error) -> connecting ...
 *
 * A line that stays down is a persistent condition (log-limit.ts `Condition`): `device down` (warn)
 * when it goes down or the first attempt fails, `device down (repeated)` (warn, at most once a minute:
 * failed attempts, last error) while it stays down, each attempt at debug (`device still down`), and
 * `device up` when it is back (with `attempts` and `forSeconds` when it had been down).
 */
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { Condition } from '../log-limit.js';
import type { Backoff } from './backoff.js';
import { retainQueued } from './read-buffer.js';

/** The state of a line, and of the device behind it (the status document shows it). */
export type LineState = 'connecting' | 'up' | 'down';

/** How one kind of line is opened and closed; `S` is the stream it opens. */
export interface LineOpener<S extends Duplex = Duplex> {
  /** For logs: "127.0.0.1:3000", "/dev/ttyUSB0". */
  readonly target: string;
  /** Starts opening; `opened` is called once, with the error when it failed. */
  open(opened: (err: Error | null) => void): S;
  /** Closes a stream `open` returned (opened or not); resolves when it is closed. */
  close(stream: S): Promise<void>;
}

export interface LineEvents {
  data(chunk: Buffer): void;
  /** Every change of state; `error` says why a line went down. */
  state(state: LineState, error: string | null): void;
  /** What was written has been handed on: a paused source may resume. */
  drain(): void;
}

/** The outcome of a write: taken; taken but the line is backed up (pause until drain); not up. */
export type WriteResult = 'ok' | 'full' | 'down';

export class ReconnectingLine<S extends Duplex = Duplex> {
  private current: LineState = 'down';
  private error: string | null = null;
  private stream: S | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private readonly down: Condition;

  constructor(
    private readonly opener: LineOpener<S>,
    private readonly backoff: Backoff,
    private readonly log: Logger,
    private readonly events: LineEvents,
  ) {
    this.down = new Condition(log, 'device down', {
      context: { target: opener.target },
      reasonField: 'error',
      endMessage: 'device up',
    });
  }

  get state(): LineState {
    return this.current;
  }

  get lastError(): string | null {
    return this.error;
  }

  /** The open stream while the line is up (for writes that need more than `write`). */
  get upStream(): S | undefined {
    return this.current === 'up' ? this.stream : undefined;
  }

  /** Bytes written but not yet handed to the kernel. */
  get writableLength(): number {
    return this.current === 'up' ? (this.stream?.writableLength ?? 0) : 0;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.open();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.down.stop();
    const stream = this.stream;
    this.stream = undefined;
    this.setState('down', null);
    if (stream) await this.opener.close(stream);
  }

  /** Writes `chunks` in order, in one go (never interleaved with another caller's). */
  write(chunks: readonly Buffer[]): WriteResult {
    const stream = this.stream;
    if (this.current !== 'up' || !stream) return 'down';
    if (chunks.length === 1) {
      const ok = stream.write(chunks[0]);
      retainQueued(stream, chunks);
      return ok ? 'ok' : 'full';
    }
    stream.cork(); // several chunks: one writev
    for (const chunk of chunks) stream.write(chunk);
    stream.uncork();
    retainQueued(stream, chunks);
    // write() says "full" for whatever waits behind a cork, even when uncork then sent it all at
    // once: what is left unsent afterwards is what counts
    return stream.writableLength < stream.writableHighWaterMark ? 'ok' : 'full';
  }

  /** Closes the line and opens it again after a wait (the stream can no longer be trusted). */
  drop(reason: string): void {
    const stream = this.stream;
    if (stream && !this.stopped) this.lost(stream, reason);
  }

  private open(): void {
    if (this.stopped) return;
    this.setState('connecting', this.error);
    let stream: S | undefined;
    try {
      stream = this.opener.open((err) => {
        if (stream !== undefined) this.opened(stream, err);
      });
    } catch (err) {
      this.retry(err instanceof Error ? err.message : String(err));
      return;
    }
    const s = stream;
    this.stream = s;
    s.on('data', (chunk: Buffer) => {
      if (this.stream === s && this.current === 'up') this.events.data(chunk);
    });
    s.on('drain', () => {
      if (this.stream === s) this.events.drain();
    });
    s.on('error', (err: Error) => this.lost(s, err.message));
    s.on('end', () => this.lost(s, 'the device closed the connection'));
    // serialport closes a port that went away with the disconnect error; a socket passes a boolean
    s.on('close', (why?: unknown) => this.lost(s, why instanceof Error ? why.message : 'closed'));
  }

  private opened(stream: S, err: Error | null): void {
    if (this.stream !== stream) return;
    if (err) return this.lost(stream, err.message);
    if (this.stopped) return;
    const attempts = this.backoff.attempts;
    this.backoff.reset();
    this.error = null;
    if (!this.down.end({ attempts })) this.log.info({ target: this.opener.target }, 'device up');
    this.setState('up', null);
  }

  private lost(stream: S, reason: string): void {
    if (this.stream !== stream || this.stopped) return;
    this.stream = undefined;
    void this.opener.close(stream);
    this.retry(reason);
  }

  private retry(reason: string): void {
    if (this.stopped) return;
    const wait = this.backoff.next();
    const fields = { error: reason, retryMs: wait, attempts: this.backoff.attempts };
    if (!this.down.hit(fields)) this.log.debug({ target: this.opener.target, ...fields }, 'device still down');
    this.setState('down', reason);
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.open(), wait);
  }

  private setState(state: LineState, error: string | null): void {
    const changed = state !== this.current || error !== this.error;
    this.current = state;
    this.error = error;
    if (changed) this.events.state(state, error);
  }
}
