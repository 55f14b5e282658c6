/**
 * The bounded on-disk store-and-forward queue of the MQTT publisher. While the broker (or the
 * Sparkplug primary host) is away the publisher appends records (opaque Buffers); when it is back
 * the publisher reads them oldest first, sends them, and removes what it sent.
 *
 * - Bounded: the segment files together never pass `maxSize` bytes (frames: 8-byte header and the
 *   record). When a write would pass it, the oldest segment (about maxSize/8, at least 64 KiB) is
 *   deleted; its records waiting are counted in `dropped` / `droppedBytes` (bytes as stored).
 * - Durable across restarts: segment files and a head file (which record the next read starts at)
 *   in `dir`; `open` checks them (`store-load.ts`).
 * - Never blocks: `append` only queues the record in memory (bounded by `memorySize`; past it the
 *   oldest in memory are dropped and counted) and wakes the one writer. Every file operation (writes,
 *   reads, removes, deletes) runs on one async chain, in order, so reads see every record appended
 *   before them and appends during a read/remove cycle go to the end.
 * - A write that fails (disk full, I/O error) is cut back to the last whole record; its records are
 *   dropped and counted, logged once per outage; the next write tries again.
 * - `read` / `remove` work on the records the last `read` returned: `remove(n)` removes the first
 *   `n` of them (those the bound dropped meanwhile are gone already and are not removed twice), or
 *   without a read, the `n` oldest. The head file is written (atomically, not fsynced) after each
 *   remove, so after a crash at most the last batch is sent again.
 */
import type { Logger } from '../log.js';
import { encodeFrame, FRAME_HEADER } from './store-frame.js';
import { defaultStoreFs, errFields, StoreFiles, type StoreFs } from './store-fs.js';
import { headText, HEAD_FILE, loadStore, type LoadedStore } from './store-load.js';
import { newSegment, readFrames, type Segment } from './store-segment.js';
import { join } from 'node:path';

export interface ForwardStoreOptions {
  readonly dir: string;
  /** Bytes on disk, at most (frames included). */
  readonly maxSize: number;
  readonly log: Logger;
  /** Bytes per segment file; default maxSize/8, at least 64 KiB (never more than maxSize). */
  readonly segmentSize?: number;
  /** Bytes queued in memory for the writer, at most; default 256 KiB (at most maxSize/2). */
  readonly memorySize?: number;
  /** The file system (tests: a disk that fills up). */
  readonly fs?: StoreFs;
}

const MIN_SEGMENT = 64 * 1024;
const MEMORY = 256 * 1024;

/** Records of one segment returned by the last read. */
interface ReadRun {
  readonly seg: Segment;
  readonly startIndex: number;
  readonly ends: number[];
}

export class ForwardStore {
  private readonly maxSize: number;
  private readonly segmentSize: number;
  private readonly memoryLimit: number;
  private readonly log: Logger;
  private readonly dir: string;
  /** Oldest first; the last one takes new records unless sealed. */
  private segments: Segment[];
  /** Records (and their bytes) of segments[0] already removed. */
  private headIndex: number;
  private headOffset: number;
  private nextSeq: number;
  /** Whole records and bytes in all segment files. */
  private diskRecords = 0;
  private diskBytes = 0;
  /** Frames waiting for the writer: mem[memStart..]. */
  private mem: Buffer[] = [];
  private memStart = 0;
  private memBytes = 0;
  private writingRecords = 0;
  private writingBytes = 0;
  private droppedRecords: number;
  private droppedByteCount: number;
  private tail: Promise<void> = Promise.resolve();
  private writeQueued = false;
  private closed = false;
  private lastRead: ReadRun[] = [];
  /** Segments the head has left, to delete once the head is saved. */
  private gone: Segment[] = [];
  /** Set while writes fail: what they lost since. */
  private failing: { records: number; bytes: number } | undefined;
  private fullLogged = false;
  private memoryLogged = false;
  private headLogged = false;
  private tooBigLogged = false;

  static async open(options: ForwardStoreOptions): Promise<ForwardStore> {
    if (!Number.isSafeInteger(options.maxSize) || options.maxSize < 1024)
      throw new RangeError(`forward store maxSize must be an integer of at least 1024, not ${options.maxSize}`);
    const files = new StoreFiles(options.fs ?? defaultStoreFs);
    const loaded = await loadStore(files, options.dir, options.log);
    const store = new ForwardStore(options, files, loaded);
    options.log.info(
      { dir: options.dir, records: store.count, bytes: store.bytes, dropped: store.dropped },
      'forward store opened',
    );
    return store;
  }

