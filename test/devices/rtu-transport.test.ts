/**
 * The RTU transport, byte-exact, over @serialport/binding-mock: what goes on the wire, and which
 * reply each request gets.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Backoff } from '../../src/transport/backoff.js';
import { RtuTransport } from '../../src/devices/modbus/rtu-transport.js';
import { captureLogger } from '../helpers/log.js';
import { until } from '../helpers/gateway.js';
import { hex, MockBinding, mockLine, type MockLine } from '../helpers/mock-serial.js';

const transports: RtuTransport[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(transports.splice(0).map((t) => t.stop()));
});

/**
 * From here on the reply timeouts run on a fake clock that only the test moves on
 * (advanceTimersByTimeAsync). performance.now is faked too, so the gap before a frame (1.75 ms after
 * the last byte) is counted on the same clock: the first frame may go at once (2 ms have passed), and
 * every later one here follows a timeout.
 */
function fakeClock(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
  vi.advanceTimersByTime(2);
}

async function open(line: MockLine, extra: { silenceMs?: number; turnaroundMs?: number } = {}) {
  const t = new RtuTransport({
    line: { path: line.path, baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1 },
    log: captureLogger('warn').log,
    open: line.open,
    backoff: new Backoff({ min: 5, max: 20, jitter: 0 }),
    ...extra,
  });
  transports.push(t);
  t.start();
  await until(() => t.state === 'up', 2000, 'port open');
  return t;
}

const READ2 = hex('03 0000 0002');

