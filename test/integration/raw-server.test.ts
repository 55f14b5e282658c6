/** Raw servers over loopback: echo, hub, limits, framing errors; real sockets, port 0. */
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, until, type RunningGateway } from '../helpers/gateway.js';
import { connectPeer, type Peer } from '../helpers/raw-peers.js';

let gw: RunningGateway | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

const raw = (name: string, extra: string) => `
servers:
  - name: ${name}
    protocol: raw
    listen: 127.0.0.1:0
${extra}`;

const lines = (text: string) => text.split('\n').filter((l) => l !== '');

describe('hub (the chat scenario)', () => {
  it("three clients: each sees exactly the others' lines, in the order each sent them, and none of its own", async () => {
    gw = await startGateway(raw('chat', '    handler: hub\n    framing: { type: line, max: 100 }'));
    const port = gw.port('chat');
    const peers = [await connectPeer(port), await connectPeer(port), await connectPeer(port)];
    await until(() => gw!.gateway.findServer('chat')!.sessionCount === 3);
    const N = 200;
    for (let i = 0; i < N; i++) {
      // lines are written in pieces, so they reach fieldgate split and joined at any byte
      peers.forEach((p, who) => {
        const line = `${who}:${i}:${'x'.repeat(i % 17)}\n`;
        const cut = i % line.length;
        p.send(line.slice(0, cut));
        p.send(line.slice(cut));
      });
    }
    const others = (me: number) => [0, 1, 2].filter((w) => w !== me);
    await Promise.all(peers.map((p) => p.until((t) => lines(t).length >= 2 * N, 5000, `${2 * N} lines`)));
    peers.forEach((p, me) => {
      const got = lines(p.text());
      expect(got).toHaveLength(2 * N);
      for (const who of [0, 1, 2]) {
        const from = got.filter((l) => l.startsWith(`${who}:`));
        if (who === me) expect(from).toEqual([]);
        else expect(from).toEqual(Array.from({ length: N }, (_, i) => `${who}:${i}:${'x'.repeat(i % 17)}`));
      }
      expect(others(me).length).toBe(2);
    });
    await Promise.all(peers.map((p) => p.end()));
  });

  it('a slow reader is closed when its send queue bound is hit; the others go on, and its queue stayed bounded', async () => {
    gw = await startGateway(
      raw('console', '    handler: hub\n    framing: { type: line, max: 16KiB }\n    sendQueue: 256KiB'),
    );
    const port = gw.port('console');
    const slow = await connectPeer(port);
    slow.socket.pause(); // never reads
    const talker = await connectPeer(port);
    const listener = await connectPeer(port);
    await until(() => gw!.gateway.findServer('console')!.sessionCount === 3);
    const line = `${'y'.repeat(16 * 1024 - 1)}\n`;
    let sent = 0;
    const t0 = Date.now();
    // bounded: at most 256 MiB, at most 20 s; stops as soon as the slow reader is gone
    while (
      gw.captured.events('peer does not read: send queue full').length === 0 &&
      sent < 16384 &&
      Date.now() - t0 < 20_000
    ) {
      if (!talker.socket.write(line)) await new Promise((r) => talker.socket.once('drain', r));
      sent++;
      if (sent % 64 === 0) await new Promise((r) => setImmediate(r));
      // the listener is a reader that keeps up: this process, which also writes, lets it catch up
      // (else fieldgate would rightly queue for it too)
      if (sent % 8 === 0) await listener.untilBytes((sent - 8) * line.length, 10_000);
    }
    slow.socket.resume(); // a paused socket does not notice that it was closed
    await slow.closed;
    const full = gw.captured.events('peer does not read: send queue full');
    expect(full).toHaveLength(1);
    // the queue never held more than its bound plus the frames of one received chunk (<= 64 KiB + a line)
    expect(full[0]?.['queued']).toBeGreaterThan(256 * 1024);
    expect(full[0]?.['queued']).toBeLessThanOrEqual(256 * 1024 + 64 * 1024 + line.length);
    await until(() => gw!.captured.events('session closed').some((l) => l['reason'] === 'queue-full'));
    // the listener got every line the talker sent, the slow reader did not hold anyone up
    await listener.untilBytes(sent * line.length, 10_000);
    expect(listener.text().length).toBe(sent * line.length);
    talker.send('still here\n');
    await listener.until((t) => t.endsWith('still here\n'));
    expect(gw.gateway.findServer('console')!.sessionCount).toBe(2);
  });
});

