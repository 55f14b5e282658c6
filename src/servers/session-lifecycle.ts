/**
 * What every server session does with its connection, whatever its protocol (the Modbus session in
 * modbus/server-session.ts, the raw session in raw/raw-session.ts extend this): its counters, the
 * idle deadline, the send deadline, the close reason, a close at once or a graceful shutdown, and the
 * one log line when the connection is gone. The protocol part feeds bytes, writes, and says when it is
 * settled (nothing left to answer).
 *
 * The shutdown rules live here: on a shutdown the session keeps reading (and discards) until the
 * peer's FIN, because unread input would turn our close into a reset, which can make the peer drop
 * the last replies before it reads them; our side is ended once settled, and released shortly after
 * the last byte was written, whether or not the peer closes its side; past `graceMs` it is destroyed.
 */
import type { Logger } from 'pino';
import { IdleDeadline } from '../transport/idle-deadline.js';
import type { RoutineLevel } from '../transport/connection-churn.js';
import type { CloseReason, SessionStats, SessionStream } from '../transport/session-stream.js';

export interface LifecycleOptions {
  readonly id: number;
  readonly remote: string;
  readonly log: Logger;
  /** ms, 0 = never */
  readonly idleTimeout: number;
  /** ms */
  readonly sendTimeout: number;
  /** Level of its routine lines (opened, closed): debug for a churning source (connection-churn.ts); default info */
  readonly routine?: RoutineLevel;
  /** Told when the session closed (the churn summary's last reason). */
  readonly onRoutineClose?: (reason: CloseReason) => void;
}

/** How the protocol names its own things in the shared log lines. */
export interface LifecycleWords {
  /** What the close line calls `stats.requests` ('requests', 'frames'). */
  readonly count: string;
  /** The send-timeout line: the field for the unsent bytes, and the message. */
  readonly unsentField: string;
  readonly notReading: string;
}

/** ms a shut-down session waits for the peer to close after the last byte was written. */
const SHUTDOWN_LINGER_MS = 100;

export abstract class SessionLifecycle {
  readonly stats: SessionStats;
  /** A shutdown started: no new input is taken. */
  protected closing = false;
  /** Our side was ended. */
  protected ended = false;
  /** The stream is closed (its 'close' event came). */
  protected closed = false;
  /** close() was called: the stream is being destroyed, its 'close' event is on its way. */
  protected destroyed = false;
  protected peerEnded = false;
  private closeReason: CloseReason | undefined;
  private readonly idle: IdleDeadline;
  private sendTimer: NodeJS.Timeout | undefined;

  constructor(
    protected readonly stream: SessionStream,
    private readonly life: LifecycleOptions,
    private readonly words: LifecycleWords,
  ) {
    this.stats = { id: life.id, remote: life.remote, since: new Date(), bytesIn: 0, bytesOut: 0, requests: 0 };
    stream.on('data', (chunk: Buffer) => this.onData(chunk));
    stream.on('end', () => this.onPeerEnd());
    stream.on('drain', () => this.onDrain());
    stream.on('error', (err: Error) => this.onError(err));
    stream.on('close', () => this.onStreamClosed());
    this.idle = new IdleDeadline(life.idleTimeout, () => this.close('idle'));
  }

  get id(): number {
    return this.life.id;
  }

  /** The level of this session's routine lines. */
  get routine(): RoutineLevel {
    return this.life.routine ?? 'info';
  }

  /** Closes at once (unsent output is dropped). */
  close(reason: CloseReason): void {
    if (this.closed || this.destroyed) return;
    this.closeReason ??= reason;
    this.destroyed = true;
    this.stream.destroy();
  }

  /**
   * Stops taking input, lets what is owed to the peer be written, then ends the connection. Resolves
   * when the stream is closed; a session that cannot finish within `graceMs` is destroyed.
   */
  shutdown(reason: CloseReason, graceMs: number): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closeReason ??= reason;
    this.closing = true;
    // Keep reading (and discard): unread input would turn our close into a reset.
    this.resumeForShutdown();
    const done = new Promise<void>((resolve) => this.stream.on('close', () => resolve()));
    const timer = setTimeout(() => this.stream.destroy(), graceMs);
    void done.then(() => clearTimeout(timer));
    this.endIfSettled();
    return done;
  }

  /** Input from the peer (not called once a shutdown started or the stream is going). */
  protected abstract received(chunk: Buffer): void;
  /** Reading must go on for a shutdown: undo every pause. */
  protected abstract resumeForShutdown(): void;
  /** The output drained (the send deadline is already cleared). */
  protected abstract drained(): void;
  /** Told after the close line: the server's onClose. */
  protected abstract reportClosed(reason: CloseReason): void;

  /** Nothing is left to answer: our side may be ended. */
  protected settled(): boolean {
    return true;
  }

  /** The peer ended its side (before ours is ended). */
  protected peerFinished(): void {}

  /** The stream is gone, told before the close line is logged: drop what is queued. */
  protected gone(): void {}

  /** Arms the send deadline, if not armed: output that stays unsent for `sendTimeout` closes. */
  protected armSendDeadline(): void {
    this.sendTimer ??= setTimeout(() => this.onSendTimeout(), this.life.sendTimeout);
  }

  /** A frame that breaks the protocol: logged with what was wrong, and the session closed. */
  protected framingError(error: { readonly reason: string; readonly bytes: Buffer }, message: string): void {
    this.life.log.warn(
      { reason: error.reason, bytes: error.bytes.toString('hex'), bytesIn: this.stats.bytesIn },
      message,
    );
    this.close('protocol-error');
  }

  /** Ends our side once the peer (or a shutdown) wants it and nothing is left unanswered. */
  protected endIfSettled(): void {
    if (this.ended || this.closed || !this.settled() || !(this.peerEnded || this.closing)) return;
    this.ended = true;
    this.stream.end(() => {
      if (this.closing) setTimeout(() => this.stream.destroy(), SHUTDOWN_LINGER_MS).unref();
    });
  }

  private onData(chunk: Buffer): void {
    if (this.closing || this.closed || this.destroyed) return;
    this.stats.bytesIn += chunk.length;
    this.idle.touch();
    this.received(chunk);
  }

  private onDrain(): void {
    clearTimeout(this.sendTimer);
    this.sendTimer = undefined;
    this.drained();
  }

  private onSendTimeout(): void {
    this.sendTimer = undefined;
    this.life.log.warn(
      { [this.words.unsentField]: this.stream.writableLength, sendTimeout: this.life.sendTimeout },
      this.words.notReading,
    );
    this.close('send-timeout');
  }

  private onPeerEnd(): void {
    this.peerEnded = true;
    this.closeReason ??= 'peer-closed';
    this.peerFinished();
    this.endIfSettled();
  }

  private onError(err: Error): void {
    this.closeReason ??= 'socket-error';
    this.life.log.debug({ err: { message: err.message, code: (err as NodeJS.ErrnoException).code } }, 'socket error');
  }

  private onStreamClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.idle.cancel();
    clearTimeout(this.sendTimer);
    const reason = this.closeReason ?? 'peer-closed';
    this.gone();
    const { bytesIn, bytesOut, requests, since } = this.stats;
    this.life.log[this.routine](
      { reason, bytesIn, bytesOut, [this.words.count]: requests, durationMs: Date.now() - since.getTime() },
      'session closed',
    );
    this.life.onRoutineClose?.(reason);
    this.reportClosed(reason);
  }
}
