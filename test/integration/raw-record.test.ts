/** handler: { record: DIR }: a file per session, named by fieldgate, a line per frame, rotation. */
import { mkdtempSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { recordFileName, recordFilePattern } from '../../src/raw/handlers/record.js';
import { startGateway, until, type RunningGateway } from '../helpers/gateway.js';
import { connectPeer, type Peer } from '../helpers/raw-peers.js';

let gw: RunningGateway | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

const recorder = (dir: string, extra = '') => `
servers:
  - name: scope
    protocol: raw
    listen: 127.0.0.1:0
    framing: { type: length, size: 1 }
    handler: { record: ${JSON.stringify(dir)}${extra} }
`;

/** The frames of a record file: [length, bytes] per line, the time checked. */
/** Once every session is closed: stops the gateway (files flushed) and lists the directory. */
async function stopRecording(dir: string): Promise<string[]> {
  await until(() => gw!.gateway.findServer('scope')!.sessionCount === 0);
  await gw!.stop();
  gw = undefined;
  return readdirSync(dir).sort();
}

function framesOf(file: string): Buffer[] {
  return readFileSync(file, 'latin1')
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) (\d+) ([0-9a-f]*)$/.exec(line);
      if (!m) throw new Error(`not a record line: ${line}`);
      const bytes = Buffer.from(m[3] ?? '', 'hex');
      expect(bytes.length).toBe(Number(m[2]));
      return bytes;
    });
}

const frame = (payload: string) => Buffer.concat([Buffer.from([payload.length]), Buffer.from(payload)]);

