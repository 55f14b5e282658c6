/**
 * The file system calls of the forward store: node:fs, or in tests a disk that fills up (the same
 * pattern as the record writer's `RecordFs`: node:fs's callback calls, so a test spreads node:fs and
 * replaces `write`). `StoreFiles` turns them into promises; nothing here blocks the event loop.
 */
import * as nodeFs from 'node:fs';

type Done = (err: NodeJS.ErrnoException | null) => void;
type Count = (err: NodeJS.ErrnoException | null, n: number) => void;

export interface StoreFs {
  mkdir(path: string, options: { recursive: true; mode: number }, callback: Done): void;
  readdir(path: string, callback: (err: NodeJS.ErrnoException | null, files: string[]) => void): void;
  open(
    path: string,
    flags: string,
    mode: number,
    callback: (err: NodeJS.ErrnoException | null, fd: number) => void,
  ): void;
  read(fd: number, buffer: Buffer, offset: number, length: number, position: number, callback: Count): void;
  write(fd: number, buffer: Buffer, offset: number, length: number, position: null, callback: Count): void;
  ftruncate(fd: number, len: number, callback: Done): void;
  close(fd: number, callback: Done): void;
  unlink(path: string, callback: Done): void;
  rename(from: string, to: string, callback: Done): void;
  readFile(path: string, callback: (err: NodeJS.ErrnoException | null, data: Buffer) => void): void;
  writeFile(path: string, data: string, options: { mode: number }, callback: Done): void;
}

export const defaultStoreFs: StoreFs = nodeFs;

const FILE_MODE = 0o640;

/** Promise-returning wrappers over a `StoreFs`. */
export class StoreFiles {
  constructor(private readonly fs: StoreFs) {}

  mkdir(path: string, mode: number): Promise<void> {
    return new Promise((resolve, reject) =>
      this.fs.mkdir(path, { recursive: true, mode }, (err) => (err ? reject(err) : resolve())),
    );
  }

  readdir(path: string): Promise<string[]> {
    return new Promise((resolve, reject) =>
      this.fs.readdir(path, (err, files) => (err ? reject(err) : resolve(files))),
    );
  }

  /** Opens `path` with `flags` ('a' appends and creates, 'r' reads, 'r+' reads and writes). */
  open(path: string, flags: 'a' | 'r' | 'r+'): Promise<number> {
    return new Promise((resolve, reject) =>
      this.fs.open(path, flags, FILE_MODE, (err, fd) => (err ? reject(err) : resolve(fd))),
    );
  }

  /** Reads up to `length` bytes at `position`; returns how many were read (fewer at the end of the file). */
  async read(fd: number, buffer: Buffer, length: number, position: number): Promise<number> {
    let got = 0;
    while (got < length) {
      const n = await new Promise<number>((resolve, reject) =>
        this.fs.read(fd, buffer, got, length - got, position + got, (err, read) => (err ? reject(err) : resolve(read))),
      );
      if (n <= 0) break;
      got += n;
    }
    return got;
  }

  /**
   * Appends all of `data` (again after a short write). On failure, the error carries `written`: how
   * much of `data` reached the file.
   */
  async append(fd: number, data: Buffer): Promise<void> {
    let at = 0;
    while (at < data.length) {
      const n = await new Promise<number>((resolve, reject) =>
        this.fs.write(fd, data, at, data.length - at, null, (err, written) =>
          err ? reject(Object.assign(err, { written: at })) : resolve(written),
        ),
      );
      if (n <= 0) throw Object.assign(new Error('write wrote nothing'), { code: 'EIO', written: at });
      at += n;
    }
  }

  ftruncate(fd: number, len: number): Promise<void> {
    return new Promise((resolve, reject) => this.fs.ftruncate(fd, len, (err) => (err ? reject(err) : resolve())));
  }

  close(fd: number): Promise<void> {
    return new Promise((resolve, reject) => this.fs.close(fd, (err) => (err ? reject(err) : resolve())));
  }

  unlink(path: string): Promise<void> {
    return new Promise((resolve, reject) => this.fs.unlink(path, (err) => (err ? reject(err) : resolve())));
  }

  readFile(path: string): Promise<Buffer> {
    return new Promise((resolve, reject) => this.fs.readFile(path, (err, data) => (err ? reject(err) : resolve(data))));
  }

  /** Replaces `path` with `text` atomically (a temp file renamed over it). */
  async replaceFile(path: string, text: string): Promise<void> {
    const tmp = `${path}.tmp`;
    await new Promise<void>((resolve, reject) =>
      this.fs.writeFile(tmp, text, { mode: FILE_MODE }, (err) => (err ? reject(err) : resolve())),
    );
    await new Promise<void>((resolve, reject) => this.fs.rename(tmp, path, (err) => (err ? reject(err) : resolve())));
  }
}

/** An error's code and message, for a log line. */
export function errFields(err: unknown): { message: string; code: string | undefined } {
  const e = err as NodeJS.ErrnoException;
  return { message: e?.message ?? String(err), code: e?.code };
}