  private constructor(
    options: ForwardStoreOptions,
    private readonly files: StoreFiles,
    loaded: LoadedStore,
  ) {
    this.maxSize = options.maxSize;
    this.segmentSize = Math.min(
      this.maxSize,
      Math.max(256, options.segmentSize ?? Math.max(MIN_SEGMENT, Math.floor(this.maxSize / 8))),
    );
    this.memoryLimit = Math.max(256, Math.min(options.memorySize ?? MEMORY, Math.floor(this.maxSize / 2)));
    this.log = options.log;
    this.dir = options.dir;
    this.segments = loaded.segments;
    this.headIndex = loaded.headIndex;
    this.headOffset = loaded.headOffset;
    this.nextSeq = loaded.nextSeq;
    this.droppedRecords = loaded.droppedRecords;
    this.droppedByteCount = loaded.droppedBytes;
    for (const seg of this.segments) {
      this.diskRecords += seg.records;
      this.diskBytes += seg.size;
    }
  }

  /** Records waiting (on disk, being written and in memory). */
  get count(): number {
    return this.diskRecords - this.headIndex + this.writingRecords + (this.mem.length - this.memStart);
  }

  /** Bytes waiting, as stored (8 bytes of header per record). */
  get bytes(): number {
    return this.diskBytes - this.headOffset + this.writingBytes + this.memBytes;
  }

  /** Records dropped since open (bound, memory, write failures, corrupt files found by open or read). */
  get dropped(): number {
    return this.droppedRecords;
  }

  get droppedBytes(): number {
    return this.droppedByteCount;
  }

  /** Queues `record` (copied) for the writer; never throws. */
  append(record: Buffer): void {
    const length = FRAME_HEADER + (record?.length ?? 0);
    if (this.closed || !Buffer.isBuffer(record)) return this.drop(1, length);
    if (length > this.maxSize) {
      if (!this.tooBigLogged) {
        this.tooBigLogged = true;
        this.log.warn({ bytes: record.length, maxSize: this.maxSize }, 'forward store record larger than the store');
      }
      return this.drop(1, length);
    }
    const frame = encodeFrame(record);
    this.mem.push(frame);
    this.memBytes += frame.length;
    while (this.memBytes > this.memoryLimit && this.mem.length - this.memStart > 1) {
      const old = this.mem[this.memStart]!;
      this.mem[this.memStart++] = EMPTY;
      this.memBytes -= old.length;
      this.drop(1, old.length);
      if (!this.memoryLogged) {
        this.memoryLogged = true;
        this.log.warn({ memorySize: this.memoryLimit }, 'forward store writer behind, dropping the oldest in memory');
      }
    }
    if (this.memStart > 1024 && this.memStart * 2 > this.mem.length) {
      this.mem = this.mem.slice(this.memStart);
      this.memStart = 0;
    }
    if (!this.writeQueued) {
      this.writeQueued = true;
      void this.run(() => {
        this.writeQueued = false;
        return this.writeQueuedFrames();
      }).catch(noop);
    }
  }

  /** The oldest records, in order, not removed: at least one if any, else at most `maxBytes` of records. */
  read(maxBytes: number): Promise<Buffer[]> {
    return this.run(async () => {
      await this.writeQueuedFrames();
      const { payloads, runs } = await this.readDisk(maxBytes, Infinity);
      this.lastRead = runs;
      return payloads;
    });
  }

  /** Removes the first `n` records the last read returned (or the `n` oldest) and saves the head. */
  remove(n: number): Promise<void> {
    return this.run(async () => {
      let left = Math.max(0, Math.floor(n));
      if (left === 0) return;
      const runs = this.lastRead;
      this.lastRead = [];
      left -= this.advanceTo(runs, left);
      if (left > 0) {
        await this.writeQueuedFrames();
        this.advanceTo((await this.readDisk(Infinity, left)).runs, left);
      }
      const gone = this.takeConsumed();
      await this.saveHead();
      for (const seg of gone) await this.deleteFile(seg);
      if (this.count === 0) this.fullLogged = false;
    });
  }

  /** Resolves once everything appended so far is on disk (or dropped and counted). */
  flush(): Promise<void> {
    return this.run(() => this.writeQueuedFrames());
  }

  /** Flushes and closes the files; later appends are dropped and counted. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
    await this.run(async () => {
      const seg = this.active();
      if (seg !== undefined) await this.closeFd(seg);
    });
  }

  /** Runs `op` after every operation queued before it. */
  private run<T>(op: () => Promise<T>): Promise<T> {
    const done = this.tail.then(op);
    this.tail = done.then(noop, (err: unknown) => this.log.error({ err: errFields(err) }, 'forward store failed'));
    return done;
  }

