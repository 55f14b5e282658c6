/**
 * The MQTT forward store on a real directory under the temp dir: order across segments, the size
 * bound (oldest dropped, counted exactly), a restart keeping the backlog, a torn last record, corrupt
 * records, a disk that fills up (a file system layer that cuts writes short, then fails them with
 * ENOSPC), records bigger than a segment, the memory bound.
 */
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ForwardStore, type ForwardStoreOptions } from '../../src/mqtt/store-forward.js';
import type { StoreFs } from '../../src/mqtt/store-fs.js';
import { captureLogger, type CapturedLog } from '../helpers/log.js';

const dirs: string[] = [];
const open: ForwardStore[] = [];

afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const parent = fs.mkdtempSync(join(tmpdir(), 'fieldgate-fwd-'));
  dirs.push(parent);
  return join(parent, 'store'); // created by open
}

async function openStore(
  dir: string,
  maxSize: number,
  more: Partial<ForwardStoreOptions> = {},
  captured: CapturedLog = captureLogger(),
): Promise<{ store: ForwardStore; captured: CapturedLog }> {
  const store = await ForwardStore.open({ dir, maxSize, log: captured.log, ...more });
  open.push(store);
  return { store, captured };
}

async function closeStore(store: ForwardStore): Promise<void> {
  open.splice(open.indexOf(store), 1);
  await store.close();
}

/** Record `id`: `size` bytes, the id in the first 4. */
function rec(id: number, size = 40): Buffer {
  const b = Buffer.alloc(size, id & 0xff);
  b.writeUInt32BE(id, 0);
  return b;
}

const ids = (records: Buffer[]) => records.map((r) => r.readUInt32BE(0));
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

/** Reads and removes everything, `maxBytes` at a time; returns the ids in order. */
async function drain(store: ForwardStore, maxBytes = 1000): Promise<number[]> {
  const out: number[] = [];
  for (;;) {
    const batch = await store.read(maxBytes);
    if (batch.length === 0) return out;
    out.push(...ids(batch));
    await store.remove(batch.length);
  }
}

const flip = (data: Buffer, at: number, bits: number) => data.writeUInt8(data.readUInt8(at) ^ bits, at);
const segmentFiles = (dir: string) =>
  fs
    .readdirSync(dir)
    .filter((f) => f.startsWith('seg-'))
    .sort();
const diskSize = (dir: string) => segmentFiles(dir).reduce((sum, f) => sum + fs.statSync(join(dir, f)).size, 0);

