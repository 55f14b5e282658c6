/**
 * Raw sessions and raw TCP device links read into one reused buffer each (transport/read-buffer.ts).
 * These tests make writes queue behind slow readers, over and over, so that a queued write still
 * points into a read buffer when the next read arrives: every byte must still arrive as sent.
 * Data is pseudo-random, written in odd sizes, and compared whole.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isRawLink } from '../../src/devices/raw-link.js';
import { startGateway, until, type RunningGateway } from '../helpers/gateway.js';
import { connectPeer, fakeDevice, type FakeDevice, type Peer } from '../helpers/raw-peers.js';

let gw: RunningGateway | undefined;
let devices: FakeDevice[] = [];
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
  await Promise.all(devices.map((d) => d.stop()));
  devices = [];
});

const TOTAL = 6 * 1024 * 1024;
/** More than loopback's socket buffers take: the rest queues in fieldgate. */
const LARGE = 24 * 1024 * 1024;

/** `n` pseudo-random bytes (xorshift32), the same for the same seed. */
function pattern(n: number, seed: number): Buffer {
  const out = Buffer.allocUnsafe(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

/** Writes `data` in pieces of 1..96 KiB, waiting for drain when the socket is backed up. */
async function writeInPieces(socket: Peer['socket'], data: Buffer): Promise<void> {
  let at = 0;
  let size = 1;
  while (at < data.length) {
    size = (size * 7919 + 4099) % (96 * 1024) || 1;
    const piece = data.subarray(at, Math.min(data.length, at + size));
    at += piece.length;
    if (!socket.write(piece)) await new Promise((r) => socket.once('drain', r));
  }
}

/**
 * Makes `peer` a slow reader: it stops reading every `every` bytes and starts again on the next
 * turn of the event loop after a short wait for the writer to pile up behind it.
 */
function stutter(peer: Peer, every: number): void {
  let next = every;
  let got = 0;
  peer.socket.on('data', (c: Buffer) => {
    got += c.length;
    if (got < next) return;
    next = got + every;
    peer.socket.pause();
    setTimeout(() => peer.socket.resume(), 2);
  });
}

function compare(got: Buffer, want: Buffer): void {
  expect(got.length).toBe(want.length);
  // one assertion, not millions; the first difference is what a failure needs
  const at = got.findIndex((b, i) => b !== want[i]);
  expect(at, `first differing byte at ${at}`).toBe(-1);
}

const bridgeConfig = (device: FakeDevice, sendQueue = '16MiB') => `
devices:
  - { name: sink, type: tcp, host: 127.0.0.1, port: ${device.port}, reconnect: { min: 20ms, max: 100ms } }
servers:
  - name: bridge
    protocol: raw
    listen: 127.0.0.1:0
    framing: none
    sendQueue: ${sendQueue}
    handler: { bridge: sink }
`;

describe('reused read buffers', () => {
  it('client -> bridge -> a device that stops reading: what queued for it arrives as sent', async () => {
    const sink = await fakeDevice();
    devices.push(sink);
    gw = await startGateway(bridgeConfig(sink));
    const dev = await sink.connection(1);
    dev.socket.pause();
    const link = gw.gateway.devices.get('sink');
    if (!isRawLink(link)) throw new Error('sink is not a raw link');
    await until(() => link.state === 'up');
    const client = await connectPeer(gw.port('bridge'));
    // Small pieces, one per turn of the event loop, so fieldgate reads them one by one: once the
    // device's socket buffers are full, each is queued for the device (under the bridge's pause
    // threshold, so reading goes on) while the next read arrives.
    const data = pattern(TOTAL, 1);
    let at = 0;
    let afterQueued = 0;
    // bounded: the data's size, and 100 pieces once writes to the device queue
    while (at < data.length && afterQueued < 100) {
      const piece = data.subarray(at, at + 1000);
      at += piece.length;
      client.socket.write(piece);
      await new Promise((r) => setImmediate(r));
      if (link.status().queue > 0) afterQueued++;
    }
    expect(afterQueued, 'writes to the device queued (the case under test)').toBe(100);
    dev.socket.resume();
    await dev.untilBytes(at, 20_000);
    compare(dev.bytes(), data.subarray(0, at));
  });

  it('a device streaming to two clients, one of them not reading for a while: both get every byte as sent', async () => {
    const source = await fakeDevice();
    devices.push(source);
    gw = await startGateway(bridgeConfig(source, '64MiB'));
    const dev = await source.connection(1);
    await until(() => gw!.gateway.devices.get('sink')?.status().state === 'up');
    const fast = await connectPeer(gw.port('bridge'));
    const slow = await connectPeer(gw.port('bridge'));
    slow.socket.pause(); // what the kernel does not take for it queues in fieldgate, behind later reads
    await until(() => gw!.gateway.findServer('bridge')!.sessionCount === 2);
    const data = pattern(LARGE, 2);
    await writeInPieces(dev.socket, data);
    await fast.untilBytes(LARGE, 20_000);
    slow.socket.resume();
    await slow.untilBytes(LARGE, 20_000);
    compare(fast.bytes(), data);
    compare(slow.bytes(), data);
  });

  it('hub: a listener not reading for a while gets every frame as sent; echo to a stuttering reader', async () => {
    gw = await startGateway(`
servers:
  - { name: echo, protocol: raw, listen: 127.0.0.1:0, framing: none, sendQueue: 16MiB, handler: echo }
  - { name: hub, protocol: raw, listen: 127.0.0.1:0, framing: { type: fixed, size: 1000 }, sendQueue: 64MiB, handler: hub }
`);
    const echo = await connectPeer(gw.port('echo'));
    stutter(echo, 150 * 1024);
    const talker = await connectPeer(gw.port('hub'));
    const listener = await connectPeer(gw.port('hub'));
    listener.socket.pause(); // what the kernel does not take for it queues in fieldgate, behind later reads
    await until(() => gw!.gateway.findServer('hub')!.sessionCount === 2);
    const a = pattern(TOTAL, 3);
    const b = pattern(24_000_000, 4); // whole 1000-byte frames, more than loopback's buffers take
    await Promise.all([writeInPieces(echo.socket, a), writeInPieces(talker.socket, b)]);
    await echo.untilBytes(a.length, 20_000);
    // once fieldgate has read all the talker sent, what the kernel did not take sits in the listener's queue
    await until(
      () =>
        gw!.gateway
          .findServer('hub')!
          .sessionStats()
          .some((st) => st.bytesIn === b.length),
      20_000,
    );
    listener.socket.resume();
    await listener.untilBytes(b.length, 20_000);
    compare(echo.bytes(), a);
    compare(listener.bytes(), b);
  });
});
