/**
 * One Modbus TCP server session: one accepted connection, over any duplex stream (a TCP socket, a TLS
 * socket, an in-memory pair in tests), framed as MBAP or, with `frame: rtu`, as RTU frames over TCP
 * (request-framing.ts). Frames in → requests → replies out, in request order, several
 * in flight. The session owns its timers and bounds:
 *   - idle: closed when no frame arrives for `idleTimeout` (0 = never);
 *   - in flight: stops reading past `maxInFlight` unanswered requests;
 *   - output: stops reading while more than `maxBuffered` bytes wait to be sent, and closes the session
 *     when they stay unsent for `sendTimeout` (a peer that sends but never reads cannot grow memory);
 *   - a frame that breaks MBAP (an RTU request whose length cannot be told) closes the session with
 *     a log line naming what was wrong; an RTU frame with a bad CRC is dropped and counted.
 * The connection's lifecycle (idle and send deadlines, shutdown, close reason and log) is the
 * shared one in servers/session-lifecycle.ts. Nothing the peer sends can throw out of here.
 * Over TCP the stream reads into one reused buffer (transport/read-buffer.ts): a chunk, and every
 * frame and PDU cut from it, is valid only until `received` returns; what is kept longer is copied.
 */
import { ExceptionCode, exceptionReply } from '../codec/pdu/exception.js';
import { SessionLifecycle, type LifecycleOptions } from '../servers/session-lifecycle.js';
import { mbapFraming, type RequestFraming } from './request-framing.js';
import type { Reply, RequestHandler } from './request-handler.js';
import type { SessionStream, CloseReason } from '../transport/session-stream.js';

export interface ModbusSessionOptions extends LifecycleOptions {
  readonly handler: RequestHandler;
  /** How requests are cut from the stream and replies wrapped (default MBAP). */
  readonly framing?: RequestFraming;
  readonly maxInFlight: number;
  /** bytes of unsent output above which the session stops reading */
  readonly maxBuffered?: number;
  readonly onClose?: (session: ModbusSession, reason: CloseReason) => void;
  /** Told about every reply (for metrics). */
  readonly onReply?: (fc: number, exception: number, seconds: number) => void;
}

interface Slot {
  /** What the reply carries back: the MBAP transaction id (0 for RTU frames). */
  readonly tag: number;
  readonly unit: number;
  /** performance.now() when the request arrived */
  readonly t0: number;
  done: boolean;
  reply: Reply;
}

const DEFAULT_MAX_BUFFERED = 64 * 1024;
/** The global `performance` is a getter on globalThis: read it once, not per request. */
const clock = performance;
const WORDS = { count: 'requests', unsentField: 'unsentBytes', notReading: 'peer does not read its replies' };

export class ModbusSession extends SessionLifecycle {
  private readonly framing: RequestFraming;
  private readonly queue: Slot[] = [];
  /** Replies collected during one read (or one completion), sent in one write; reused. */
  private readonly batch: Buffer[] = [];
  private readonly maxBuffered: number;
  private paused = false;
  /** Aborted when the session closes: its requests still queued for a device are dropped. */
  private readonly abort = new AbortController();
  private readonly origin: { readonly client: number; readonly signal: AbortSignal };
  // What every request uses, held by the session itself: V8's IC log showed these loads from the
  // options object megamorphic under load (~1 % of a request's samples); own fields stay monomorphic.
  private readonly handler: RequestHandler;
  private readonly onReply: ModbusSessionOptions['onReply'];
  private readonly maxInFlight: number;

  constructor(
    stream: SessionStream,
    private readonly options: ModbusSessionOptions,
  ) {
    super(stream, options, WORDS);
    this.maxBuffered = options.maxBuffered ?? DEFAULT_MAX_BUFFERED;
    this.framing = options.framing ?? mbapFraming();
    this.origin = { client: options.id, signal: this.abort.signal };
    this.handler = options.handler;
    this.onReply = options.onReply;
    this.maxInFlight = options.maxInFlight;
  }