  private drop(records: number, bytes: number): void {
    this.droppedRecords += records;
    this.droppedByteCount += bytes;
  }

  private active(): Segment | undefined {
    const last = this.segments[this.segments.length - 1];
    return last !== undefined && !last.sealed ? last : undefined;
  }

  /** Writes what is queued in memory, one segment's share at a time. */
  private async writeQueuedFrames(): Promise<void> {
    if (this.mem.length === this.memStart) return;
    const frames = this.mem.slice(this.memStart);
    this.mem = [];
    this.memStart = 0;
    this.writingRecords += frames.length;
    this.writingBytes += this.memBytes;
    this.memBytes = 0;
    let i = 0;
    while (i < frames.length) {
      let seg = this.active();
      if (seg !== undefined && seg.size > 0 && seg.size + frames[i]!.length > this.segmentSize) {
        await this.seal(seg);
        seg = undefined;
      }
      let size = seg?.size ?? 0;
      const start = i;
      while (i < frames.length && (i === start || size + frames[i]!.length <= this.segmentSize))
        size += frames[i++]!.length;
      const group = frames.slice(start, i);
      const bytes = size - (seg?.size ?? 0);
      await this.makeRoom(bytes);
      await this.writeGroup(group, bytes);
    }
    this.memoryLogged = false;
  }

  /** Deletes the oldest segments until `bytes` more fit; their waiting records are dropped. */
  private async makeRoom(bytes: number): Promise<void> {
    while (this.diskBytes + bytes > this.maxSize) {
      const seg = this.segments[0];
      if (seg === undefined) return;
      this.drop(seg.records - this.headIndex, seg.size - this.headOffset);
      if (!this.fullLogged) {
        this.fullLogged = true;
        this.log.warn({ maxSize: this.maxSize }, 'forward store full, dropping the oldest records');
      }
      this.segments.shift();
      this.forget(seg);
      this.headIndex = 0;
      this.headOffset = 0;
      await this.deleteFile(seg);
    }
  }

  private async writeGroup(group: Buffer[], bytes: number): Promise<void> {
    let seg = this.active();
    try {
      if (seg === undefined) {
        const last = this.segments[this.segments.length - 1];
        seg = newSegment(this.dir, Math.max(this.nextSeq, last === undefined ? 0 : last.first + 1));
        this.segments.push(seg);
        this.nextSeq = seg.first;
      }
      seg.fd ??= await this.files.open(seg.path, 'a');
      await this.files.append(seg.fd, group.length === 1 ? group[0]! : Buffer.concat(group, bytes));
    } catch (err) {
      if (seg?.fd !== undefined) {
        try {
          await this.files.ftruncate(seg.fd, seg.size);
        } catch (cutErr) {
          this.log.debug({ err: errFields(cutErr), file: seg.path }, 'forward store cannot cut a segment back');
          await this.seal(seg); // never append behind a partial record
        }
      }
      this.writingRecords -= group.length;
      this.writingBytes -= bytes;
      this.drop(group.length, bytes);
      if (this.failing === undefined) {
        this.failing = { records: 0, bytes: 0 };
        this.log.warn({ err: errFields(err), dir: this.dir }, 'forward store write failed, records dropped');
      }
      this.failing.records += group.length;
      this.failing.bytes += bytes;
      return;
    }
    seg.records += group.length;
    seg.size += bytes;
    this.diskRecords += group.length;
    this.diskBytes += bytes;
    this.nextSeq = seg.first + seg.records;
    this.writingRecords -= group.length;
    this.writingBytes -= bytes;
    if (this.failing !== undefined) {
      this.log.info({ lostRecords: this.failing.records, lostBytes: this.failing.bytes }, 'forward store writes again');
      this.failing = undefined;
    }
  }

  /** Reads waiting records from the head on (see `readFrames` for the limits). */
  private async readDisk(maxBytes: number, maxRecords: number): Promise<{ payloads: Buffer[]; runs: ReadRun[] }> {
    const payloads: Buffer[] = [];
    const runs: ReadRun[] = [];
    let bytes = 0;
    for (const [s, seg] of [...this.segments].entries()) {
      const startIndex = s === 0 ? this.headIndex : 0;
      const from = s === 0 ? this.headOffset : 0;
      if (startIndex >= seg.records) continue;
      let got: Awaited<ReturnType<typeof readFrames>> | undefined;
      let error: unknown;
      try {
        const fd = await this.files.open(seg.path, 'r');
        try {
          got = await readFrames(
            this.files,
            fd,
            from,
            seg.size,
            maxRecords - payloads.length,
            maxBytes - bytes,
            payloads.length === 0,
          );
        } finally {
          await this.files.close(fd);
        }
      } catch (err) {
        error = err;
      }
      const read = got?.payloads ?? [];
      for (const p of read) payloads.push(p);
      bytes += read.reduce((sum, p) => sum + p.length, 0);
      if (read.length > 0) runs.push({ seg, startIndex, ends: got!.ends });
      if (got?.limited) break;
      if (got === undefined || got.bad)
        await this.cutAfter(seg, startIndex + read.length, got?.ends.at(-1) ?? from, error);
      if (payloads.length >= maxRecords) break;
    }
    return { payloads, runs };
  }

