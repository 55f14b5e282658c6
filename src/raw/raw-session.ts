/**
 * One raw TCP session: one accepted connection, over any duplex stream. Bytes in → framer → whole
 * frames to the handler; frames out through `send`. The session owns its timers and bounds:
 *   - idle: closed when nothing arrives for `idleTimeout` (0 = never);
 *   - output: past `highWater` unsent bytes it stops reading (a peer that does not read its echo
 *     cannot make us read more) and is closed when they stay unsent for `sendTimeout`; past
 *     `sendQueue` unsent bytes it is closed at once, so what others send it (hub, bridge) is never
 *     buffered without bound and never slows them down;
 *   - a frame over its framing's max closes the session, with a log line saying so;
 *   - a handler may hold its reading (a device or a file that is backed up) and release it later.
 * Nothing the peer sends can throw out of here.
 */
import { IdleDeadline } from '../transport/idle-deadline.js';
import { retainQueued } from '../transport/read-buffer.js';
import type { Logger } from 'pino';
import { FrameBatch, type Framer } from '../codec/framers/index.js';
import type { PoolPort } from '../config/types.js';
import type { CloseReason, SessionStats, SessionStream } from '../transport/session-stream.js';

/**
 * Why reading is paused: our own unsent output, a backed-up device, a backed-up file, or a turn
 * given to the other sessions of the process after CPU-heavy work (decoding).
 */
export type HoldReason = 'output' | 'device' | 'file' | 'turn';

export interface RawSessionOptions {
  readonly id: number;
  readonly remote: string;
  readonly log: Logger;
  readonly framer: Framer;
  /** ms, 0 = never */
  readonly idleTimeout: number;
  /** ms */
  readonly sendTimeout: number;
  /** bytes of unsent output past which the session is closed */
  readonly sendQueue: number;
  /** Hand the handler one buffer per frame, rather than runs of adjacent frames as one buffer. */
  readonly oneByOne?: boolean;
  /**
   * Whole frames received, in order: `chunks` holds them (runs of adjacent frames, or one per frame
   * with `oneByOne`), `frames` counts them. List and buffers are valid only during the call: the
   * buffers may be views of a reused read buffer (transport/read-buffer.ts); `send` keeps what it must.
   */
  readonly receive: (session: RawSession, chunks: readonly Buffer[], frames: number) => void;
  readonly onClose?: (session: RawSession, reason: CloseReason) => void;
  /** The pool port the session holds (its `bank`, `client`), when the server is a pool. */
  readonly pool?: PoolPort;
}

/** Unsent bytes past which a session stops reading (at most half its sendQueue). */
const HIGH_WATER = 64 * 1024;
/** ms a shut-down session waits for the peer to close after its output was written. */
const SHUTDOWN_LINGER_MS = 100;

export class RawSession {
  readonly stats: SessionStats;
  private readonly highWater: number;
  private readonly batch: FrameBatch;
  private readonly holds = new Set<HoldReason>();
  private readonly idle: IdleDeadline;
  private sendTimer: NodeJS.Timeout | undefined;
  private closing = false;
  private ended = false;
  private closed = false;
  /** close() was called: the stream is being destroyed, its 'close' event is on its way. */
  private destroyed = false;
  private closeReason: CloseReason | undefined;

  constructor(
    private readonly stream: SessionStream,
    private readonly options: RawSessionOptions,
  ) {
    this.highWater = Math.min(HIGH_WATER, Math.floor(options.sendQueue / 2));
    this.batch = new FrameBatch(options.oneByOne ?? false);
    this.stats = { id: options.id, remote: options.remote, since: new Date(), bytesIn: 0, bytesOut: 0, requests: 0 };
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('end', () => this.onPeerEnd());
    stream.on('drain', () => this.onDrain());
    stream.on('error', (err: Error) => this.onError(err));
    stream.on('close', () => this.onStreamClosed());
    this.idle = new IdleDeadline(options.idleTimeout, () => this.close('idle'));
  }

  get id(): number {
    return this.options.id;
  }

  /** The pool port this session holds; undefined on an ordinary server. */
  get pool(): PoolPort | undefined {
    return this.options.pool;
  }

  get isOpen(): boolean {
    return !this.closed && !this.ended && !this.destroyed;
  }

