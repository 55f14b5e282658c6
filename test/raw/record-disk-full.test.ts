/**
 * A disk that fills up while recording: the file is cut back to its last whole line (never a
 * truncated line), the failure is logged once, lost frames are counted, and recording resumes once
 * writes succeed again. The disk is a real file in a temp directory behind a file system layer that
 * cuts writes short, then fails them with ENOSPC, like the kernel does (no root, no mounts); the
 * sessions are real loopback connections.
 */
import * as fs from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createFramer } from '../../src/codec/framers/index.js';
import { RecordHandler } from '../../src/raw/handlers/record.js';
import type { RecordFs } from '../../src/raw/handlers/record-writer.js';
import { RawSession } from '../../src/raw/raw-session.js';
import { until } from '../helpers/gateway.js';
import { captureLogger, type CapturedLog } from '../helpers/log.js';
import { connectPeer, type Peer } from '../helpers/raw-peers.js';

type WriteCb = (err: NodeJS.ErrnoException | null, written: number, buffer?: unknown) => void;

/**
 * node:fs with `free` bytes left on the disk: a write past it is cut short, the next one fails with
 * ENOSPC; shrinking a file gives its bytes back.
 */
function smallDisk(free: number) {
  const disk = { free, failures: 0 };
  const enospc = () =>
    Object.assign(new Error('ENOSPC: no space left on device, write'), {
      code: 'ENOSPC',
      errno: -28,
      syscall: 'write',
    });
  const write = (fd: number, buffer: Buffer, offset: number, length: number, position: number | null, cb: WriteCb) => {
    if (disk.free <= 0) {
      disk.failures++;
      process.nextTick(cb, enospc(), 0);
      return;
    }
    const n = Math.min(length, disk.free);
    disk.free -= n;
    fs.write(fd, buffer, offset, n, position, cb);
  };
  const writev = (fd: number, buffers: Buffer[], position: number | null, cb: WriteCb) => {
    const all = Buffer.concat(buffers);
    write(fd, all, 0, all.length, position, (err, written) => cb(err, written, buffers));
  };
  const ftruncate = (fd: number, len: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
    const before = fs.fstatSync(fd).size;
    fs.ftruncate(fd, len, (err) => {
      if (!err) disk.free += Math.max(0, before - len);
      cb(err);
    });
  };
  return { disk, fs: { ...fs, write, writev, ftruncate } as unknown as RecordFs };
}

const LENGTH1 = { type: 'length', size: 1, endian: 'big', counts: 'payload', max: 255 } as const;

interface Recorder {
  readonly handler: RecordHandler;
  readonly captured: CapturedLog;
  readonly sessions: RawSession[];
  readonly dir: string;
  /** The clock the handler reads (ms); tests move it on. */
  clock: number;
  connect(): Promise<Peer>;
  stop(): Promise<void>;
}

let running: Recorder | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

/** A record handler over a loopback server whose connections are raw sessions, as a raw server makes them. */
async function recorder(recordFs: RecordFs, maxFileSize = 1024 * 1024): Promise<Recorder> {
  const dir = fs.mkdtempSync(join(tmpdir(), 'fieldgate-rec-full-'));
  const captured = captureLogger('debug');
  const sessions: RawSession[] = [];
  const r: Recorder = {
    handler: undefined as unknown as RecordHandler,
    captured,
    sessions,
    dir,
    clock: 1_000_000,
    connect: () => connectPeer(port),
    stop: async () => {
      for (const s of sessions) s.close('shutdown');
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await r.handler.stop();
    },
  };
  const handler = new RecordHandler({
    server: 'scope',
    dir,
    maxFileSize,
    maxTotalSize: 1024 ** 3,
    log: captured.log,
    fs: recordFs,
    now: () => r.clock,
  });
  (r as { handler: RecordHandler }).handler = handler;
  await handler.start();
  const server = net.createServer((socket) => {
    const session = new RawSession(socket, {
      id: sessions.length + 1,
      remote: `127.0.0.1:${socket.remotePort}`,
      log: captured.log,
      framer: createFramer(LENGTH1),
      idleTimeout: 0,
      sendTimeout: 1000,
      sendQueue: 1024 * 1024,
      oneByOne: true,
      receive: (s, chunks) => handler.received(s, chunks),
      onClose: (s) => handler.closed(s),
    });
    sessions.push(session);
    handler.opened(session);
  });
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)),
  );
  running = r;
  return r;
}

