/**
 * Reused read buffers: the buffer is replaced exactly when a write still holds it; accepted
 * connections are moved onto a socket that reads into one buffer, and still count for their server.
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { readBufferFallbacks, withReadBuffer } from '../../src/transport/accepted-socket.js';
import { ReadBuffer, retainQueued } from '../../src/transport/read-buffer.js';
import { captureLogger } from '../helpers/log.js';

describe('ReadBuffer', () => {
  it('hands out the same buffer until a queued write holds it, then a fresh one', () => {
    const rb = new ReadBuffer(16);
    const first = rb.next();
    expect(rb.next()).toBe(first);
    retainQueued({ writableLength: 0 }, [first.subarray(0, 4)]); // written at once: nothing held
    expect(rb.next()).toBe(first);
    retainQueued({ writableLength: 4 }, [first.subarray(2, 6)]);
    const second = rb.next();
    expect(second).not.toBe(first);
    expect(rb.replaced).toBe(1);
    // a view of the old buffer, queued again later, does not cost the new one
    retainQueued({ writableLength: 4 }, [first.subarray(0, 4)]);
    expect(rb.next()).toBe(second);
    // buffers that are no read buffer's are ignored
    retainQueued({ writableLength: 4 }, [Buffer.from('abc')]);
    expect(rb.next()).toBe(second);
  });
});

async function acceptOne(
  server: net.Server,
  use: (accepted: net.Socket) => net.Socket,
): Promise<{ client: net.Socket; socket: net.Socket }> {
  const accepted = new Promise<net.Socket>((resolve) => server.once('connection', (s) => resolve(use(s))));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const client = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  return { client, socket: await accepted };
}

describe('withReadBuffer', () => {
  it('reads an accepted connection into one reused buffer, and the server still counts it', async () => {
    const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true });
    const fallbacks = readBufferFallbacks();
    const { client, socket } = await acceptOne(server, (s) => withReadBuffer(s, server, true, captureLogger().log));
    expect(readBufferFallbacks(), 'not a fallback').toBe(fallbacks);
    const backings = new Set<ArrayBufferLike>();
    let got = Buffer.alloc(0);
    socket.on('data', (c: Buffer) => {
      backings.add(c.buffer);
      got = Buffer.concat([got, c]);
    });
    const data = Buffer.alloc(1024 * 1024, 7);
    client.write(data);
    await new Promise<void>((r) => {
      const check = () => (got.length >= data.length ? r() : socket.once('data', check));
      check();
    });
    expect(got.equals(data)).toBe(true);
    expect(backings.size, 'every read landed in the same buffer').toBe(1);
    expect(socket.remoteAddress).toBe('127.0.0.1');
    // the moved connection ends like any other: 'end' from the peer, and the server may close
    const ended = new Promise<void>((r) => socket.once('end', () => r()));
    client.end();
    await ended;
    socket.end();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('leaves the socket as accepted (resumed) when it is not one this server accepted', async () => {
    const server = net.createServer({ pauseOnConnect: true });
    const other = net.createServer();
    const { client, socket } = await acceptOne(server, (s) => withReadBuffer(s, other, true, captureLogger().log));
    const got = new Promise<Buffer>((r) => socket.once('data', r));
    client.write('x');
    expect((await got).toString()).toBe('x');
    client.destroy();
    socket.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  });
});
