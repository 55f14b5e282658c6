/**
 * Reading a configuration or profile file as a daemon must: only a regular file (a FIFO blocks its
 * reader until a writer comes; /dev/zero never ends), at most MAX_FILE_BYTES, opened with O_NONBLOCK
 * (opening a FIFO does not wait for a writer), checked with fstat on the opened handle (what is read
 * is what was checked, links followed), and read at most one byte past the cap. The async reader
 * never blocks the event loop (start and reload use it); the sync one is for tools and tests.
 * Nothing here throws: a file that cannot be read is a FG_ERR_CONFIG_READ error naming the path.
 */
import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { FieldgateError } from '../errors.js';

/** 4 MiB: far above any real configuration or profile, far below what hurts a small board. */
export const MAX_FILE_BYTES = 4 * 1024 * 1024;

const FLAGS = constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY;
const CHUNK = 64 * 1024;

export type FileText =
  | { readonly ok: true; readonly text: string }
  /** `reason` is the message without the path ("it is a FIFO, not a regular file"); `error` names the path. */
  | { readonly ok: false; readonly reason: string; readonly error: FieldgateError };

function refused(path: string, reason: string, cause?: unknown): FileText {
  return { ok: false, reason, error: new FieldgateError('FG_ERR_CONFIG_READ', `${path}: ${reason}`, [], { cause }) };
}

function kind(stats: Stats): string | undefined {
  if (stats.isFile()) return undefined;
  if (stats.isDirectory()) return 'it is a directory, not a file';
  if (stats.isFIFO()) return 'it is a FIFO, not a regular file';
  if (stats.isCharacterDevice()) return 'it is a character device, not a regular file';
  if (stats.isBlockDevice()) return 'it is a block device, not a regular file';
  if (stats.isSocket()) return 'it is a socket, not a regular file';
  return 'it is not a regular file';
}

const tooLarge = (bytes: number) => `it is larger than 4 MiB (${bytes} bytes)`;
const grew = 'it is larger than 4 MiB (it grew while it was read)';

/** Why a file cannot be opened or read; `missing` is what ENOENT says ("no such file"). */
function errnoReason(err: unknown, missing: string): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') return missing;
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory, not a file';
  if (code === 'ENXIO') return 'it is not a regular file';
  return err instanceof Error ? err.message : String(err);
}

/** Checks what the handle is; the number of bytes to read first (the size, capped), or why not. */
function admit(path: string, stats: Stats): FileText | number {
  const why = kind(stats);
  if (why !== undefined) return refused(path, why);
  if (stats.size > MAX_FILE_BYTES) return refused(path, tooLarge(stats.size));
  return stats.size + 1;
}

/** Reads `path` as UTF-8 text without blocking the event loop. */
export async function readFileText(path: string, missing = 'no such file'): Promise<FileText> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, FLAGS);
    const first = admit(path, await handle.stat());
    if (typeof first !== 'number') return first;
    const chunks: Buffer[] = [];
    let total = 0;
    for (let want = first; ; want = CHUNK) {
      const buf = Buffer.allocUnsafe(Math.min(want, MAX_FILE_BYTES + 1 - total));
      const { bytesRead } = await handle.read(buf, 0, buf.length, total);
      if (bytesRead === 0) break;
      chunks.push(buf.subarray(0, bytesRead));
      total += bytesRead;
      if (total > MAX_FILE_BYTES) return refused(path, grew);
    }
    return { ok: true, text: Buffer.concat(chunks, total).toString('utf8') };
  } catch (err) {
    return refused(path, errnoReason(err, missing), err);
  } finally {
    await handle?.close().catch(() => undefined);
  }
}

/** The same, synchronously (safe for a FIFO or a device too: refused before any read). */
export function readFileTextSync(path: string, missing = 'no such file'): FileText {
  let fd: number | undefined;
  try {
    fd = openSync(path, FLAGS);
    const first = admit(path, fstatSync(fd));
    if (typeof first !== 'number') return first;
    const chunks: Buffer[] = [];
    let total = 0;
    for (let want = first; ; want = CHUNK) {
      const buf = Buffer.allocUnsafe(Math.min(want, MAX_FILE_BYTES + 1 - total));
      const bytesRead = readSync(fd, buf, 0, buf.length, total);
      if (bytesRead === 0) break;
      chunks.push(buf.subarray(0, bytesRead));
      total += bytesRead;
      if (total > MAX_FILE_BYTES) return refused(path, grew);
    }
    return { ok: true, text: Buffer.concat(chunks, total).toString('utf8') };
  } catch (err) {
    return refused(path, errnoReason(err, missing), err);
  } finally {
    if (fd !== undefined) closeQuietly(fd);
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // the text is read (or refused) already
  }
}