  /** Sends whole frames (or runs of them), in order. */
  send(chunks: readonly Buffer[]): void {
    if (!this.isOpen || chunks.length === 0) return;
    const stream = this.stream;
    for (const chunk of chunks) {
      this.stats.bytesOut += chunk.length;
      stream.write(chunk);
    }
    retainQueued(stream, chunks);
    this.afterWrite();
  }

  /** Pauses reading until every hold is released. */
  hold(reason: HoldReason): void {
    if (this.closed || this.holds.has(reason)) return;
    this.holds.add(reason);
    if (this.holds.size === 1 && !this.closing) this.stream.pause();
  }

  release(reason: HoldReason): void {
    if (!this.holds.delete(reason) || this.holds.size > 0 || this.closed) return;
    this.stream.resume();
  }

  /** Closes at once (unsent output is dropped). */
  close(reason: CloseReason): void {
    if (this.closed || this.destroyed) return;
    this.closeReason ??= reason;
    this.destroyed = true;
    this.stream.destroy();
  }

  /**
   * Stops taking frames, lets what was sent to the peer go out, then ends the connection. Resolves
   * when the stream is closed; a session that cannot finish within `graceMs` is destroyed.
   */
  shutdown(reason: CloseReason, graceMs: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closeReason ??= reason;
    this.closing = true;
    // Keep reading (and discard): unread input would turn our close into a reset.
    this.holds.clear();
    this.stream.resume();
    const done = new Promise<void>((resolve) => this.stream.on('close', () => resolve()));
    const timer = setTimeout(() => this.stream.destroy(), graceMs);
    void done.then(() => clearTimeout(timer));
    this.endStream();
    return done;
  }

  private onData(chunk: Buffer): void {
    if (this.closing || this.closed || this.destroyed) return;
    this.stats.bytesIn += chunk.length;
    this.idle.touch();
    const batch = this.batch;
    const error = this.options.framer.feed(chunk, batch.add);
    if (batch.frames > 0) {
      this.stats.requests += batch.frames;
      try {
        this.options.receive(this, batch.seal(), batch.frames);
      } catch (err) {
        this.options.log.error({ err }, 'raw handler failed');
      }
      batch.clear();
    }
    if (error) {
      this.options.log.warn(
        { reason: error.reason, bytes: error.bytes.toString('hex'), bytesIn: this.stats.bytesIn },
        'framing error',
      );
      this.close('protocol-error');
    }
  }

  private afterWrite(): void {
    const queued = this.stream.writableLength;
    if (queued <= this.highWater) return;
    if (queued > this.options.sendQueue) {
      this.options.log.warn({ queued, sendQueue: this.options.sendQueue }, 'peer does not read: send queue full');
      this.close('queue-full');
      return;
    }
    this.hold('output');
    this.sendTimer ??= setTimeout(() => this.onSendTimeout(), this.options.sendTimeout);
  }

  private onDrain(): void {
    clearTimeout(this.sendTimer);
    this.sendTimer = undefined;
    this.release('output');
  }

  private onSendTimeout(): void {
    this.sendTimer = undefined;
    this.options.log.warn({ queued: this.stream.writableLength, sendTimeout: this.options.sendTimeout }, 'peer does not read its data');
    this.close('send-timeout');
  }


  private onPeerEnd(): void {
    this.closeReason ??= 'peer-closed';
    const pending = this.options.framer.pendingBytes;
    if (pending > 0) this.options.log.debug({ bytes: pending }, 'incomplete frame dropped at end of stream');
    this.endStream();
  }

  /** Ends our side once everything written has gone out; on a shutdown, lets go shortly after. */
  private endStream(): void {
    if (this.ended || this.closed) return;
    this.ended = true;
    this.stream.end(() => {
      if (this.closing) setTimeout(() => this.stream.destroy(), SHUTDOWN_LINGER_MS).unref();
    });
  }

  private onError(err: Error): void {
    this.closeReason ??= 'socket-error';
    this.options.log.debug({ err: { message: err.message, code: (err as NodeJS.ErrnoException).code } }, 'socket error');
  }

  private onStreamClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.idle.cancel();
    clearTimeout(this.sendTimer);
    const reason = this.closeReason ?? 'peer-closed';
    const { bytesIn, bytesOut, requests, since } = this.stats;
    this.options.log.info(
      { reason, bytesIn, bytesOut, frames: requests, durationMs: Date.now() - since.getTime() },
      'session closed',
    );
    this.options.onClose?.(this, reason);
  }
}
