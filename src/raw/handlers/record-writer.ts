/**
 * Writes the lines of one record file, in order, one write at a time (what came meanwhile goes in
 * the next write, as one). The file always ends on a whole line: when a write fails (disk full, I/O
 * error) after part of it reached the disk, the file is cut back to the last whole line it holds,
 * and everything still queued is given up; the owner is told what was kept and what was lost.
 */
import type { Logger } from 'pino';

/** The file system calls of a record file: node:fs, or in tests a disk that fills up. */
export interface RecordFs {
  openSync(path: string, flags: 'a'): number;
  fstatSync(fd: number): { readonly size: number };
  renameSync(from: string, to: string): void;
  write(
    fd: number,
    buffer: Buffer,
    offset: number,
    length: number,
    position: null,
    callback: (err: NodeJS.ErrnoException | null, written: number) => void,
  ): void;
  ftruncate(fd: number, len: number, callback: (err: NodeJS.ErrnoException | null) => void): void;
  close(fd: number, callback: (err: NodeJS.ErrnoException | null) => void): void;
}

export interface WriterEvents {
  /** `lines` whole lines (`bytes` bytes) reached the disk. */
  written(writer: RecordWriter, lines: number, bytes: number): void;
  /**
   * A write failed: `kept` whole lines of it reached the disk, `lines` lines (`bytes` bytes) are
   * lost (cut back or never written). `cut`: the file ends on a whole line again; false when cutting
   * it back failed too (then nothing more is written to it).
   */
  failed(
    writer: RecordWriter,
    err: NodeJS.ErrnoException,
    kept: number,
    lines: number,
    bytes: number,
    cut: boolean,
  ): void;
}

const NEWLINE = 0x0a;

export class RecordWriter {
  /** Bytes on disk, ending on a whole line. */
  size: number;
  /** Bytes queued or being written. */
  pending = 0;
  /** Cutting the file back failed: it may end in a partial line and takes nothing more. */
  broken = false;
  private queue: string[] = [];
  private queuedLines = 0;
  private busy = false;
  private ending = false;
  private readonly closed: Promise<void>;
  private onClosed: () => void = () => undefined;

  /** Opens `path` for appending (throws what openSync throws). */
  static open(fs: RecordFs, path: string, events: WriterEvents, log: Logger): RecordWriter {
    const fd = fs.openSync(path, 'a');
    return new RecordWriter(fs, fd, fs.fstatSync(fd).size, events, log);
  }

  private constructor(
    private readonly fs: RecordFs,
    private readonly fd: number,
    size: number,
    private readonly events: WriterEvents,
    private readonly log: Logger,
  ) {
    this.size = size;
    this.closed = new Promise((resolve) => (this.onClosed = resolve));
  }

  /** Queues `lines` whole lines (ASCII text); false when the file takes nothing more. */
  push(text: string, lines: number): boolean {
    if (this.broken || this.ending) return false;
    this.queue.push(text);
    this.queuedLines += lines;
    this.pending += text.length;
    if (!this.busy) this.next();
    return true;
  }

  /** Writes what is queued, then closes the file; resolves once it is closed. */
  end(): Promise<void> {
    if (!this.ending) {
      this.ending = true;
      if (!this.busy) this.next();
    }
    return this.closed;
  }

  private next(): void {
    if (this.queue.length === 0) {
      if (this.ending) this.close();
      return;
    }
    const data = Buffer.from(this.queue.join(''), 'latin1');
    const lines = this.queuedLines;
    this.queue = [];
    this.queuedLines = 0;
    this.busy = true;
    this.writeAll(data, 0, (err, written) => {
      if (err) return this.cutBack(err, data, written, lines);
      this.busy = false;
      this.size += data.length;
      this.pending -= data.length;
      this.events.written(this, lines, data.length);
      this.next();
    });
  }

  /** Writes `data` from `from` on, again after a short write; `written`: what reached the disk. */
  private writeAll(
    data: Buffer,
    from: number,
    done: (err: NodeJS.ErrnoException | null, written: number) => void,
  ): void {
    this.fs.write(this.fd, data, from, data.length - from, null, (err, n) => {
      if (err) return done(err, from);
      const at = from + n;
      if (at >= data.length) return done(null, at);
      if (n <= 0) return done(Object.assign(new Error('write wrote nothing'), { code: 'EIO' }), at);
      this.writeAll(data, at, done);
    });
  }

  /**
   * `data` (`lines` lines) reached the disk only in part, `written` bytes of it: keeps its whole
   * lines, cuts the rest off, and gives up what is queued behind it.
   */
  private cutBack(err: NodeJS.ErrnoException, data: Buffer, written: number, lines: number): void {
    const keep = written > 0 ? data.lastIndexOf(NEWLINE, written - 1) + 1 : 0;
    let kept = 0;
    for (let i = data.indexOf(NEWLINE); i >= 0 && i < keep; i = data.indexOf(NEWLINE, i + 1)) kept++;
    const queued = this.pending - data.length;
    const lost = { lines: lines - kept + this.queuedLines, bytes: data.length - keep + queued };
    this.queue = [];
    this.queuedLines = 0;
    this.pending = 0;
    this.fs.ftruncate(this.fd, this.size + keep, (cutErr) => {
      this.busy = false;
      if (cutErr) {
        this.broken = true;
        this.log.debug(
          { err: { message: cutErr.message, code: cutErr.code } },
          'cannot cut a record file back to its last whole line',
        );
      }
      this.size += keep;
      this.events.failed(this, err, kept, lost.lines, lost.bytes, !cutErr);
      this.next();
    });
  }

  private close(): void {
    this.busy = true; // nothing more is written
    this.fs.close(this.fd, (err) => {
      if (err) this.log.debug({ err: { message: err.message, code: err.code } }, 'record file close failed');
      this.onClosed();
    });
  }
}
