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
 * The connection's lifecycle (idle and send deadlines, shutdown, close reason and log) is the
 * shared one in servers/session-lifecycle.ts. Nothing the peer sends can throw out of here.
 */
import { retainQueued } from '../transport/read-buffer.js';
import { FrameBatch, type Framer } from '../codec/framers/index.js';
import type { PoolPort } from '../config/types.js';
import { SessionLifecycle, type LifecycleOptions } from '../servers/session-lifecycle.js';
import type { CloseReason, SessionStream } from '../transport/session-stream.js';

/**
 * Why reading is paused: our own unsent output, a backed-up device, a backed-up file, or a turn
 * given to the other sessions of the process after CPU-heavy work (decoding).
 */
export type HoldReason = 'output' | 'device' | 'file' | 'turn';

export interface RawSessionOptions extends LifecycleOptions {
  readonly framer: Framer;
  /** bytes of unsent output past which the session is closed */
  readonly sendQueue: number;
  /** Hand the handler one buffer per frame, rather than runs of adjacent frames as one buffer. */
  readonly oneByOne?: boolean;
  /**
   * Whole frames received, in order: `chunks` holds them (runs of adjacent frames, or one per frame
   * with `oneByOne`), `frames` counts them, the first `frames` entries of `ends` say where each ends
   * (FrameBatch.ends). List and buffers are valid only during the call: the buffers may be views of
   * a reused read buffer (transport/read-buffer.ts); `send` keeps what it must.
   */
  readonly receive: (session: RawSession, chunks: readonly Buffer[], frames: number, ends: readonly number[]) => void;
  readonly onClose?: (session: RawSession, reason: CloseReason) => void;
  /** The pool port the session holds (its `bank`, `client`), when the server is a pool. */
  readonly pool?: PoolPort;
}

/** Unsent bytes past which a session stops reading (at most half its sendQueue). */
const HIGH_WATER = 64 * 1024;
const WORDS = { count: 'frames', unsentField: 'queued', notReading: 'peer does not read its data' };

export class RawSession extends SessionLifecycle {
  private readonly highWater: number;
  private readonly batch: FrameBatch;
  private readonly holds = new Set<HoldReason>();

  constructor(
    stream: SessionStream,
    private readonly options: RawSessionOptions,
  ) {
    super(stream, options, WORDS);
    this.highWater = Math.min(HIGH_WATER, Math.floor(options.sendQueue / 2));
    this.batch = new FrameBatch(options.oneByOne ?? false);
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

  protected received(chunk: Buffer): void {
    const batch = this.batch;
    const error = this.options.framer.feed(chunk, batch.add);
    if (batch.frames > 0) {
      this.stats.requests += batch.frames;
      try {
        this.options.receive(this, batch.seal(), batch.frames, batch.ends);
      } catch (err) {
        this.options.log.error({ err }, 'raw handler failed');
      }
      batch.clear();
    }
    if (error) this.framingError(error, 'framing error');
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
    this.armSendDeadline();
  }

  protected drained(): void {
    this.release('output');
  }

  protected resumeForShutdown(): void {
    this.holds.clear();
    this.stream.resume();
  }

  protected override peerFinished(): void {
    const pending = this.options.framer.pendingBytes;
    if (pending > 0) this.options.log.debug({ bytes: pending }, 'incomplete frame dropped at end of stream');
  }

  protected reportClosed(reason: CloseReason): void {
    this.options.onClose?.(this, reason);
  }
}
