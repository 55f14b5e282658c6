/**
 * fieldgate's Modbus RTU master transport on one serial line:
 *   - one exchange at a time (the caller, the device queue, guarantees it; a second is refused);
 *   - a frame goes out only once the line has been quiet for t3.5, counted from the last byte seen
 *     on it (received, or the end of our own frame) and checked again after every wait, so bytes
 *     that keep coming (a reply sent twice) keep the next request back;
 *   - after an exchange that ended without a reply (the timer ran out), the next frame waits until
 *     the line has been quiet for the late-reply guard as well: a late reply arrives while no request
 *     waits, and is dropped;
 *   - bytes that arrive while no exchange waits are stale and dropped: a reply is only ever matched
 *     against the request it follows, and only if its unit, function, CRC and shape fit it
 *     (RtuReplyMatcher); the reply's end is found from its function code, with a silence fallback;
 *   - broadcast (unit 0) waits for no reply: it is done once on the bus, and the line stays quiet
 *     for the turnaround after it;
 *   - the port is reopened with the device's backoff (ReconnectingLine, the one every outbound
 *     link uses).
 * The line is a serial port, or a TCP connection to a serial device server (RTU over TCP: the same
 * frames, the same rules; `opener` and `gapMs` say so).
 */
import { BROADCAST_UNIT, encodeRtuFrame } from '../../codec/rtu/frame.js';
import { RtuReplyMatcher } from '../../codec/rtu/reply-matcher.js';
import type { Duplex } from 'node:stream';
import { interFrameMs, transmitMs } from '../../codec/rtu/timing.js';
import type { Logger } from '../../log.js';
import type { Backoff } from '../../transport/backoff.js';
import { ReconnectingLine, type LineOpener, type LineState } from '../../transport/line.js';
import {
  openSerialPort,
  serialOpener,
  type PortFactory,
  type SerialPortLike,
  type SerialSettings,
} from '../../transport/serial-opener.js';
import type { ExchangeResult, ModbusMaster } from './master.js';
import { waitUntil } from './wait-until.js';

/** What the transport writes to: a serial port (with its fast paths), or a TCP socket. */
export type RtuPort = Duplex & Partial<Pick<SerialPortLike, 'writeNow' | 'watchArrivals'>>;

export interface RtuTransportOptions {
  /** The serial line's settings: its path (unless `opener` is given) and its timing. */
  readonly line: Omit<SerialSettings, 'path'> & { readonly path?: string };
  readonly log: Logger;
  readonly open?: PortFactory;
  /** Opens something other than the serial port at `line.path`: a TCP connection (RTU over TCP). */
  readonly opener?: LineOpener<RtuPort>;
  /** ms of silence before each frame; default t3.5 of `line`. */
  readonly gapMs?: number;
  /** ms waited after a broadcast before the next frame (devices act on it meanwhile). */
  readonly turnaroundMs?: number;
  /** ms of silence that ends a reply whose length its function code does not tell. */
  readonly silenceMs?: number;
  /**
   * ms the line must stay quiet after an exchange that timed out before the next frame goes out
   * (0: only t3.5); default LATE_REPLY_GUARD_FACTOR x that exchange's timeout.
   */
  readonly lateReplyGuardMs?: number;
  /** Waits between attempts to reopen the port (the device's `reconnect:`). */
  readonly backoff: Backoff;
  readonly onState?: (state: LineState, error?: string) => void;
}

interface Active {
  readonly matcher: RtuReplyMatcher;
  readonly timeoutMs: number;
  readonly resolve: (r: ExchangeResult) => void;
  timer?: NodeJS.Timeout;
  silenceTimer?: NodeJS.Timeout;
}

export const DEFAULT_TURNAROUND_MS = 100;
/** The default late-reply guard, in multiples of the timeout: a reply up to 4 x the timeout late is dropped. */
export const LATE_REPLY_GUARD_FACTOR = 3;
/** ms the line is held at most for bytes the driver announced but the thread pool has not read yet. */
const ANNOUNCED_WAIT_MS = 20;