/** Frame `i`: a 1-byte length and `frame 000i ...`; its line is 24 + 1 + 2 + 1 + 60 + 1 = 89 bytes. */
const frame = (i: number) => {
  const payload = Buffer.from(`frame ${String(i).padStart(4, '0')} `.padEnd(29, '.'));
  return Buffer.concat([Buffer.from([payload.length]), payload]);
};
const LINE = 89;
const frames = (from: number, to: number) =>
  Buffer.concat(Array.from({ length: to - from }, (_, k) => frame(from + k)));

/** The numbers of the frames in a record file; throws on any line that is not whole and well formed. */
function numbers(file: string): number[] {
  const text = fs.readFileSync(file, 'latin1');
  if (text !== '') expect(text.endsWith('\n'), 'the file ends on a whole line').toBe(true);
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const m = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (\d+) ([0-9a-f]*)$/.exec(line);
      if (!m) throw new Error(`not a whole record line: ${JSON.stringify(line)}`);
      const bytes = Buffer.from(m[2] ?? '', 'hex');
      expect(bytes.length).toBe(Number(m[1]));
      return Number(bytes.subarray(7, 11).toString());
    });
}

const failures = (r: Recorder) => r.captured.lines.filter((l) => String(l['msg']).startsWith('recording failed'));
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => from + k);
const onlyFile = (r: Recorder) => {
  const files = fs.readdirSync(r.dir);
  expect(files).toHaveLength(1);
  return join(r.dir, files[0] ?? '');
};

