/**
 * Raw device links below the bridge: backoff waits, a serial port (SerialPortMock, byte-exact) that
 * is missing at start, appears, echoes framed data, and is unplugged and plugged in again, and a TCP
 * device that is not there yet.
 */
import { SerialPortMock } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import type { SerialDeviceConfig, TcpDeviceConfig } from '../../src/config/types.js';
import { RawDeviceLink } from '../../src/devices/raw-link.js';
import { Backoff } from '../../src/transport/backoff.js';
import type { LineState } from '../../src/transport/line.js';
import { serialOpener, type PortFactory } from '../../src/transport/serial-opener.js';
import { tcpOpener } from '../../src/transport/tcp-opener.js';
import { until } from '../helpers/gateway.js';
import { captureLogger } from '../helpers/log.js';
import { fakeDevice, freePorts, type FakeDevice } from '../helpers/raw-peers.js';

const links: RawDeviceLink[] = [];
const devices: FakeDevice[] = [];
afterEach(async () => {
  await Promise.all(links.splice(0).map((l) => l.stop()));
  await Promise.all(devices.splice(0).map((d) => d.stop()));
});

describe('backoff', () => {
  it('doubles from min to max, shortened by at most jitter, and starts over after a success', () => {
    const fixed = new Backoff({ min: 100, max: 1000, jitter: 0 });
    expect([1, 2, 3, 4, 5, 6].map(() => fixed.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
    fixed.reset();
    expect(fixed.next()).toBe(100);
    const rolls = [0, 0.5, 1];
    const jittered = new Backoff({ min: 100, max: 1000, jitter: 0.2 }, () => rolls.shift() ?? 0);
    expect([jittered.next(), jittered.next(), jittered.next()]).toEqual([100, 180, 320]);
  });
});

describe('raw serial link (SerialPortMock)', () => {
  const MockBinding = SerialPortMock.binding;
  let seq = 0;

  function serialLink(path: string) {
    const log = captureLogger('debug');
    let current: SerialPortMock | undefined;
    const factory: PortFactory = (s, opened) => {
      const port = new SerialPortMock({ path: s.path, baudRate: s.baudRate }, (err) => opened(err ?? null));
      current = port;
      return port;
    };
    const config: SerialDeviceConfig = {
      name: 'scope',
      type: 'serial',
      path,
      baudRate: 115200,
      parity: 'none',
      dataBits: 8,
      stopBits: 1,
      framing: { type: 'line', delimiter: '\r\n', max: 64 },
      reconnect: { min: 10, max: 40, jitter: 0 },
    };
    const link = new RawDeviceLink(config, serialOpener(config, factory), log.log);
    links.push(link);
    const frames: string[] = [];
    const states: LineState[] = [];
    let counted = 0;
    link.subscribe({
      frames: (chunks, n) => {
        frames.push(chunks.map(String).join(''));
        counted += n;
      },
      drain: () => undefined,
      state: (s) => states.push(s),
    });
    return { link, log, frames, states, port: () => current, counted: () => counted };
  }

  it('a port missing at start is opened once it appears; frames go out whole and come back framed', async () => {
    const path = `/dev/fieldgate-raw-mock-${process.pid}-${++seq}`;
    const { link, log, frames, port, counted } = serialLink(path);
    await link.start();
    await until(() => link.state === 'down' && link.status().lastError !== null);
    expect(link.status().lastError).toMatch(/does not exist/);
    expect(link.send([Buffer.from('lost\r\n')], 1)).toBe('dropped');
    MockBinding.createPort(path, { echo: true, record: true });
    await until(() => link.state === 'up', 3000, 'the port is opened');
    expect(log.events('device is back: frames were dropped while it was not up')[0]).toMatchObject({ dropped: 1 });
    expect(link.send([Buffer.from('T1\r\nT'), Buffer.from('2\r\n')], 2)).toBe('ok');
    await until(() => counted() === 2);
    expect(frames.join('')).toBe('T1\r\nT2\r\n');
    expect(frames.every((f) => f.endsWith('\r\n'))).toBe(true); // whole frames (runs of them), never a piece
    expect((port()?.port as { recording: Buffer } | undefined)?.recording.toString()).toBe('T1\r\nT2\r\n');
    expect(link.status()).toMatchObject({ name: 'scope', type: 'serial', state: 'up', requests: 2, lastError: null });
  });

  it('an unplugged port goes down with the error and is reopened when it is back', async () => {
    const path = `/dev/fieldgate-raw-mock-${process.pid}-${++seq}`;
    MockBinding.createPort(path, { echo: true });
    const { link, states, log, port } = serialLink(path);
    await link.start();
    await until(() => link.state === 'up');
    const first = port();
    first?._disconnected(new Error('device unplugged'));
    await until(() => port() !== first && link.state === 'up', 3000, 'reopened');
    expect(states).toEqual(['connecting', 'up', 'down', 'connecting', 'up']);
    expect(log.events('device down')[0]).toMatchObject({ target: path, error: expect.stringMatching(/unplugged/) });
  });
});

describe('raw tcp link', () => {
  it('a device that is not listening yet: down with the error, retried, up once it listens', async () => {
    const [port] = (await freePorts(1)) as [number];
    const log = captureLogger('debug');
    const config: TcpDeviceConfig = {
      name: 'fpga',
      type: 'tcp',
      host: '127.0.0.1',
      port,
      framing: { type: 'none' },
      reconnect: { min: 10, max: 40, jitter: 0 },
      connectTimeout: 1000,
      keepAlive: 1000,
    };
    const link = new RawDeviceLink(config, tcpOpener(config), log.log);
    links.push(link);
    await link.start();
    await until(() => log.events('device still down').length >= 3, 3000, 'three retries');
    expect(link.status().lastError).toMatch(/ECONNREFUSED/);
    expect(log.events('device down')).toHaveLength(1); // once, not per attempt
    expect(
      log
        .events('device still down')
        .map((l) => l['retryMs'])
        .slice(0, 3),
    ).toEqual([20, 40, 40]);
    const device = await fakeDevice(() => undefined, port);
    devices.push(device);
    await until(() => link.state === 'up', 3000, 'connected');
    const peer = await device.connection(1);
    link.send([Buffer.from('abc')], 1);
    await peer.until((t) => t === 'abc');
    // several runs go out in one writev; taken by the socket at once, they do not ask the bridge to pause
    const runs = [Buffer.alloc(20_000, 1), Buffer.alloc(30_000, 2)];
    expect(link.send(runs, 50)).toBe('ok');
    await peer.untilBytes(3 + 50_000);
    expect(peer.bytes().subarray(3).equals(Buffer.concat(runs))).toBe(true);
  });
});