describe('ForwardStore', () => {
  it('an empty store reads nothing; the directory is created 0750', async () => {
    const dir = tempDir();
    const { store } = await openStore(dir, 64 * 1024);
    expect(await store.read(1000)).toEqual([]);
    expect(store.count).toBe(0);
    expect(store.bytes).toBe(0);
    expect(fs.statSync(dir).mode & 0o777).toBe(0o750);
    await store.remove(5); // nothing to remove: no throw
    expect(store.count).toBe(0);
  });

  it('reads oldest first across segments, removes what was read, appends meanwhile go to the end', async () => {
    const dir = tempDir();
    const { store } = await openStore(dir, 64 * 1024, { segmentSize: 256 }); // 5 frames of 48 bytes a segment
    for (let i = 0; i < 40; i++) store.append(rec(i));
    await store.flush();
    expect(store.count).toBe(40);
    expect(store.bytes).toBe(40 * 48);
    expect(segmentFiles(dir)).toHaveLength(8);

    const first = await store.read(130); // 3 records of 40 bytes
    expect(ids(first)).toEqual([0, 1, 2]);
    expect(ids(await store.read(130))).toEqual([0, 1, 2]); // read does not remove
    for (let i = 40; i < 45; i++) store.append(rec(i)); // during the cycle
    await store.remove(3);
    expect(store.count).toBe(42);
    const next = await store.read(500); // 12 records, across 3 segments
    expect(ids(next)).toEqual(range(3, 15));
    await store.remove(next.length);
    expect(segmentFiles(dir)).toHaveLength(6); // the segments read wholly are gone
    expect(await drain(store, 300)).toEqual(range(15, 45));
    expect(store.count).toBe(0);
    expect(store.bytes).toBe(0);
    expect(store.dropped).toBe(0);
    expect(segmentFiles(dir)).toHaveLength(0);
    store.append(rec(45));
    expect(ids(await store.read(10))).toEqual([45]);
  });

  it('remove without a read removes the oldest; more than there are removes all', async () => {
    const { store } = await openStore(tempDir(), 64 * 1024, { segmentSize: 256 });
    for (let i = 0; i < 12; i++) store.append(rec(i));
    await store.remove(7);
    expect(ids(await store.read(1000))).toEqual(range(7, 12));
    await store.remove(100);
    expect(store.count).toBe(0);
    expect(await store.read(1000)).toEqual([]);
  });

  it('stays within maxSize: the oldest are dropped and counted exactly, the newest kept in order', async () => {
    const dir = tempDir();
    const maxSize = 16 * 1024;
    const { store, captured } = await openStore(dir, maxSize, { segmentSize: 2048 });
    const frame = 108;
    const n = Math.ceil((3 * maxSize) / frame);
    for (let i = 0; i < n; i++) {
      store.append(rec(i, 100));
      if (i % 10 === 9) await store.flush();
      expect(diskSize(dir)).toBeLessThanOrEqual(maxSize);
    }
    await store.flush();
    expect(store.bytes).toBeLessThanOrEqual(maxSize);
    expect(diskSize(dir)).toBeLessThanOrEqual(maxSize);
    expect(store.dropped).toBeGreaterThan(2 * (n / 3));
    expect(store.dropped + store.count).toBe(n);
    expect(store.droppedBytes).toBe(store.dropped * frame);
    expect(captured.events('forward store full, dropping the oldest records')).toHaveLength(1);
    expect(await drain(store)).toEqual(range(store.dropped, n)); // oldest gone, newest all there, in order
  });

  it('drops dropped records in the middle of a read/remove cycle without removing others twice', async () => {
    const maxSize = 4096;
    const { store } = await openStore(tempDir(), maxSize, { segmentSize: 1024 });
    for (let i = 0; i < 20; i++) {
      store.append(rec(i, 100)); // 2160 bytes
      if (i % 10 === 9) await store.flush(); // memory holds maxSize/2
    }
    const batch = await store.read(250); // ids 0, 1
    expect(ids(batch)).toEqual([0, 1]);
    for (let i = 20; i < 40; i++) {
      store.append(rec(i, 100)); // the bound drops the oldest segments
      if (i % 10 === 9) await store.flush();
    }
    const dropped = store.dropped;
    expect(dropped).toBeGreaterThan(2);
    await store.remove(2); // ids 0 and 1 are gone already: nothing else goes
    expect(store.dropped + store.count).toBe(40);
    expect(await drain(store)).toEqual(range(dropped, 40));
  });

  it('a restart keeps the backlog; removed records do not come back', async () => {
    const dir = tempDir();
    const a = await openStore(dir, 64 * 1024, { segmentSize: 256 });
    for (let i = 0; i < 30; i++) a.store.append(rec(i));
    const batch = await a.store.read(300); // 7 records
    expect(ids(batch)).toEqual(range(0, 7));
    await a.store.remove(batch.length);
    await closeStore(a.store);

    const b = await openStore(dir, 64 * 1024, { segmentSize: 256 });
    expect(b.store.count).toBe(23);
    expect(b.store.bytes).toBe(23 * 48);
    expect(b.store.dropped).toBe(0);
    expect(ids(await b.store.read(120))).toEqual([7, 8, 9]);
    await b.store.remove(3);
    for (let i = 30; i < 33; i++) b.store.append(rec(i)); // appended to the same segment files, after a restart
    await closeStore(b.store);

    const c = await openStore(dir, 64 * 1024, { segmentSize: 256 });
    expect(c.store.count).toBe(23);
    expect(await drain(c.store)).toEqual(range(10, 33));
    await closeStore(c.store);
    const d = await openStore(dir, 64 * 1024);
    expect(d.store.count).toBe(0);
    expect(await d.store.read(1000)).toEqual([]);
  });

  it('a torn last record is cut off, logged once, counted; appends go on behind the whole records', async () => {
    const dir = tempDir();
    const a = await openStore(dir, 64 * 1024);
    for (let i = 0; i < 10; i++) a.store.append(rec(i));
    await closeStore(a.store);
    const [file] = segmentFiles(dir);
    const path = join(dir, file!);
    const torn = Buffer.alloc(28);
    torn.writeUInt32BE(100, 0); // a header promising 100 bytes, 20 of them there
    fs.appendFileSync(path, torn);

    const b = await openStore(dir, 64 * 1024);
    expect(b.store.count).toBe(10);
    expect(b.store.dropped).toBe(1);
    expect(b.store.droppedBytes).toBe(28);
    expect(b.captured.events('forward store torn last record cut off')).toHaveLength(1);
    expect(fs.statSync(path).size).toBe(480);
    b.store.append(rec(10));
    await closeStore(b.store);
    const c = await openStore(dir, 64 * 1024);
    expect(c.store.dropped).toBe(0);
    expect(await drain(c.store)).toEqual(range(0, 11));
  });

  it('a corrupt record in an older segment ends that segment, its rest counted exactly', async () => {
    const dir = tempDir();
    const a = await openStore(dir, 64 * 1024, { segmentSize: 256 });
    for (let i = 0; i < 20; i++) a.store.append(rec(i)); // ids 5..9 in the second segment
    await closeStore(a.store);
    const path = join(dir, segmentFiles(dir)[1]!);
    const data = fs.readFileSync(path);
    flip(data, 2 * 48 + 20, 0xff); // a payload byte of id 7
    fs.writeFileSync(path, data);

    const b = await openStore(dir, 64 * 1024, { segmentSize: 256 });
    expect(b.store.dropped).toBe(3); // ids 7, 8, 9
    expect(b.store.droppedBytes).toBe(3 * 48);
    expect(b.captured.events('forward store corrupt record, the rest of its segment is dropped')).toHaveLength(1);
    expect(await drain(b.store)).toEqual([...range(0, 7), ...range(10, 20)]);
  });

  it('a corrupt record in the newest segment: the rest is counted by its lengths, new records follow', async () => {
    const dir = tempDir();
    const a = await openStore(dir, 64 * 1024, { segmentSize: 256 });
    for (let i = 0; i < 20; i++) a.store.append(rec(i)); // ids 15..19 in the last segment
    await closeStore(a.store);
    const path = join(dir, segmentFiles(dir)[3]!);
    const data = fs.readFileSync(path);
    flip(data, 1 * 48 + 6, 0x01); // the CRC of id 16
    fs.writeFileSync(path, data);

    const b = await openStore(dir, 64 * 1024, { segmentSize: 256 });
    expect(b.store.dropped).toBe(4); // ids 16..19
    b.store.append(rec(20));
    expect(await drain(b.store)).toEqual([...range(0, 16), 20]);
  });

  it('a record that goes bad after open is dropped with the rest of its segment when read, never thrown', async () => {
    const dir = tempDir();
    const { store, captured } = await openStore(dir, 64 * 1024, { segmentSize: 256 });
    for (let i = 0; i < 10; i++) store.append(rec(i));
    await store.flush();
    const path = join(dir, segmentFiles(dir)[0]!);
    const data = fs.readFileSync(path);
    flip(data, 3 * 48 + 30, 0xff); // id 3
    fs.writeFileSync(path, data);
    expect(ids(await store.read(10_000))).toEqual([0, 1, 2, 5, 6, 7, 8, 9]);
    expect(store.dropped).toBe(2);
    expect(captured.events('forward store corrupt record, the rest of its segment is dropped')).toHaveLength(1);
  });

  it('a full disk: writes cut back and counted, logged once per outage, then it recovers', async () => {
    const dir = tempDir();
    const disk = smallDisk(1000);
    const { store, captured } = await openStore(dir, 64 * 1024, { fs: disk.fs });
    let appended = 0;
    const add = async (count: number) => {
      for (let i = 0; i < count; i++) store.append(rec(appended++, 100));
      await store.flush();
    };
    for (let i = 0; i < 10; i++) await add(3);
    expect(disk.state.failures).toBeGreaterThan(1);
    expect(store.dropped).toBe(30 - 9); // 9 frames of 108 bytes fit in 1000
    expect(store.droppedBytes).toBe(21 * 108);
    expect(store.count).toBe(9);
    expect(captured.events('forward store write failed, records dropped')).toHaveLength(1);
    expect(diskSize(dir)).toBe(9 * 108); // cut back to whole records

    disk.state.free = 1 << 20;
    await add(5);
    expect(captured.events('forward store writes again')).toHaveLength(1);
    expect(store.dropped).toBe(21);
    expect(await drain(store)).toEqual([...range(0, 9), ...range(30, 35)]);

    disk.state.free = 0; // a second outage is logged again
    await add(1);
    expect(captured.events('forward store write failed, records dropped')).toHaveLength(2);
    await closeStore(store);
    const again = await openStore(dir, 64 * 1024);
    expect(again.store.dropped).toBe(0);
    expect(again.store.count).toBe(0);
  });

  it('a record bigger than a segment gets one of its own; one bigger than the store is dropped', async () => {
    const dir = tempDir();
    const { store, captured } = await openStore(dir, 16 * 1024, { segmentSize: 1024 });
    store.append(rec(0));
    store.append(rec(1, 5000));
    store.append(rec(2));
    store.append(rec(3, 20_000)); // more than maxSize
    await store.flush();
    expect(store.count).toBe(3);
    expect(store.dropped).toBe(1);
    expect(captured.events('forward store record larger than the store')).toHaveLength(1);
    expect(segmentFiles(dir)).toHaveLength(3);
    expect(ids(await store.read(100))).toEqual([0]); // the big one does not fit in 100
    await store.remove(1);
    const big = await store.read(100); // at least one
    expect(big).toHaveLength(1);
    expect(big[0]!.equals(rec(1, 5000))).toBe(true);
    await store.remove(1);
    await closeStore(store);
    const again = await openStore(dir, 16 * 1024, { segmentSize: 1024 });
    expect(ids(await again.store.read(100))).toEqual([2]);
  });

  it('appends faster than the writer: the oldest in memory are dropped and counted', async () => {
    const { store, captured } = await openStore(tempDir(), 64 * 1024, { memorySize: 1080 });
    for (let i = 0; i < 25; i++) store.append(rec(i, 100)); // one turn of the loop: 10 frames fit in memory
    expect(store.dropped).toBe(15);
    expect(store.count).toBe(10);
    expect(captured.events('forward store writer behind, dropping the oldest in memory')).toHaveLength(1);
    expect(await drain(store)).toEqual(range(15, 25));
  });
});

type WriteCb = (err: NodeJS.ErrnoException | null, written: number) => void;

/** node:fs with `free` bytes left: a write past it is cut short, the next one fails with ENOSPC. */
function smallDisk(free: number): { state: { free: number; failures: number }; fs: StoreFs } {
  const state = { free, failures: 0 };
  const write = (fd: number, buffer: Buffer, offset: number, length: number, position: null, cb: WriteCb) => {
    if (state.free <= 0) {
      state.failures++;
      const err = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28 });
      process.nextTick(cb, err, 0);
      return;
    }
    const n = Math.min(length, state.free);
    state.free -= n;
    fs.write(fd, buffer, offset, n, position, cb);
  };
  const ftruncate = (fd: number, len: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
    const before = fs.fstatSync(fd).size;
    fs.ftruncate(fd, len, (err) => {
      if (!err) state.free += Math.max(0, before - len);
      cb(err);
    });
  };
  return { state, fs: { ...fs, write, ftruncate } };
}