function serialLine(line: RtuTransportOptions['line'], open: PortFactory | undefined): LineOpener<RtuPort> {
  if (line.path === undefined) throw new Error('internal: an RTU line needs a serial path or an opener');
  return serialOpener({ ...line, path: line.path }, open ?? openSerialPort);
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class RtuTransport implements ModbusMaster {
  /** Frames received with a bad CRC. */
  crcErrors = 0;
  /** Bytes that arrived when no request waited for them (late replies, duplicates, noise): dropped. */
  staleBytes = 0;
  /** Valid frames that did not answer the request in flight. */
  mismatched = 0;
  /** Times the line was held for the late-reply guard after a timeout. */
  guards = 0;
  readonly gapMs: number;
  private readonly port: ReconnectingLine<RtuPort>;
  private readonly silenceMs: number;
  /** What the line is, in messages: 'serial port' or 'connection'. */
  private readonly what: string;
  private readonly turnaroundMs: number;
  /** performance.now() of the last byte seen on the line: received, or the end of our own frame. */
  private lastByteAt = 0;
  /** No frame before this (the turnaround after a broadcast). */
  private quietUntil = 0;
  /** > 0: an exchange timed out at guardFrom; the next frame waits for this much silence. */
  private guardMs = 0;
  private guardFrom = 0;
  /** The driver announced bytes at this time, and the last chunk was delivered at dataAt. */
  private announcedAt = 0;
  private dataAt = 0;
  private active: Active | undefined;
  private busy = false;

  constructor(private readonly o: RtuTransportOptions) {
    this.gapMs = o.gapMs ?? interFrameMs(o.line);
    this.what = o.opener ? 'connection' : 'serial port';
    this.silenceMs = o.silenceMs ?? Math.max(this.gapMs, 10);
    this.turnaroundMs = o.turnaroundMs ?? DEFAULT_TURNAROUND_MS;
    this.port = new ReconnectingLine<RtuPort>(o.opener ?? serialLine(o.line, o.open), o.backoff, o.log, {
      data: (chunk) => this.onData(chunk),
      state: (state, error) => this.onState(state, error ?? undefined),
      drain: () => undefined,
    });
  }

  get state(): LineState {
    return this.port.state;
  }

  start(): void {
    this.port.start();
  }

  capacity(): number {
    return this.port.state === 'up' ? 1 : 0;
  }

  counters(): { crcErrors: number; mismatched: number } {
    return { crcErrors: this.crcErrors, mismatched: this.mismatched };
  }

  stop(): Promise<void> {
    this.finish({ kind: 'lost', error: 'stopped' });
    return this.port.stop();
  }

  /** Sends one request and waits for its reply (a broadcast: until it is on the bus). */
  async exchange(unit: number, pdu: Buffer, timeoutMs: number): Promise<ExchangeResult> {
    if (this.busy) return { kind: 'down', error: 'internal: exchange while another is in flight' };
    if (this.port.state !== 'up') return { kind: 'down', error: `${this.what} is not open` };
    this.busy = true;
    try {
      if (!(await this.lineQuiet())) return { kind: 'down', error: `${this.what} is not open` };
      return await this.send(unit, pdu, timeoutMs);
    } finally {
      this.busy = false;
    }
  }

  /** When the next frame may go out: t3.5, the turnaround, the late-reply guard, announced bytes. */
  private dueAt(): number {
    let due = Math.max(this.lastByteAt + this.gapMs, this.quietUntil);
    if (this.guardMs > 0) due = Math.max(due, Math.max(this.lastByteAt, this.guardFrom) + this.guardMs);
    if (this.announcedAt > this.dataAt) due = Math.max(due, this.announcedAt + ANNOUNCED_WAIT_MS);
    return due;
  }

  /**
   * Waits until the line is quiet (false: the port went down meanwhile). Bytes that arrive during
   * the wait move it on. A timer for the bulk, then turns of the event loop (timers fire with 1 ms
   * granularity; t3.5 is 1.75 ms above 19200 baud): the line is only called quiet right after a turn
   * in which the port was read, so bytes already at the port are seen first.
   */
  private async lineQuiet(): Promise<boolean> {
    for (;;) {
      if (this.port.state !== 'up') return false;
      const left = this.dueAt() - performance.now();
      if (left > 2) {
        await sleep(Math.floor(left - 1));
        continue;
      }
      await nextTurn();
      if (this.port.state !== 'up') return false;
      if (performance.now() < this.dueAt()) continue;
      if (this.guardMs > 0) {
        this.guardMs = 0;
        this.guards++;
      }
      return true;
    }
  }

  private send(unit: number, pdu: Buffer, timeoutMs: number): Promise<ExchangeResult> {
    const frame = encodeRtuFrame(unit, pdu);
    const wireMs = transmitMs(this.o.line, frame.length);
    this.lastByteAt = performance.now() + wireMs;
    return new Promise<ExchangeResult>((resolve) => {
      if (unit === BROADCAST_UNIT) {
        this.write(frame, (err) => {
          if (err) return resolve(this.writeFailed(err));
          this.lastByteAt = Math.max(this.lastByteAt, performance.now());
          this.quietUntil = this.lastByteAt + this.turnaroundMs;
          void waitUntil(this.lastByteAt).then(() => resolve({ kind: 'sent' }));
        });
        return;
      }
      const active: Active = { matcher: new RtuReplyMatcher(unit, pdu), timeoutMs, resolve };
      this.active = active;
      active.timer = setTimeout(() => this.onTimeout(active), timeoutMs + wireMs);
      this.write(frame, (err) => {
        if (!err || this.active !== active) return;
        this.active = undefined;
        clearTimeout(active.timer);
        active.resolve(this.writeFailed(err));
      });
    });
  }

  /** Writes a frame; the callback gets an error when the port cannot take it. */
  private write(frame: Buffer, done: (err: Error | undefined) => void): void {
    const port = this.port.upStream;
    if (!port) return done(new Error('port is not open'));
    try {
      if (port.writeNow?.(frame)) return done(undefined);
      port.write(frame, (err) => done(err ?? undefined));
    } catch (err) {
      done(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** Not sent: the port is closed and reopened later. */
  private writeFailed(err: Error): ExchangeResult {
    this.o.log.warn({ error: err.message }, `${this.what} write failed`);
    this.port.drop(err.message);
    return { kind: 'down', error: `${this.what} write failed: ${err.message}` };
  }

  private onArrival(): void {
    this.announcedAt = performance.now();
    this.lastByteAt = Math.max(this.lastByteAt, this.announcedAt);
  }

  private onData(chunk: Buffer): void {
    this.lastByteAt = this.dataAt = performance.now();
    const active = this.active;
    if (!active) {
      this.staleBytes += chunk.length;
      this.o.log.debug({ bytes: chunk.length }, 'bytes while no request waits: dropped');
      return;
    }
    const outcome = active.matcher.feed(chunk);
    if (outcome?.kind === 'reply') return this.finish({ kind: 'reply', pdu: outcome.pdu });
    clearTimeout(active.silenceTimer);
    active.silenceTimer = setTimeout(() => this.onSilence(active), this.silenceMs);
  }

  private onSilence(active: Active): void {
    if (this.active !== active) return;
    const outcome = active.matcher.silence();
    if (outcome?.kind === 'reply') this.finish({ kind: 'reply', pdu: outcome.pdu });
    else if (outcome?.kind === 'crc') this.finish({ kind: 'crc' });
  }

  /** No reply in time: whatever the unit sends from now on is late, and is kept off the next request. */
  private onTimeout(active: Active): void {
    if (this.active !== active) return;
    const outcome = active.matcher.silence();
    if (outcome?.kind === 'reply') return this.finish({ kind: 'reply', pdu: outcome.pdu });
    this.guardMs = this.o.lateReplyGuardMs ?? LATE_REPLY_GUARD_FACTOR * active.timeoutMs;
    this.guardFrom = performance.now();
    if (outcome?.kind === 'crc') return this.finish({ kind: 'crc' });
    const unfit = active.matcher.unfit();
    this.finish(unfit ? { kind: 'invalid', reason: unfit } : { kind: 'timeout' });
  }

  private finish(result: ExchangeResult): void {
    const active = this.active;
    if (!active) return;
    this.active = undefined;
    clearTimeout(active.timer);
    clearTimeout(active.silenceTimer);
    if (result.kind === 'crc') this.crcErrors++;
    this.mismatched += active.matcher.mismatched;
    active.resolve(result);
  }

  private onState(state: LineState, error?: string): void {
    if (state === 'up') this.watchArrivals();
    else this.finish({ kind: 'lost', error: error ?? `${this.what} closed` });
    this.o.onState?.(state, error);
  }

  /** The driver's early word that bytes are waiting, from the port just opened. */
  private watchArrivals(): void {
    const port = this.port.upStream;
    port?.watchArrivals?.(() => {
      if (this.port.upStream === port) this.onArrival();
    });
  }
}