describe('record', () => {
  it('writes every frame of each session, in order and with a time, to a file of its own named by fieldgate', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'fieldgate-rec-')), 'captures'); // created at start
    gw = await startGateway(recorder(dir));
    const a = await connectPeer(gw.port('scope'));
    const b = await connectPeer(gw.port('scope'));
    const sent = { a: [] as string[], b: [] as string[] };
    for (let i = 0; i < 100; i++) {
      sent.a.push(`../../etc/passwd ${i}`); // content never chooses a path
      sent.b.push(`b${i}`);
      a.send(frame(sent.a[i] ?? ''));
      b.send(frame(sent.b[i] ?? ''));
    }
    await Promise.all([a.end(), b.end()]);
    const files = await stopRecording(dir);
    expect(files).toHaveLength(2);
    for (const f of files) expect(f).toMatch(/^scope_127\.0\.0\.1-\d+_\d{8}T\d{6}\.\d{3}Z_s\d+\.log$/);
    const contents = files.map((f) => framesOf(join(dir, f)).map((x) => x.subarray(1).toString()));
    expect(contents).toContainEqual(sent.a);
    expect(contents).toContainEqual(sent.b);
  });

  it('file names are made only of safe characters, whatever the peer address', () => {
    const name = recordFileName('fpga.line-3', '[::ffff:10.0.0.1]:50312', new Date('2026-05-01T10:00:00.123Z'), 7);
    expect(name).toBe('fpga.line-3_ffff-10.0.0.1-50312_20260501T100000.123Z_s7.log');
    const ours = recordFilePattern('fpga.line-3');
    expect(ours.test(name)).toBe(true);
    expect(ours.test(`${name}.1`)).toBe(true);
    for (const other of [
      recordFileName('fpga.line-3_b', '127.0.0.1:1', new Date(0), 1),
      recordFileName('fpga', '127.0.0.1:1', new Date(0), 1),
      'fpgaXline-3_1.2.3.4-5_20260501T100000.123Z_s7.log',
      `${name}.2`,
      `${name}.bak`,
      'fpga.line-3_notes.txt',
    ])
      expect(ours.test(other), other).toBe(false);
  });

  it('rotates a file at maxFileSize: the older part is kept as .1', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldgate-rec-'));
    gw = await startGateway(recorder(dir, ', maxFileSize: 1KiB'));
    const peer = await connectPeer(gw.port('scope'));
    for (let i = 0; i < 40; i++) {
      peer.send(frame(`frame number ${String(i).padStart(3, '0')}`)); // ~70 bytes a line
      await new Promise((r) => setImmediate(r));
    }
    await peer.end();
    const files = await stopRecording(dir);
    expect(files).toHaveLength(2);
    const [current, older] = files as [string, string];
    expect(older).toBe(`${current}.1`);
    const size = (f: string) => readFileSync(join(dir, f)).length;
    expect(size(older)).toBeLessThanOrEqual(1024);
    expect(size(current)).toBeLessThanOrEqual(1024);
    const last = framesOf(join(dir, current)).map((x) => x.subarray(1).toString());
    expect(last.at(-1)).toBe('frame number 039');
    const before = framesOf(join(dir, older)).map((x) => x.subarray(1).toString());
    expect(Number(before.at(-1)?.slice(-3)) + 1).toBe(Number(last[0]?.slice(-3))); // contiguous
  });

  it('rotates between frames that arrived in one read: no file passes maxFileSize', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldgate-rec-'));
    gw = await startGateway(recorder(dir, ', maxFileSize: 1KiB'));
    const peer = await connectPeer(gw.port('scope'));
    peer.send(Buffer.concat(Array.from({ length: 40 }, (_, i) => frame(`frame number ${String(i).padStart(3, '0')}`))));
    await peer.end();
    const files = await stopRecording(dir);
    expect(files).toHaveLength(2);
    for (const f of files) expect(readFileSync(join(dir, f)).length).toBeLessThanOrEqual(1024);
    const [current] = files as [string];
    expect(
      framesOf(join(dir, current))
        .map((x) => x.subarray(1).toString())
        .at(-1),
    ).toBe('frame number 039');
  });

  /** A 256-byte frame (the most a 1-byte length allows) numbered `i`: a 542-byte line. */
  const big = (i: number) => frame(`${String(i).padStart(6, '0')} `.padEnd(255, 'x'));
  const BIG_LINE = 542;
  /** The numbers of the big frames in a session's files, the rotated part first. */
  const bigNumbers = (dir: string, files: string[]) =>
    [...files]
      .sort((a, b) => Number(b.endsWith('.1')) - Number(a.endsWith('.1')))
      .flatMap((f) => framesOf(join(dir, f)).map((x) => Number(x.subarray(1, 7).toString())));

  it('reads on after a rotation in the middle of a read that backed up the old file but not the new one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldgate-rec-'));
    gw = await startGateway(recorder(dir, ', maxFileSize: 64KiB')); // 120 big lines a file
    const peer = await connectPeer(gw.port('scope'));
    const send = (from: number, to: number) =>
      peer.send(Buffer.concat(Array.from({ length: to - from }, (_, k) => big(from + k))));
    send(0, 80); // 43,360 bytes on disk
    await until(
      () =>
        readdirSync(dir).length === 1 && readFileSync(join(dir, readdirSync(dir)[0] ?? '')).length === 80 * BIG_LINE,
    );
    // One read: 40 lines (21,680 bytes, past the file's write buffer) for the old file, 8 for the new one.
    send(80, 128);
    await until(() => readdirSync(dir).length === 2); // rotated
    send(128, 168); // after the rotation: must be read
    const ended = peer.end();
    const files = await stopRecording(dir); // the session read the end of the stream and closed
    await ended;
    expect(files).toHaveLength(2);
    expect(bigNumbers(dir, files)).toEqual(Array.from({ length: 168 }, (_, i) => i));
  });

  it('three sessions streaming faster than the disk takes it read on through a rotation: every byte sent is on disk', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldgate-rec-'));
    gw = await startGateway(recorder(dir, ', maxFileSize: 256KiB')); // 483 big lines a file: one rotation
    const peers = await Promise.all([1, 2, 3].map(() => connectPeer(gw!.port('scope'))));
    const server = gw.gateway.findServer('scope')!;
    const bytesIn = (peer: Peer) =>
      server.sessionStats().find((s) => s.remote.endsWith(`:${peer.socket.localPort}`))?.bytesIn ?? 0;
    // Each session sends 45 frames (24,390 bytes of lines, past a file's write buffer) as soon as
    // the last 45 were read: the rotation after line 483 falls in the 11th read, 12 lines after it.
    const frames = 600;
    const stream = async (peer: Peer) => {
      for (let i = 0; i < frames; i += 45) {
        const n = Math.min(45, frames - i);
        peer.send(Buffer.concat(Array.from({ length: n }, (_, k) => big(i + k))));
        await until(() => bytesIn(peer) === (i + n) * 256, 5000, `session reading frames ${i}..${i + n - 1}`);
      }
      await peer.end();
    };
    await Promise.all(peers.map(stream));
    const files = await stopRecording(dir);
    expect(files).toHaveLength(6);
    const sessions = new Map<string, string[]>();
    for (const f of files) {
      const key = f.replace(/\.1$/, '');
      sessions.set(key, [...(sessions.get(key) ?? []), f]);
    }
    expect(sessions.size).toBe(3);
    for (const parts of sessions.values())
      expect(bigNumbers(dir, parts)).toEqual(Array.from({ length: frames }, (_, i) => i));
  });

  it("keeps all of the server's files within maxTotalSize: the oldest finished files go first, other files stay", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldgate-rec-'));
    writeFileSync(join(dir, 'scope_old-run_20200101T000000.000Z_s1.log'), 'x'.repeat(3000)); // an earlier run
    writeFileSync(join(dir, 'notes.txt'), 'y'.repeat(5000)); // not this server's: never touched
    gw = await startGateway(recorder(dir, ', maxFileSize: 1KiB, maxTotalSize: 4KiB'));
    expect(readdirSync(dir)).toContain('scope_old-run_20200101T000000.000Z_s1.log'); // 3000 bytes fit
    for (let s = 0; s < 3; s++) {
      const peer = await connectPeer(gw.port('scope'));
      for (let i = 0; i < 30; i++) {
        peer.send(frame(`session ${s} frame ${String(i).padStart(3, '0')}`));
        await new Promise((r) => setImmediate(r));
      }
      await peer.end();
      await until(() => gw!.gateway.findServer('scope')!.sessionCount === 0);
    }
    await gw.stop();
    gw = undefined;
    const files = readdirSync(dir);
    const ours = files.filter((f) => f.startsWith('scope_'));
    const total = ours.reduce((n, f) => n + readFileSync(join(dir, f)).length, 0);
    expect(total).toBeLessThanOrEqual(4096);
    expect(ours).not.toContain('scope_old-run_20200101T000000.000Z_s1.log'); // the oldest went first
    expect(files).toContain('notes.txt');
    const newest = ours
      .filter((f) => f.endsWith('.log'))
      .map((f) => framesOf(join(dir, f)).map((x) => x.subarray(1).toString()));
    expect(newest.flat()).toContain('session 2 frame 029'); // the last frames are kept
  });

  it("the budget counts and deletes only files named as fieldgate names this server's files, not other servers' or an operator's", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldgate-rec-'));
    const others = [
      'a_b_127.0.0.1-5000_20200101T000000.000Z_s1.log', // server a_b's recording
      'a_b_127.0.0.1-5000_20200101T000000.000Z_s1.log.1',
      'a_notes.txt', // an operator's
      'a_127.0.0.1-5000_20200101T000000.000Z_s1.log.bak',
      'a_127.0.0.1-5000_20200101T000000.000Z_s1.log.2',
      'a_127.0.0.1-5000_notatime_s1.log',
    ];
    const ours = 'a_127.0.0.1-5000_20200101T000001.000Z_s2.log'; // an earlier run of server a
    for (const [i, f] of others.entries()) {
      writeFileSync(join(dir, f), 'x'.repeat(2000));
      utimesSync(join(dir, f), 1_000_000 + i, 1_000_000 + i); // older than ours: deleted first if counted
    }
    writeFileSync(join(dir, ours), 'y'.repeat(3000));
    utimesSync(join(dir, ours), 2_000_000, 2_000_000);
    gw = await startGateway(`
servers:
  - name: a
    protocol: raw
    listen: 127.0.0.1:0
    framing: { type: length, size: 1 }
    handler: { record: ${JSON.stringify(dir)}, maxFileSize: 1KiB, maxTotalSize: 4KiB }
`);
    expect(readdirSync(dir).sort()).toEqual([...others, ours].sort()); // 3000 bytes of ours fit
    const peer = await connectPeer(gw.port('a'));
    for (let i = 0; i < 60; i++) {
      peer.send(frame(`frame number ${String(i).padStart(3, '0')}`)); // 2 KiB on disk at least: ours must go
      await new Promise((r) => setImmediate(r));
    }
    await peer.end();
    await until(() => gw!.gateway.findServer('a')!.sessionCount === 0);
    await gw.stop();
    gw = undefined;
    const files = readdirSync(dir);
    for (const f of others) expect(files).toContain(f);
    expect(files).not.toContain(ours);
    for (const f of others) expect(readFileSync(join(dir, f), 'latin1')).toBe('x'.repeat(2000));
  });

  it('a directory that cannot be created stops the start with a clear error', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'fieldgate-rec-')), 'a-file');
    writeFileSync(file, 'x');
    await expect(startGateway(recorder(join(file, 'sub')))).rejects.toMatchObject({
      code: 'FG_ERR_START',
      message: expect.stringMatching(/^server "scope" cannot record into .*a-file\/sub: /),
    });
  });
});
