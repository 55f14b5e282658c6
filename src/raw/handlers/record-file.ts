/**
 * One session's capture file: every frame on one line, `<ISO time> <length> <hex bytes>`, appended
 * in order. At `maxSize` bytes the file is renamed to `<name>.1` (replacing an older one) and a new
 * file is started, so one session never takes more than twice `maxSize` of disk; the server's
 * directory budget (record-budget.ts) bounds all of its files together.
 *
 * Whole lines or none: a write that fails (disk full, I/O error) is cut back to the file's last whole
 * line (record-writer.ts). The failure is logged once; from then on frames are dropped and counted,
 * the session reads on, and at most once per `RETRY_MS` the frames of a read are tried again: once a
 * write succeeds, recording resumes (logged, with the count of frames lost meanwhile).
 */
import * as nodeFs from 'node:fs';
import type { Logger } from 'pino';
import type { RecordBudget } from './record-budget.js';
import { RecordWriter, type RecordFs, type WriterEvents } from './record-writer.js';

/** Bytes waiting to be written (all parts of the file) past which the session stops reading. */
const HIGH_WATER = 64 * 1024;
/** ms between tries to write again after a write failed. */
export const RETRY_MS = 1000;

export interface RecordFileOptions {
  readonly path: string;
  readonly maxSize: number;
  readonly log: Logger;
  /** The file has room again after append returned false: the session may read on. */
  readonly onDrain: () => void;
  readonly budget: RecordBudget;
  readonly fs?: RecordFs;
  /** The clock retries are timed by (ms). */
  readonly now?: () => number;
}

/**
 * `ok`: writing; `failed`: a write failed, frames are dropped until `retryAt`; `retrying`: frames
 * are written again, the first write that succeeds ends the failure; `given-up`: the file could not
 * be cut back to a whole line, nothing more is written to it; `closed`: the session is gone.
 */
type State = 'ok' | 'failed' | 'retrying' | 'given-up' | 'closed';

export class RecordFile {
  /** Frames on disk. */
  written = 0;
  /** Frames lost: a write failed, or the directory budget had no room. */
  dropped = 0;
  private readonly path: string;
  private readonly rotated: string;
  private readonly fs: RecordFs;
  private readonly now: () => number;
  /** The file being written; undefined when it could not be opened. */
  private writer: RecordWriter | undefined;
  /** Rotated parts still being written; `replaced`: a later rotation replaced the file under them. */
  private readonly flushing = new Map<RecordWriter, { replaced: boolean }>();
  /** Bytes taken for the current file (on disk or on their way). */
  private size = 0;
  private state: State = 'ok';
  private retryAt = 0;
  /** Frames lost since the last failure began. */
  private lost = 0;
  /**
   * The writer a retry writes with: its first good write says "recording resumed", also when the
   * file is being closed by then (a session that ends while that write is in flight).
   */
  private resuming: RecordWriter | undefined;
  /** append returned false; onDrain is due. */
  private held = false;
  private readonly events: WriterEvents = {
    written: (w, lines) => this.onWritten(w, lines),
    failed: (w, err, kept, lines, bytes, cut) => this.onFailed(w, err, kept, lines, bytes, cut),
  };

  constructor(private readonly options: RecordFileOptions) {
    this.path = options.path;
    this.rotated = `${options.path}.1`;
    this.fs = options.fs ?? nodeFs;
    this.now = options.now ?? Date.now;
    this.writer = this.open();
  }

  /**
   * Appends the frames, stamped `at`; false when the file is backed up (wait for onDrain). A file is
   * rotated before the line that would take it past maxSize, however many frames came in one read.
   */
  append(frames: readonly Buffer[], at: Date): boolean {
    if (this.state === 'failed' && this.now() >= this.retryAt) this.retry();
    if (this.state !== 'ok' && this.state !== 'retrying') {
      this.drop(frames.length);
      return true;
    }
    const stamp = at.toISOString();
    let text = '';
    let lines = 0;
    for (const [i, frame] of frames.entries()) {
      const line = `${stamp} ${frame.length} ${frame.toString('hex')}\n`;
      const size = this.size + text.length;
      if (size > 0 && size + line.length > this.options.maxSize) {
        this.write(text, lines);
        text = '';
        lines = 0;
        if (!this.rotate()) {
          this.drop(frames.length - i);
          break;
        }
      }
      text += line;
      lines++;
    }
    this.write(text, lines);
    if (this.pending() <= HIGH_WATER) return true;
    this.held = true;
    return false;
  }