describe('echo', () => {
  it('length framing across random segmentation: every frame back whole, in order', async () => {
    gw = await startGateway(
      raw('fpga', '    handler: echo\n    framing: { type: length, size: 2, endian: big, max: 4096 }'),
    );
    const peer = await connectPeer(gw.port('fpga'));
    const frames: Buffer[] = [];
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let i = 0; i < 300; i++) {
      const payload = Buffer.alloc(rand(4097), i & 0xff);
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(payload.length);
      frames.push(prefix, payload);
    }
    const stream = Buffer.concat(frames);
    for (let at = 0; at < stream.length;) {
      const n = 1 + rand(3000);
      peer.send(stream.subarray(at, at + n));
      at += n;
      if (rand(4) === 0) await new Promise((r) => setImmediate(r));
    }
    await peer.untilBytes(stream.length, 5000);
    expect(peer.bytes().equals(stream)).toBe(true);
    await peer.end();
    await until(() => gw!.captured.events('session closed').length === 1);
    expect(gw.captured.events('session closed')[0]).toMatchObject({
      reason: 'peer-closed',
      frames: 300,
      bytesIn: stream.length,
      bytesOut: stream.length,
    });
  });

  it('a frame over max closes that session with a log line saying so; other sessions are not touched', async () => {
    gw = await startGateway(raw('cam', '    handler: echo\n    framing: { type: line, delimiter: "\\r\\n", max: 8 }'));
    const good = await connectPeer(gw.port('cam'));
    const bad = await connectPeer(gw.port('cam'));
    bad.send('ok\r\n0123456789\r\n');
    await bad.closed;
    expect(bad.text()).toBe('ok\r\n');
    const error = gw.captured.events('framing error');
    expect(error).toHaveLength(1);
    expect(error[0]?.['reason']).toBe('line of 10 bytes is over max 8');
    await until(() => gw!.captured.events('session closed').length === 1);
    expect(gw.captured.events('session closed')[0]).toMatchObject({ reason: 'protocol-error' });
    good.send('still\r\n');
    await good.until((t) => t === 'still\r\n');
  });

  it('none framing passes bytes through as they come; a peer that does not read is paused, then closed', async () => {
    gw = await startGateway(raw('loop', '    handler: echo\n    sendTimeout: 300ms\n    sendQueue: 128KiB'));
    const peer = await connectPeer(gw.port('loop'));
    peer.send('hello');
    await peer.until((t) => t === 'hello');
    peer.socket.pause(); // stops reading its echo
    const chunk = Buffer.alloc(64 * 1024, 1);
    let sent = 0;
    const t0 = Date.now();
    while (!peer.socket.destroyed && sent < 4096 && Date.now() - t0 < 10_000) {
      if (!peer.socket.write(chunk))
        await Promise.race([new Promise((r) => peer.socket.once('drain', r)), peer.closed]);
      sent++;
    }
    await peer.closed;
    await until(() => gw!.captured.events('session closed').length === 1);
    const closed = gw.captured.events('session closed')[0];
    expect(closed?.['reason']).toBe('send-timeout');
    // fieldgate stopped reading long before the client stopped writing
    expect(closed?.['bytesIn']).toBeLessThan(sent * chunk.length);
  });
});

describe('limits', () => {
  it('maxClients, allow and idleTimeout work as for Modbus servers', async () => {
    gw = await startGateway(
      raw('r', '    handler: echo\n    maxClients: 1\n    idleTimeout: 200ms\n    allow: [127.0.0.1]'),
    );
    const port = gw.port('r');
    const first = await connectPeer(port);
    const second = await connectPeer(port);
    await second.closed;
    expect(gw.captured.events('connection refused').at(-1)).toMatchObject({ why: 'max-clients' });
    const other: Peer = await connectPeer(port, '127.0.0.2').catch(() => {
      throw new Error('cannot bind 127.0.0.2');
    });
    await other.closed;
    await first.closed; // idle
    await until(() => gw!.captured.events('session closed').some((l) => l['reason'] === 'idle'));
    expect(gw.captured.events('connection refused').map((l) => l['why'])).toEqual(['max-clients', 'not-allowed']);
  });
});
