/**
 * The RTU transport, byte-exact, over @serialport/binding-mock: what goes on the wire, and which
 * reply each request gets.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Backoff } from '../../src/transport/backoff.js';
import { RtuTransport } from '../../src/devices/modbus/rtu-transport.js';
import { captureLogger } from '../helpers/log.js';
import { until } from '../helpers/gateway.js';
import { hex, MockBinding, mockLine, type MockLine } from '../helpers/mock-serial.js';

const transports: RtuTransport[] = [];
afterEach(async () => {
  await Promise.all(transports.splice(0).map((t) => t.stop()));
});

async function open(
  line: MockLine,
  extra: { silenceMs?: number; turnaroundMs?: number; lateReplyGuardMs?: number; baudRate?: number } = {},
) {
  const { baudRate = 115200, ...options } = extra;
  const t = new RtuTransport({
    line: { path: line.path, baudRate, dataBits: 8, parity: 'none', stopBits: 1 },
    log: captureLogger('warn').log,
    open: line.open,
    backoff: new Backoff({ min: 5, max: 20, jitter: 0 }),
    ...options,
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
    // request A: read 1 register at 10 -> nobody answers in time
    const a = t.exchange(1, hex('03 000a 0001'), 30);
    expect(await line.nextWrite()).toEqual(hex('01 03 000a 0001 a408'));
    expect(await a).toEqual({ kind: 'timeout' });
    // request B: read 2 registers at 0; A's late reply arrives after B went out, then B's own
    const b = t.exchange(1, READ2, 1000);
    expect(await line.nextWrite()).toEqual(hex('01 03 0000 0002 c40b'));
    line.reply('01 03 02 1234 b533');
    line.reply('01 03 04 000a 000b 9bf6');
    expect(await b).toEqual({ kind: 'reply', pdu: hex('03 04 000a 000b') });
    expect(t.mismatched).toBe(1);
  });

  it('gives the next request no reply, not the late reply, when its own answer never comes', async () => {
    const line = mockLine();
    const t = await open(line);
    const a = t.exchange(1, hex('03 000a 0001'), 20);
    await line.nextWrite();
    expect(await a).toEqual({ kind: 'timeout' });
    const b = t.exchange(1, READ2, 50);
    await line.nextWrite();
    line.reply('01 03 02 1234 b533');
    // something came from the unit, but nothing that fits B: invalid (the unit is alive), no reply
    expect(await b).toMatchObject({ kind: 'invalid' });
  });

  it('after a timeout, sends nothing until the line has been quiet for the guard, and drops the late reply meanwhile', async () => {
    const line = mockLine();
    const t = await open(line, { lateReplyGuardMs: 400 });
    // A: 1 register at 0, nobody answers in time
    const a = t.exchange(1, hex('03 0000 0001'), 30);
    await line.nextWrite();
    expect(await a).toEqual({ kind: 'timeout' });
    // B: 1 register at 100, the same shape as A's reply; A's reply comes 20 ms after A's timeout
    const b = t.exchange(1, hex('03 0064 0001'), 1000);
    await delay(20);
    const writtenBeforeLateReply = line.writes.length;
    line.reply(frame(1, '03 02 03e8'));
    const lateAt = performance.now();
    expect(await line.nextWrite(3000)).toEqual(frame(1, '03 0064 0001'));
    expect(performance.now() - lateAt).toBeGreaterThanOrEqual(399);
    expect(writtenBeforeLateReply).toBe(1);
    line.reply(frame(1, '03 02 044c'));
    expect(await b).toEqual({ kind: 'reply', pdu: hex('03 02 044c') });
    expect(t.staleBytes).toBe(7);
  });

  it('guards for 3 x the timeout by default', async () => {
    const line = mockLine();
    const t = await open(line);
    const a = t.exchange(1, READ2, 40);
    await line.nextWrite();
    expect(await a).toEqual({ kind: 'timeout' });
    const timedOutAt = performance.now();
    const b = t.exchange(1, READ2, 1000);
    await line.nextWrite(3000);
    expect(performance.now() - timedOutAt).toBeGreaterThanOrEqual(110);
    line.reply('01 03 04 000a 000b 9bf6');
    expect(await b).toEqual({ kind: 'reply', pdu: hex('03 04 000a 000b') });
  });

  it('sends the next request only after t3.5 of silence after a reply: a duplicate still coming in is dropped', async () => {
    const line = mockLine();
    // 300 baud: t3.5 = 117 ms; the duplicate's bytes come 40 ms apart, so it lasts longer than t3.5
    const t = await open(line, { baudRate: 300 });
    const a = t.exchange(1, hex('03 0000 0001'), 1000);
    await line.nextWrite();
    const reply = frame(1, '03 02 03e8');
    line.reply(reply);
    expect(await a).toEqual({ kind: 'reply', pdu: hex('03 02 03e8') });
    const b = t.exchange(1, hex('03 0064 0001'), 2000);
    for (const byte of reply) {
      await delay(40);
      line.reply(Buffer.from([byte]));
    }
    expect(line.writes.length).toBe(1);
    expect(await line.nextWrite(3000)).toEqual(frame(1, '03 0064 0001'));
    line.reply(frame(1, '03 02 044c'));
    expect(await b).toEqual({ kind: 'reply', pdu: hex('03 02 044c') });
    expect(t.staleBytes).toBe(7);
  });

  it('reports a reply that came but does not fit as invalid, not as a timeout', async () => {
    const line = mockLine();
    const t = await open(line, { silenceMs: 5 });
    // wrong byte count (CRC good)
    const r1 = t.exchange(1, READ2, 50);
    await line.nextWrite();
    line.reply(frame(1, '03 02 0001'));
    expect(await r1).toMatchObject({ kind: 'invalid' });
    // cut short: the header of a reply, then silence
    const r2 = t.exchange(1, READ2, 50);
    await line.nextWrite(3000);
    line.reply('01 03 04 000a');
    expect(await r2).toMatchObject({ kind: 'invalid' });
    // a write echo for another address
    const r3 = t.exchange(1, hex('06 0001 0003'), 50);
    await line.nextWrite(3000);
    line.reply(frame(1, '06 0002 0003'));
    expect(await r3).toMatchObject({ kind: 'invalid' });
    // a diagnostics echo of another sub-function
    const r4 = t.exchange(1, hex('08 0000 1234'), 50);
    await line.nextWrite(3000);
    line.reply(frame(1, '08 0001 1234'));
    expect(await r4).toMatchObject({ kind: 'invalid' });
  });

  it('answers a broadcast as soon as it is on the bus, and keeps the bus quiet for the turnaround after it', async () => {
    const line = mockLine();
    const t = await open(line, { turnaroundMs: 1000 });
    const start = performance.now();
    const sent = await t.exchange(0, hex('06 0001 0003'), 5000);
    expect(sent).toEqual({ kind: 'sent' });
    expect(performance.now() - start).toBeLessThan(700);
    expect(await line.nextWrite()).toEqual(hex('00 06 0001 0003 99da'));
    const next = t.exchange(1, READ2, 1000);
    await line.nextWrite(3000);
    expect(performance.now() - start).toBeGreaterThanOrEqual(999);
    line.reply('01 03 04 000a 000b 9bf6');
    expect(await next).toEqual({ kind: 'reply', pdu: hex('03 04 000a 000b') });
  });

  it('reports a request in flight when the port closes as lost (sent, fate unknown)', async () => {
    const line = mockLine();
    const t = await open(line);
    const r = t.exchange(1, READ2, 5000);
    await line.nextWrite();
    line.current()?.close();
    expect(await r).toMatchObject({ kind: 'lost' });
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

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The RTU frame of unit + PDU (CRC appended). */
function frame(unit: number, pdu: string): Buffer {
  const body = Buffer.concat([Buffer.from([unit]), hex(pdu)]);
  return Buffer.concat([body, hex(crcOf(body.toString('hex')))]);
}

function crcOf(h: string): string {
  let c = 0xffff;
  for (const x of hex(h)) {
    c ^= x;
    for (let i = 0; i < 8; i++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
  }
  return Buffer.from([c & 0xff, c >>> 8]).toString('hex');
}
