/**
 * One session's capture file: every frame on one line, `<ISO time> <length> <hex bytes>`, appended
 * in order. At `maxSize` bytes the file is renamed to `<name>.1` (replacing an older one) and a new
 * file is started, so one session never takes more than twice `maxSize` of disk; the server's
 * directory budget (record-budget.ts) bounds all of its files together. A write error (disk full,
 * directory removed) stops this file, logged once; the session goes on.
 */
import { createWriteStream, openSync, renameSync, type WriteStream } from 'node:fs';
import type { Logger } from 'pino';
import type { RecordBudget } from './record-budget.js';

export class RecordFile {
  /** Undefined only when the file could not be opened (then `failed`). */
  private stream: WriteStream | undefined;
  private size = 0;
  private failed = false;
  /**
   * Streams whose last write went past their buffer and that have not drained yet: the current one,
   * and a rotated one until its file is closed (an ended stream emits no 'drain'). The session
   * reads on when none is left.
   */
  private readonly backedUp = new Set<WriteStream>();
  /** Frames not written because the file failed. */
  dropped = 0;

  constructor(
    readonly path: string,
    private readonly maxSize: number,
    private readonly log: Logger,
    private readonly onDrain: () => void,
    private readonly budget: RecordBudget,
  ) {
    this.stream = this.openStream();
  }

  /**
   * Appends the frames, stamped `at`; false when the file is backed up (wait for onDrain). A file is
   * rotated before the line that would take it past maxSize, however many frames came in one read.
   */
  append(frames: readonly Buffer[], at: Date): boolean {
    const stamp = at.toISOString();
    let text = '';
    let lines = 0;
    for (const frame of frames) {
      const line = `${stamp} ${frame.length} ${frame.toString('hex')}\n`;
      const size = this.size + text.length;
      if (size > 0 && size + line.length > this.maxSize) {
        this.write(text, lines);
        text = '';
        lines = 0;
        if (!this.failed) this.rotate();
      }
      text += line;
      lines++;
    }
    this.write(text, lines);
    return this.backedUp.size === 0;
  }

  close(): Promise<void> {
    const stream = this.stream;
    this.budget.finish(this.path, this.size);
    return new Promise((resolve) => {
      if (!stream || stream.closed || stream.destroyed) return resolve();
      stream.once('close', () => resolve());
      stream.end();
    });
  }

  /** Writes `lines` lines of text (within the directory budget). */
  private write(text: string, lines: number): void {
    if (lines === 0) return;
    const stream = this.stream;
    if (this.failed || !stream || !this.budget.reserve(text.length)) {
      this.dropped += lines;
      return;
    }
    this.size += text.length;
    if (!stream.write(text)) this.backedUp.add(stream);
  }

  /** `stream` has drained or is closed: the session reads on once no stream is backed up. */
  private unblock(stream: WriteStream): void {
    if (this.backedUp.delete(stream) && this.backedUp.size === 0) this.onDrain();
  }

  /**
   * Opens the file at once (not when the stream gets to it), so that a rotation right after, in the
   * same read, finds the file to rename.
   */
  private openStream(): WriteStream | undefined {
    let fd: number;
    try {
      fd = openSync(this.path, 'a');
    } catch (err) {
      this.fail(err as Error);
      return undefined;
    }
    const stream = createWriteStream(this.path, { fd });
    stream.on('error', (err) => this.fail(err));
    stream.on('drain', () => this.unblock(stream));
    stream.on('close', () => this.unblock(stream));
    return stream;
  }

  private rotate(): void {
    const old = this.stream;
    try {
      this.budget.replaced(`${this.path}.1`);
      renameSync(this.path, `${this.path}.1`); // the old stream's pending writes follow its file
      this.budget.finish(`${this.path}.1`, this.size);
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    this.stream = this.openStream();
    this.size = 0;
    old?.end();
    this.log.info({ file: this.path, rotatedTo: `${this.path}.1` }, 'recording file rotated');
  }

  private fail(err: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.log.error({ file: this.path, err: { message: err.message, code: (err as NodeJS.ErrnoException).code } }, 'recording failed: frames of this session are no longer written');
    this.onDrain(); // nothing will drain a failed file: let the session read on
  }
}