  /** Writes what is queued and closes every part; the file's frames lost are logged. */
  async close(): Promise<void> {
    const writer = this.writer;
    this.writer = undefined;
    this.state = 'closed';
    if (writer) {
      await writer.end();
      this.options.budget.finish(this.path, writer.size);
    }
    await Promise.all([...this.flushing.keys()].map((w) => w.end()));
    if (this.dropped > 0)
      this.options.log.warn(
        { file: this.path, written: this.written, dropped: this.dropped },
        'recording closed: frames were dropped',
      );
  }

  /** Queues `lines` lines of text for the current file (within the directory budget). */
  private write(text: string, lines: number): void {
    if (lines === 0) return;
    const writer = this.writer;
    if (!writer || !this.options.budget.reserve(text.length)) return this.drop(lines);
    if (!writer.push(text, lines)) {
      this.options.budget.release(text.length);
      return this.drop(lines);
    }
    this.size += text.length;
  }

  private drop(frames: number): void {
    this.dropped += frames;
    if (this.state !== 'ok') this.lost += frames;
  }

  /** Renames the file to `.1` and starts a new one; false when the frames cannot go on. */
  private rotate(): boolean {
    const old = this.writer;
    try {
      this.options.budget.replaced(this.rotated);
      this.fs.renameSync(this.path, this.rotated); // the old file's pending writes follow it
    } catch (err) {
      this.failure(err as NodeJS.ErrnoException);
      return false;
    }
    for (const part of this.flushing.values()) part.replaced = true;
    if (old) this.flush(old);
    this.size = 0;
    this.writer = this.open();
    if (this.resuming === old) this.resuming = this.writer; // a retry that rotated before its first write
    this.options.log.info({ file: this.path, rotatedTo: this.rotated }, 'recording file rotated');
    return this.writer !== undefined;
  }

  /** Lets a rotated part finish its writes; its bytes then count as a finished file (or as gone). */
  private flush(writer: RecordWriter): void {
    const part = { replaced: false };
    this.flushing.set(writer, part);
    void writer.end().then(() => {
      this.flushing.delete(writer);
      if (part.replaced) this.options.budget.release(writer.size);
      else this.options.budget.finish(this.rotated, writer.size);
      this.unhold();
    });
  }

  /** Opens the file for appending; undefined (and a failure) when it cannot be opened. */
  private open(): RecordWriter | undefined {
    try {
      const writer = RecordWriter.open(this.fs, this.path, this.events, this.options.log);
      this.size = writer.size;
      return writer;
    } catch (err) {
      this.failure(err as NodeJS.ErrnoException);
      return undefined;
    }
  }

  /** The retry time has come: write again (reopening the file if it could not be opened). */
  private retry(): void {
    this.state = 'retrying';
    this.writer ??= this.open();
    if (this.state === 'retrying') this.resuming = this.writer;
  }

  private onWritten(writer: RecordWriter, lines: number): void {
    this.written += lines;
    if (writer === this.resuming) {
      this.resuming = undefined;
      if (this.state === 'retrying') this.state = 'ok';
      this.options.log.info(
        { file: this.path, dropped: this.lost },
        'recording resumed: frames were dropped while writes failed',
      );
      this.lost = 0;
    }
    this.unhold();
  }

  /** A write failed part way (`kept` lines of it are on disk): logged once, retried later. */
  private onFailed(
    writer: RecordWriter,
    err: NodeJS.ErrnoException,
    kept: number,
    lines: number,
    bytes: number,
    cut: boolean,
  ): void {
    this.written += kept;
    if (writer === this.writer) this.size -= bytes;
    this.options.budget.release(bytes);
    this.failure(err);
    this.drop(lines);
    if (!cut && writer === this.writer) {
      this.state = 'given-up'; // the writer takes nothing more; closed with the session
      this.options.log.error(
        { file: this.path },
        'recording stopped: the file could not be cut back to its last whole line',
      );
    }
    this.unhold();
  }

  /** A write, rename or open failed: logged once until writing succeeds again; retried later. */
  private failure(err: NodeJS.ErrnoException): void {
    this.resuming = undefined;
    if (this.state === 'given-up' || this.state === 'closed') return;
    if (this.state === 'ok') {
      this.options.log.error(
        { file: this.path, err: { message: err.message, code: err.code }, retryMs: RETRY_MS },
        'recording failed: frames are dropped and counted until a write succeeds again',
      );
    }
    if (this.state !== 'failed') this.retryAt = this.now() + RETRY_MS;
    this.state = 'failed';
  }

  private pending(): number {
    let bytes = this.writer?.pending ?? 0;
    for (const w of this.flushing.keys()) bytes += w.pending;
    return bytes;
  }

  /** The session reads on once what waits to be written is back under the mark. */
  private unhold(): void {
    if (!this.held || this.pending() > HIGH_WATER) return;
    this.held = false;
    this.options.onDrain();
  }
}