  /** A record of `seg` is unreadable: keeps its first `records` (`size` bytes), drops the rest. */
  private async cutAfter(seg: Segment, records: number, size: number, error: unknown): Promise<void> {
    this.log.warn(
      {
        file: seg.path,
        at: size,
        records: seg.records - records,
        err: error === undefined ? undefined : errFields(error),
      },
      'forward store corrupt record, the rest of its segment is dropped',
    );
    this.drop(seg.records - records, seg.size - size);
    this.diskRecords -= seg.records - records;
    this.diskBytes -= seg.size - size;
    seg.records = records;
    seg.size = size;
    try {
      const fd = seg.fd ?? (await this.files.open(seg.path, 'r+'));
      await this.files.ftruncate(fd, size);
      if (seg.fd === undefined) await this.files.close(fd);
    } catch {
      await this.seal(seg);
    }
  }

  /** Moves the head past the first `n` records of `runs` (if still there); returns how many runs held. */
  private advanceTo(runs: readonly ReadRun[], n: number): number {
    let used = 0;
    for (const run of runs) {
      const k = Math.min(n - used, run.ends.length);
      if (k <= 0) break;
      used += k;
      const at = this.segments.indexOf(run.seg);
      if (at < 0) continue; // dropped by the bound meanwhile
      const index = run.startIndex + k;
      if (at === 0 && index <= this.headIndex) continue;
      for (const seg of this.segments.slice(0, at)) this.forget(seg);
      this.gone.push(...this.segments.splice(0, at));
      this.headIndex = index;
      this.headOffset = run.ends[k - 1]!;
    }
    return used;
  }

  /** The segments the head has left (a wholly read head segment too), out of the list. */
  private takeConsumed(): Segment[] {
    for (
      let first = this.segments[0];
      first !== undefined && this.headIndex >= first.records;
      first = this.segments[0]
    ) {
      this.segments.shift();
      this.forget(first);
      this.gone.push(first);
      this.headIndex = 0;
      this.headOffset = 0;
    }
    const gone = this.gone;
    this.gone = [];
    return gone;
  }

  /** Takes a segment that left the list out of the disk totals. */
  private forget(seg: Segment): void {
    this.diskRecords -= seg.records;
    this.diskBytes -= seg.size;
  }

  private async saveHead(): Promise<void> {
    const head = { segment: this.segments[0]?.first ?? this.nextSeq, index: this.headIndex };
    try {
      await this.files.replaceFile(join(this.dir, HEAD_FILE), headText(head));
      this.headLogged = false;
    } catch (err) {
      if (!this.headLogged) {
        this.headLogged = true;
        this.log.warn({ err: errFields(err) }, 'forward store head not saved, a restart may send records again');
      }
    }
  }

  /** The segment takes no more records (its file is closed); an empty one is deleted. */
  private async seal(seg: Segment): Promise<void> {
    seg.sealed = true;
    await this.closeFd(seg);
    if (seg.records === 0 && this.segments[this.segments.length - 1] === seg) {
      this.segments.pop();
      this.forget(seg);
      await this.deleteFile(seg);
    }
  }

  private async closeFd(seg: Segment): Promise<void> {
    const fd = seg.fd;
    if (fd === undefined) return;
    seg.fd = undefined;
    try {
      await this.files.close(fd);
    } catch (err) {
      this.log.debug({ err: errFields(err), file: seg.path }, 'forward store segment close failed');
    }
  }

  /** Closes and deletes a segment that left the list. */
  private async deleteFile(seg: Segment): Promise<void> {
    seg.sealed = true;
    await this.closeFd(seg);
    try {
      await this.files.unlink(seg.path);
    } catch (err) {
      this.log.warn({ err: errFields(err), file: seg.path }, 'forward store cannot delete a segment');
    }
  }
}

const EMPTY = Buffer.alloc(0);

function noop(): void {}
