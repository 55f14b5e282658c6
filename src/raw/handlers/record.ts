/**
 * `handler: { record: DIR }`: every frame a session receives is appended, with a timestamp, to a file
 * of its own under DIR. File names are made by fieldgate from the server name, the peer, the time
 * and the session id; nothing a peer sends can choose a path. When the disk cannot keep up, the
 * session stops reading until it can (backpressure to the sender, no memory growth). A write that
 * fails (disk full) leaves the file on its last whole line; frames are dropped and counted until a
 * write succeeds again (record-file.ts).
 */
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { FieldgateError } from '../../errors.js';
import type { RawHandler } from '../handler.js';
import type { RawSession } from '../raw-session.js';
import { RecordBudget } from './record-budget.js';
import { RecordFile } from './record-file.js';
import type { RecordFs } from './record-writer.js';

export interface RecordOptions {
  readonly server: string;
  readonly dir: string;
  readonly maxFileSize: number;
  /** Bytes all of this server's files under `dir` may take together. */
  readonly maxTotalSize: number;
  readonly log: Logger;
  /** node:fs unless given (tests: a disk that fills up). */
  readonly fs?: RecordFs;
  /** The clock retries after a failed write are timed by (ms); Date.now unless given. */
  readonly now?: () => number;
}

/**
 * `scope_127.0.0.1-50312_20260501T100000.123Z_s7.log`: only letters, digits, `.`, `-`, `_`; the
 * peer and the time never hold a `_`, so the server part is known from the end of the name.
 */
export function recordFileName(server: string, peer: string, at: Date, session: number): string {
  const stamp = at.toISOString().replace(/[-:]/g, '');
  return `${safe(server)}_${safe(peer, /[^A-Za-z0-9.]+/g)}_${stamp}_s${session}.log`;
}

const safe = (s: string, unsafe = /[^A-Za-z0-9._]+/g) => s.replace(unsafe, '-').replace(/^-+|-+$/g, '');

/**
 * The names fieldgate gives `server`'s files (recordFileName, and `.1` for a rotated part), and no
 * other: how its budget finds earlier runs' files without touching another server's or an operator's.
 */
export function recordFilePattern(server: string): RegExp {
  const name = safe(server).replace(/[.-]/g, '\\$&');
  return new RegExp(`^${name}_[A-Za-z0-9.-]*_\\d{8}T\\d{6}\\.\\d{3}Z_s\\d+\\.log(?:\\.1)?$`);
}

export class RecordHandler implements RawHandler {
  readonly oneByOne = true;
  private readonly files = new Map<RawSession, RecordFile>();
  /** Files of closed sessions still being flushed. */
  private readonly flushing = new Set<Promise<void>>();
  private readonly budget: RecordBudget;

  constructor(private readonly options: RecordOptions) {
    this.budget = new RecordBudget(options.dir, recordFilePattern(options.server), options.maxTotalSize, options.log);
  }

  async start(): Promise<void> {
    const { dir, server } = this.options;
    try {
      await mkdir(dir, { recursive: true });
      await access(dir, constants.W_OK);
      this.budget.scan();
    } catch (err) {
      const why = (err as NodeJS.ErrnoException).code === 'EACCES' ? 'permission denied' : (err as Error).message;
      throw new FieldgateError('FG_ERR_START', `server "${server}" cannot record into ${dir}: ${why}`, [], {
        cause: err,
      });
    }
  }

  async stop(): Promise<void> {
    await Promise.all([...[...this.files.values()].map((f) => f.close()), ...this.flushing]);
    this.files.clear();
  }

  opened(session: RawSession): void {
    const { dir, server, maxFileSize, log, fs, now } = this.options;
    const path = join(dir, recordFileName(server, session.stats.remote, session.stats.since, session.id));
    this.files.set(
      session,
      new RecordFile({
        path,
        maxSize: maxFileSize,
        log: log.child({ session: session.id }),
        onDrain: () => session.release('file'),
        budget: this.budget,
        ...(fs ? { fs } : {}),
        ...(now ? { now } : {}),
      }),
    );
    log.info({ session: session.id, peer: session.stats.remote, file: path }, 'recording session');
  }

  /** `frames`: one buffer per frame (oneByOne). */
  received(session: RawSession, frames: readonly Buffer[]): void {
    const file = this.files.get(session);
    if (file && !file.append(frames, new Date())) session.hold('file');
  }

  closed(session: RawSession): void {
    const file = this.files.get(session);
    if (!file) return;
    this.files.delete(session);
    const flushed = file.close();
    this.flushing.add(flushed);
    void flushed.then(() => this.flushing.delete(flushed));
  }
}
