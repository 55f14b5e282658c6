/**
 * Raw bridges to TCP devices that the test starts on loopback: frames both ways, the device going
 * away and coming back, reply: sender, and backpressure from a device that stops reading.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { isRawLink } from '../../src/devices/raw-link.js';
import { startGateway, until, type RunningGateway } from '../helpers/gateway.js';
import { connectPeer, echoDevice, fakeDevice, type FakeDevice } from '../helpers/raw-peers.js';

let gw: RunningGateway | undefined;
let devices: FakeDevice[] = [];
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
  await Promise.all(devices.map((d) => d.stop()));
  devices = [];
});

function config(device: FakeDevice, handler: string, framing = '{ type: line, delimiter: "\\r\\n" }'): string {
  return `
devices:
  - name: cam
    type: tcp
    host: 127.0.0.1
    port: ${device.port}
    framing: ${framing}
    reconnect: { min: 20ms, max: 100ms }
servers:
  - name: bridge
    protocol: raw
    listen: 127.0.0.1:0
    framing: ${framing}
    handler: ${handler}
`;
}

function link(gateway: RunningGateway) {
  const l = gateway.gateway.devices.get('cam');
  if (!isRawLink(l)) throw new Error('cam is not a raw link');
  return l;
}

const lineCount = (t: string) => t.split('\r\n').length - 1;

describe('bridge to a TCP device', () => {
  it('frames go to the device and back; the device goes away and comes back; frames sent meanwhile are dropped and counted', async () => {
    const device = await echoDevice();
    devices.push(device);
    gw = await startGateway(config(device, '{ bridge: cam }'));
    await device.connection(1);
    await until(() => link(gw!).state === 'up');
    const client = await connectPeer(gw.port('bridge'));
    client.send('T1\r\n');
    await client.until((t) => t === 'T1\r\n');

    await device.stop();
    await until(() => link(gw!).state !== 'up');
    expect(gw.captured.events('device down')[0]).toMatchObject({ device: 'cam', target: `127.0.0.1:${device.port}` });
    for (let i = 0; i < 50; i++) client.send(`lost ${i}\r\n`);
    await until(() => link(gw!).counters.dropped === 50, 3000, '50 frames dropped');
    expect(gw.captured.events('device is not up: frames sent to it are dropped until it is back')).toHaveLength(1);
    expect(link(gw).status()).toMatchObject({ name: 'cam', type: 'tcp', lastError: expect.any(String), dropped: 50 });
    expect(client.socket.destroyed).toBe(false); // no session was closed

    await device.restart();
    await device.connection(2);
    await until(() => link(gw!).state === 'up');
    expect(gw.captured.events('device is back: frames were dropped while it was not up')[0]).toMatchObject({
      dropped: 50,
    });
    client.send('T2\r\n');
    await client.until((t) => t === 'T1\r\nT2\r\n');
    expect(device.peers[1]?.text()).toBe('T2\r\n');
    expect(gw.gateway.findServer('bridge')!.sessionCount).toBe(1);
  });

  it('two clients never interleave bytes inside a frame at the device', async () => {
    const device = await fakeDevice();
    devices.push(device);
    gw = await startGateway(config(device, '{ bridge: cam }'));
    const dev = await device.connection(1);
    await until(() => link(gw!).state === 'up');
    const a = await connectPeer(gw.port('bridge'));
    const b = await connectPeer(gw.port('bridge'));
    const N = 300;
    for (let i = 0; i < N; i++) {
      const la = `A${i}:${'a'.repeat(40)}\r\n`;
      const lb = `B${i}:${'b'.repeat(40)}\r\n`;
      a.send(la.slice(0, 7));
      b.send(lb.slice(0, 5));
      a.send(la.slice(7));
      b.send(lb.slice(5));
    }
    await dev.until((t) => lineCount(t) >= 2 * N);
    const got = dev.text().split('\r\n').filter(Boolean);
    expect(got.every((l) => /^A\d+:a{40}$/.test(l) || /^B\d+:b{40}$/.test(l))).toBe(true);
    expect(got.filter((l) => l.startsWith('A'))).toEqual(
      Array.from({ length: N }, (_, i) => `A${i}:${'a'.repeat(40)}`),
    );
    expect(got.filter((l) => l.startsWith('B'))).toEqual(
      Array.from({ length: N }, (_, i) => `B${i}:${'b'.repeat(40)}`),
    );
  });

  it('reply: sender sends what the device answers to the client whose frame was sent last; reply: all to everyone', async () => {
    // a camera: answers each trigger "Tn\r\n" with "OK,Tn\r\n", in two pieces
    const camera = await fakeDevice((peer) =>
      peer.socket.on('data', (c: Buffer) => {
        for (const t of c.toString().split('\r\n').filter(Boolean)) {
          peer.socket.write(`OK,${t.slice(0, 1)}`);
          peer.socket.write(`${t.slice(1)}\r\n`);
        }
      }),
    );
    devices.push(camera);
    gw = await startGateway(config(camera, '{ bridge: cam, reply: sender }'));
    await until(() => link(gw!).state === 'up');
    const a = await connectPeer(gw.port('bridge'));
    const b = await connectPeer(gw.port('bridge'));
    a.send('T1\r\n');
    await a.until((t) => t === 'OK,T1\r\n');
    b.send('T2\r\n');
    await b.until((t) => t === 'OK,T2\r\n');
    a.send('T3\r\n');
    await a.until((t) => t === 'OK,T1\r\nOK,T3\r\n');
    expect(b.text()).toBe('OK,T2\r\n');
    await gw.stop();

    gw = await startGateway(config(camera, '{ bridge: cam }'));
    await until(() => link(gw!).state === 'up');
    const c = await connectPeer(gw.port('bridge'));
    const d = await connectPeer(gw.port('bridge'));
    c.send('T9\r\n');
    await Promise.all([c.until((t) => t === 'OK,T9\r\n'), d.until((t) => t === 'OK,T9\r\n')]);
  });

  it('a device that stops reading pauses the sending client (backpressure); nothing is lost when it reads again', async () => {
    const sink = await fakeDevice();
    devices.push(sink);
    gw = await startGateway(config(sink, '{ bridge: cam }', 'none'));
    const dev = await sink.connection(1);
    dev.socket.pause(); // the device stops reading
    await until(() => link(gw!).state === 'up');
    const client = await connectPeer(gw.port('bridge'));
    const chunk = Buffer.alloc(64 * 1024);
    let written = 0;
    let maxQueue = 0;
    const t0 = Date.now();
    // bounded: 64 MiB at most, 10 s at most; stops once the client itself is backed up for a while
    while (written < 1024 && Date.now() - t0 < 10_000 && client.socket.writableLength < 8 * 1024 * 1024) {
      chunk.fill(written & 0xff);
      client.socket.write(Buffer.from(chunk));
      written++;
      maxQueue = Math.max(maxQueue, link(gw).status().queue);
      if (written % 16 === 0) await new Promise((r) => setImmediate(r));
    }
    // The client could not get rid of its data: fieldgate stopped reading it instead of buffering.
    expect(client.socket.writableLength).toBeGreaterThan(0);
    expect(maxQueue).toBeLessThan(1024 * 1024);
    dev.socket.resume();
    await dev.untilBytes(written * chunk.length, 10_000);
    const got = dev.bytes();
    expect(got.length).toBe(written * chunk.length);
    for (let i = 0; i < written; i++) expect(got[i * chunk.length]).toBe(i & 0xff);
  });
});
