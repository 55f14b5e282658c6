/**
 * The disk budget of one recording server: every file of this server under its directory (earlier
 * runs' too, found at start by the exact names fieldgate gives this server's files; another
 * server's files, or anything else in the directory, are never counted nor deleted) counts against
 * `maxTotal`. When a
 * write would go past it, the oldest finished files (closed sessions, rotated `.1` parts) are
 * deleted first; when only files still being written are left, the write is refused (the frames are
 * counted as dropped by the file) until room is made. So a recorder left running for months never
 * fills the disk beyond what was configured.
 */
import { readdirSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';

interface Finished {
  readonly path: string;
  readonly size: number;
  readonly at: number;
}

export class RecordBudget {
  /** Bytes on disk of this server's files, as far as fieldgate knows. */
  total = 0;
  /** Files deleted to stay inside the budget, since start. */
  deleted = 0;
  private finished: Finished[] = [];
  private full = false;

  constructor(
    private readonly dir: string,
    /** The names of this server's files (record.ts recordFilePattern). */
    private readonly names: RegExp,
    readonly maxTotal: number,
    private readonly log: Logger,
  ) {}

  /** Counts what earlier runs left in the directory. */
  scan(): void {
    for (const name of readdirSync(this.dir)) {
      if (!this.names.test(name)) continue;
      try {
        const st = statSync(join(this.dir, name));
        if (!st.isFile()) continue;
        this.total += st.size;
        this.finished.push({ path: join(this.dir, name), size: st.size, at: st.mtimeMs });
      } catch {
        // gone meanwhile
      }
    }
    this.finished.sort((a, b) => a.at - b.at);
    this.makeRoom(0);
  }

  /** Reserves `bytes` for a write; false = no room even after deleting every finished file. */
  reserve(bytes: number): boolean {
    if (this.total + bytes > this.maxTotal && !this.makeRoom(bytes)) {
      if (!this.full)
        this.log.warn(
          { maxTotalSize: this.maxTotal, total: this.total },
          'recording directory budget used up by open files: frames are dropped until room is made',
        );
      this.full = true;
      return false;
    }
    if (this.full) this.log.info({ total: this.total }, 'recording again: room was made in the directory budget');
    this.full = false;
    this.total += bytes;
    return true;
  }

  /** A file is done (its session closed, or it was rotated to this path): it may be deleted when room is needed. */
  finish(path: string, size: number): void {
    const replaced = this.finished.findIndex((f) => f.path === path);
    if (replaced >= 0) {
      this.total -= this.finished[replaced]?.size ?? 0; // a rotation replaced an older .1
      this.finished.splice(replaced, 1);
    }
    this.finished.push({ path, size, at: Date.now() });
  }

  /** `bytes` reserved are not on disk (a failed write was cut back) or no longer (a replaced file was closed). */
  release(bytes: number): void {
    this.total = Math.max(0, this.total - bytes);
  }

  /** A rotation is about to replace `path`: its bytes leave the budget. */
  replaced(path: string): void {
    const i = this.finished.findIndex((f) => f.path === path);
    if (i < 0) return;
    this.total -= this.finished[i]?.size ?? 0;
    this.finished.splice(i, 1);
  }

  private makeRoom(bytes: number): boolean {
    while (this.total + bytes > this.maxTotal) {
      const oldest = this.finished.shift();
      if (!oldest) return false;
      try {
        unlinkSync(oldest.path);
        this.deleted++;
        this.log.info(
          { file: oldest.path, size: oldest.size },
          'recording file deleted to stay inside the directory budget',
        );
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
          this.log.warn({ file: oldest.path, err: (err as Error).message }, 'cannot delete an old recording file');
      }
      this.total -= oldest.size;
    }
    return true;
  }
}
