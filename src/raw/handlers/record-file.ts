/**
 * One session's capture file: every frame on one line, `<ISO time> <length> <hex bytes>`, appended
 * in order. At `maxSize` bytes the file is renamed to `<name>.1` (replacing an older one) and a new
 * file is started, so one session never takes more than twice `maxSize` of disk; the server's
 * directory budget (record-budget.ts) bounds all of its files together. A write error (disk full,
 * directory removed) stops this file, logged once; the session goes on.
 */
import { createWriteStream, renameSync, type WriteStream } from 'node:fs';
import type { Logger } from 'pino';
import type { RecordBudget } from './record-budget.js';

export class RecordFile {
  private stream: WriteStream;
  private size = 0;
  private failed = false;
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

  /** Appends the frames, stamped `at`; false when the file is backed up (wait for onDrain). */
  append(frames: readonly Buffer[], at: Date): boolean {
    if (this.failed) {
      this.dropped += frames.length;
      return true;
    }
    const stamp = at.toISOString();
    let text = '';
    for (const frame of frames) text += `${stamp} ${frame.length} ${frame.toString('hex')}\n`;
    if (this.size > 0 && this.size + text.length > this.maxSize) this.rotate();
    if (!this.budget.reserve(text.length)) {
      this.dropped += frames.length;
      return true;
    }
    this.size += text.length;
    return this.stream.write(text);
  }

  close(): Promise<void> {
    const stream = this.stream;
    this.budget.finish(this.path, this.size);
    return new Promise((resolve) => {
      if (stream.closed || stream.destroyed) return resolve();
      stream.once('close', () => resolve());
      stream.end();
    });
  }

  private openStream(): WriteStream {
    const stream = createWriteStream(this.path, { flags: 'a' });
    stream.on('error', (err) => this.fail(err));
    stream.on('drain', () => {
      if (stream === this.stream) this.onDrain();
    });
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
    old.end();
    this.log.info({ file: this.path, rotatedTo: `${this.path}.1` }, 'recording file rotated');
  }

  private fail(err: Error): void {
    if (this.failed) return;
    this.failed = true;
    this.log.error({ file: this.path, err: { message: err.message, code: (err as NodeJS.ErrnoException).code } }, 'recording failed: frames of this session are no longer written');
    this.onDrain(); // nothing will drain a failed file: let the session read on
  }
}