describe('RTU transport (mock serial port)', () => {
  it('writes unit + PDU + CRC and assembles a reply split over several chunks', async () => {
    const line = mockLine();
    const t = await open(line);
    const result = t.exchange(1, READ2, 1000);
    expect(await line.nextWrite()).toEqual(hex('01 03 0000 0002 c40b'));
    line.reply('01 03');
    line.reply('04 000a');
    line.reply('000b 9b');
    line.reply('f6');
    expect(await result).toEqual({ kind: 'reply', pdu: hex('03 04 000a 000b') });
  });

  it('skips garbage before the reply', async () => {
    const line = mockLine();
    const t = await open(line);
    const result = t.exchange(1, READ2, 1000);
    await line.nextWrite();
    line.reply('ff 00 01 03 ff 01 03 04 000a 000b 9bf6');
    expect(await result).toEqual({ kind: 'reply', pdu: hex('03 04 000a 000b') });
  });

  it('drops stale bytes that arrived before the request', async () => {
    const line = mockLine();
    const t = await open(line);
    // a whole valid reply, but nobody asked yet
    line.reply('01 03 04 000a 000b 9bf6');
    await until(() => t.staleBytes === 9, 2000, 'stale bytes seen');
    const result = t.exchange(1, READ2, 1000);
    await line.nextWrite();
    line.reply('01 03 04 0001 0002 2a32'.replace('2a32', crcOf('01 03 04 0001 0002')));
    expect(await result).toEqual({ kind: 'reply', pdu: hex('03 04 0001 0002') });
  });

  it('counts a bad CRC and reports it without waiting for the timeout', async () => {
    const line = mockLine();
    const t = await open(line, { silenceMs: 5 });
    const result = t.exchange(1, READ2, 5000);
    await line.nextWrite();
    line.reply('01 03 04 000a 000b 9bf7');
    expect(await result).toEqual({ kind: 'crc' });
    expect(t.crcErrors).toBe(1);
  });

  it('never hands a late reply to the next request', async () => {
    const line = mockLine();
    const t = await open(line);
    fakeClock();
    // request A: read 1 register at 10 -> nobody answers in time
    const a = t.exchange(1, hex('03 000a 0001'), 30);
    expect(await line.nextWrite()).toEqual(hex('01 03 000a 0001 a408'));
    await vi.advanceTimersByTimeAsync(31); // the timeout plus the frame's time on the wire
    expect(await a).toEqual({ kind: 'timeout' });
    // request B: read 2 registers at 0; A's late reply arrives after B went out, then B's own
    const b = t.exchange(1, READ2, 1000);
    expect(await line.nextWrite()).toEqual(hex('01 03 0000 0002 c40b'));
    line.reply('01 03 02 1234 b533');
    line.reply('01 03 04 000a 000b 9bf6');
    expect(await b).toEqual({ kind: 'reply', pdu: hex('03 04 000a 000b') });
    expect(t.mismatched).toBe(1);
  });

  it('gives the next request a timeout, not the late reply, when its own answer never comes', async () => {
    const line = mockLine();
    const t = await open(line);
    fakeClock();
    const a = t.exchange(1, hex('03 000a 0001'), 20);
    await line.nextWrite();
    await vi.advanceTimersByTimeAsync(21);
    expect(await a).toEqual({ kind: 'timeout' });
    const b = t.exchange(1, READ2, 50);
    await line.nextWrite();
    line.reply('01 03 02 1234 b533');
    await vi.advanceTimersByTimeAsync(51);
    expect(await b).toEqual({ kind: 'timeout' });
  });

  it('passes an exception reply through', async () => {
    const line = mockLine();
    const t = await open(line);
    const result = t.exchange(1, READ2, 1000);
    await line.nextWrite();
    line.reply('01 83 02 c0f1');
    expect(await result).toEqual({ kind: 'reply', pdu: hex('83 02') });
  });

  it('ends the reply of a function code it does not know by silence', async () => {
    const line = mockLine();
    const t = await open(line, { silenceMs: 5 });
    const result = t.exchange(0x11, hex('41'), 2000);
    expect(await line.nextWrite()).toEqual(hex('11 41 cdd0'));
    line.reply('11 41 00 aa bb f2ec');
    expect(await result).toEqual({ kind: 'reply', pdu: hex('41 00 aa bb') });
  });

  it('sends a broadcast and waits for no reply', async () => {
    const line = mockLine();
    const t = await open(line, { turnaroundMs: 5 });
    const result = t.exchange(0, hex('06 0001 0003'), 5000);
    expect(await line.nextWrite()).toEqual(hex('00 06 0001 0003 99da'));
    expect(await result).toEqual({ kind: 'sent' });
  });

  it('answers down while the port is closed, and reopens it', async () => {
    const line = mockLine();
    const t = await open(line);
    line.current()?.close();
    await until(() => t.state !== 'up', 2000, 'port seen closed');
    expect(await t.exchange(1, READ2, 100)).toMatchObject({ kind: 'down' });
    await until(() => t.state === 'up' && line.opens() === 2, 2000, 'port reopened');
    const result = t.exchange(1, READ2, 1000);
    await line.nextWrite();
    line.reply('01 03 04 000a 000b 9bf6');
    expect(await result).toEqual({ kind: 'reply', pdu: hex('03 04 000a 000b') });
  });

  it('keeps retrying a port that does not exist yet, and opens it when it appears', async () => {
    const line = mockLine(false);
    const t = new RtuTransport({
      line: { path: line.path, baudRate: 115200, dataBits: 8, parity: 'none', stopBits: 1 },
      log: captureLogger('warn').log,
      open: line.open,
      backoff: new Backoff({ min: 5, max: 20, jitter: 0 }),
    });
    transports.push(t);
    t.start();
    await until(() => t.state === 'down', 2000, 'open failed');
    MockBinding.createPort(line.path, { echo: false, record: false });
    await until(() => t.state === 'up', 2000, 'port opened once it exists');
    expect(line.opens()).toBe(1);
  });
});

function crcOf(h: string): string {
  let c = 0xffff;
  for (const x of hex(h)) {
    c ^= x;
    for (let i = 0; i < 8; i++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
  }
  return Buffer.from([c & 0xff, c >>> 8]).toString('hex');
}