describe('record: disk full', () => {
  it('cuts the file back to its last whole line, logs once, counts what is lost and resumes when writes succeed again', async () => {
    const { disk, fs: diskFs } = smallDisk(10 * LINE + 40); // full in the middle of the 11th line
    const r = await recorder(diskFs);
    const peer = await r.connect();
    const session = () => r.sessions[0]!;
    peer.send(frames(0, 30));
    await until(() => failures(r).length === 1 && session().stats.requests === 30, 3000, 'the write failure');
    for (let i = 30; i < 90; i += 10) {
      // more reads while the disk is full: no more log lines, no retry yet
      peer.send(frames(i, i + 10));
      await until(() => session().stats.requests === i + 10);
    }
    await until(() => disk.free === 40); // the cut line was given back to the disk
    expect(numbers(onlyFile(r))).toEqual(range(0, 10));
    expect(failures(r)).toHaveLength(1);
    expect(failures(r)[0]).toMatchObject({ err: { code: 'ENOSPC' } });
    expect(disk.failures).toBe(1); // not retried at every read

    disk.free = 1024 * 1024; // room again, and the retry interval is over
    r.clock += 60_000;
    peer.send(frames(90, 120));
    await until(() => session().stats.requests === 120);
    const ended = peer.end();
    await until(() => !session().isOpen);
    await ended;
    await r.handler.stop(); // flushed
    expect(numbers(onlyFile(r))).toEqual([...range(0, 10), ...range(90, 120)]);
    expect(session().stats.requests).toBe(120); // the session read everything
    expect(r.captured.events('recording resumed: frames were dropped while writes failed')).toMatchObject([
      { dropped: 80 },
    ]);
    expect(failures(r)).toHaveLength(1);
  });

  it('says recording resumed even when the session closes before the first good write is done', async () => {
    const { disk, fs: diskFs } = smallDisk(10 * LINE + 40);
    // writes made while `hold` is set finish only when released (a slow disk under load)
    let hold = false;
    const held: (() => void)[] = [];
    const slowFs = {
      ...diskFs,
      write: (...args: unknown[]) => {
        const cb = args[args.length - 1] as WriteCb;
        const call = (diskFs.write as unknown as (...a: unknown[]) => void).bind(diskFs);
        if (!hold) return call(...args);
        call(...args.slice(0, -1), (err: NodeJS.ErrnoException | null, n: number, b?: unknown) =>
          held.push(() => cb(err, n, b)),
        );
      },
    } as unknown as RecordFs;
    const r = await recorder(slowFs);
    const peer = await r.connect();
    const session = () => r.sessions[0]!;
    peer.send(frames(0, 30));
    await until(() => failures(r).length === 1 && session().stats.requests === 30, 3000, 'the write failure');
    await until(() => disk.free === 40);

    disk.free = 1024 * 1024;
    r.clock += 60_000;
    hold = true;
    peer.send(frames(30, 40));
    await until(() => session().stats.requests === 40 && held.length > 0, 3000, 'the retried write');
    const ended = peer.end();
    await until(() => !session().isOpen); // closed while its good write is still in flight
    await ended;
    hold = false;
    for (const release of held.splice(0)) release();
    await r.handler.stop();
    expect(numbers(onlyFile(r))).toEqual([...range(0, 10), ...range(30, 40)]);
    expect(r.captured.events('recording resumed: frames were dropped while writes failed')).toMatchObject([
      { dropped: 20 },
    ]);
  });

  it("while writes keep failing, retries once per interval, cuts a retry's partial line too, logs nothing more, and never stops reading", async () => {
    const { disk, fs: diskFs } = smallDisk(3 * LINE + 10);
    const r = await recorder(diskFs);
    const peer = await r.connect();
    const session = () => r.sessions[0]!;
    let sent = 0;
    const send = async (n: number) => {
      peer.send(frames(sent, sent + n));
      sent += n;
      await until(() => session().stats.requests === sent);
    };
    await send(10);
    await until(() => failures(r).length === 1 && disk.free === 10); // the partial line was cut
    for (let retry = 1; retry <= 3; retry++) {
      disk.free = 50; // a little room comes and goes: not enough for a whole line
      r.clock += 60_000;
      await send(5);
      await until(() => disk.failures === 1 + retry && disk.free === 50); // failed, and cut again
      expect(numbers(onlyFile(r))).toEqual(range(0, 3));
      await send(20); // dropped without a write
      expect(disk.failures).toBe(1 + retry);
    }
    expect(failures(r)).toHaveLength(1);
    expect(session().isOpen).toBe(true);
    const ended = peer.end();
    await until(() => !session().isOpen);
    await ended;
    await r.handler.stop();
    expect(r.captured.events('recording closed: frames were dropped')).toMatchObject([{ dropped: sent - 3 }]);
  });

  it('when even cutting the file back fails, that file is given up for the session, said once; the session reads on', async () => {
    const { disk, fs: diskFs } = smallDisk(2 * LINE + 10);
    const eio = Object.assign(new Error('EIO: i/o error, ftruncate'), { code: 'EIO' });
    const r = await recorder({
      ...diskFs,
      ftruncate: (_fd: number, _len: number, cb: (err: Error) => void) => process.nextTick(cb, eio),
    });
    const peer = await r.connect();
    const session = () => r.sessions[0]!;
    peer.send(frames(0, 10));
    await until(
      () => r.captured.events('recording stopped: the file could not be cut back to its last whole line').length === 1,
    );
    disk.free = 1024 * 1024;
    r.clock += 60_000;
    peer.send(frames(10, 20));
    await until(() => session().stats.requests === 20);
    expect(disk.failures).toBe(1); // nothing more written to it
    expect(failures(r)).toHaveLength(1);
    const ended = peer.end();
    await until(() => !session().isOpen);
    await ended;
    await r.handler.stop();
    expect(r.captured.events('recording closed: frames were dropped')).toMatchObject([{ written: 2, dropped: 18 }]);
  });

  it('a directory that is gone when a session starts: dropped and counted until it is back, then recorded', async () => {
    const r = await recorder(fs);
    fs.rmSync(r.dir, { recursive: true });
    const peer = await r.connect();
    const session = () => r.sessions[0]!;
    await until(() => failures(r).length === 1);
    expect(failures(r)[0]).toMatchObject({ err: { code: 'ENOENT' } });
    peer.send(frames(0, 10));
    await until(() => session().stats.requests === 10);
    fs.mkdirSync(r.dir);
    r.clock += 60_000;
    peer.send(frames(10, 20));
    await until(() => session().stats.requests === 20);
    const ended = peer.end();
    await until(() => !session().isOpen);
    await ended;
    await r.handler.stop();
    expect(numbers(onlyFile(r))).toEqual(range(10, 20));
    expect(r.captured.events('recording resumed: frames were dropped while writes failed')).toMatchObject([
      { dropped: 10 },
    ]);
  });

  it('a write error in a file that is being rotated leaves both parts on whole lines', async () => {
    const { disk, fs: diskFs } = smallDisk(15 * LINE + 30);
    const r = await recorder(diskFs, 1024); // 11 lines a file
    const peer = await r.connect();
    const session = () => r.sessions[0]!;
    peer.send(frames(0, 20)); // rotated after 11 lines, the disk full in the middle of the 16th
    await until(() => session().stats.requests === 20 && failures(r).length === 1);
    await until(() => disk.free === 30);
    const files = fs.readdirSync(r.dir).sort();
    expect(files).toHaveLength(2);
    const [current, older] = files as [string, string];
    expect(older).toBe(`${current}.1`);
    expect(numbers(join(r.dir, older))).toEqual(range(0, 11));
    expect(numbers(join(r.dir, current))).toEqual(range(11, 15));
    expect(session().isOpen).toBe(true);
  });
});