  get inFlight(): number {
    return this.queue.length;
  }

  protected received(chunk: Buffer): void {
    const error = this.framing.feed(chunk, this.onRequest);
    this.flushBatch();
    if (error) {
      this.framingError(error, 'protocol error');
      return;
    }
    this.updateFlow();
  }

  private readonly onRequest = (tag: number, unit: number, pdu: Buffer): void => {
    this.stats.requests++;
    const t0 = clock.now();
    let result: Reply | Promise<Reply>;
    try {
      result = this.handler(unit, pdu, this.origin);
    } catch (err) {
      this.options.log.error({ err, unit, fc: pdu[0] }, 'request handler failed');
      result = exceptionReply(pdu[0] ?? 0, ExceptionCode.ServerDeviceFailure);
    }
    if (result instanceof Promise) {
      const slot: Slot = { tag, unit, t0, done: false, reply: null };
      this.queue.push(slot);
      // `pdu` is a view of the read: what is needed after this call is taken now
      const fc = pdu[0] ?? 0;
      result.then(
        (reply) => this.complete(slot, reply),
        (err: unknown) => {
          this.options.log.error({ err, unit, fc }, 'request handler failed');
          this.complete(slot, exceptionReply(fc, ExceptionCode.ServerDeviceFailure));
        },
      );
    } else {
      this.report(result, t0);
      if (this.queue.length === 0) {
        if (result) this.batch.push(this.framing.encode(result, tag, unit));
      } else {
        this.queue.push({ tag, unit, t0, done: true, reply: result });
      }
    }
  };

  private report(reply: Reply, t0: number): void {
    const onReply = this.onReply;
    if (!onReply || !reply) return;
    const fc = reply[7] ?? 0;
    onReply(fc & 0x7f, fc & 0x80 ? (reply[8] ?? 0) : 0, (clock.now() - t0) / 1000);
  }

  private complete(slot: Slot, reply: Reply): void {
    slot.done = true;
    slot.reply = reply;
    this.report(reply, slot.t0);
    while (this.queue.length > 0 && this.queue[0]?.done) {
      const head = this.queue.shift() as Slot;
      if (head.reply) this.batch.push(this.framing.encode(head.reply, head.tag, head.unit));
    }
    this.flushBatch();
    this.updateFlow();
    this.endIfSettled();
  }

  /** Sends every reply collected so far in one write. */
  private flushBatch(): void {
    const batch = this.batch;
    if (batch.length === 0) return;
    if (this.closed) {
      batch.length = 0;
      return;
    }
    // One reply (the usual case) is popped: setting an array's length is a runtime call in V8.
    let out: Buffer;
    if (batch.length === 1) out = batch.pop() as Buffer;
    else {
      out = Buffer.concat(batch);
      batch.length = 0;
    }
    this.stats.bytesOut += out.length;
    this.stream.write(out);
  }

  /** Pauses reading while too much is in flight or unsent; arms the send deadline. */
  private updateFlow(): void {
    if (this.closed || this.closing) return;
    const backlog = this.stream.writableLength > this.maxBuffered;
    const shouldPause = backlog || this.queue.length >= this.maxInFlight;
    if (backlog) this.armSendDeadline();
    if (shouldPause !== this.paused) {
      this.paused = shouldPause;
      if (shouldPause) this.stream.pause();
      else this.stream.resume();
    }
  }

  protected drained(): void {
    this.updateFlow();
  }

  protected resumeForShutdown(): void {
    if (this.paused) this.stream.resume();
  }

  protected override settled(): boolean {
    return this.queue.length === 0;
  }

  protected override gone(): void {
    this.queue.length = 0;
    this.abort.abort();
  }

  protected reportClosed(reason: CloseReason): void {
    this.options.onClose?.(this, reason);
  }
}
