/**
 * The bridge looks its device up by name in the gateway's live map whenever it uses it, so a device
 * link rebuilt by a reload is followed by servers that keep their sessions. Sessions run over
 * in-memory pairs; the device links are real, to loopback TCP devices.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createFramer } from '../../src/codec/framers/index.js';
import type { Framing, TcpDeviceConfig } from '../../src/config/types.js';
import type { DeviceLink } from '../../src/devices/device.js';
import { RawDeviceLink } from '../../src/devices/raw-link.js';
import { BridgeHandler } from '../../src/raw/handlers/bridge.js';
import { RawSession } from '../../src/raw/raw-session.js';
import { tcpOpener } from '../../src/transport/tcp-opener.js';
import { duplexPair } from '../helpers/duplex-pair.js';
import { until } from '../helpers/gateway.js';
import { captureLogger } from '../helpers/log.js';
import { fakeDevice, type FakeDevice } from '../helpers/raw-peers.js';

const LINES: Framing = { type: 'line', delimiter: '\n', max: 100 };
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

function linkTo(device: FakeDevice): RawDeviceLink {
  const config: TcpDeviceConfig = {
    name: 'cam',
    type: 'tcp',
    host: '127.0.0.1',
    port: device.port,
    framing: LINES,
    reconnect: { min: 10, max: 50, jitter: 0 },
    connectTimeout: 1000,
    keepAlive: 0,
  };
  const link = new RawDeviceLink(config, tcpOpener(config), captureLogger().log);
  cleanup.push(() => link.stop());
  return link;
}

describe('bridge', () => {
  it('follows the device link that is in the live map now', async () => {
    const answer = (tag: string) => (peer: { socket: import('node:net').Socket }) =>
      peer.socket.on('data', (c: Buffer) => peer.socket.write(`${tag}:${c.toString()}`));
    const one = await fakeDevice(answer('one'));
    const two = await fakeDevice(answer('two'));
    cleanup.push(
      () => one.stop(),
      () => two.stop(),
    );
    const devices = new Map<string, DeviceLink>();
    const first = linkTo(one);
    devices.set('cam', first);
    await first.start();
    const bridge = new BridgeHandler({ device: 'cam', reply: 'all', devices, log: captureLogger().log });
    await bridge.start();
    cleanup.push(() => bridge.stop());

    const [ours, theirs] = duplexPair();
    const received: string[] = [];
    theirs.on('data', (c: Buffer) => received.push(c.toString()));
    const session = new RawSession(ours, {
      id: 1,
      remote: 'test',
      log: captureLogger().log,
      framer: createFramer(LINES),
      idleTimeout: 0,
      sendTimeout: 1000,
      sendQueue: 65536,
      receive: (s, chunks, frames) => bridge.received(s, chunks, frames),
    });
    bridge.opened(session);
    await until(() => first.state === 'up');
    theirs.write('a\n');
    await until(() => received.join('') === 'one:a\n');

    const second = linkTo(two);
    devices.set('cam', second); // what a reload does with a changed device
    await second.start();
    await first.stop();
    await until(() => second.state === 'up');
    theirs.write('b\n');
    await until(() => received.join('') === 'one:a\ntwo:b\n');
    expect(two.peers[0]?.text()).toBe('b\n');
    expect(one.peers[0]?.text()).toBe('a\n');
  });
});
