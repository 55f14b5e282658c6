/**
 * The device queue in front of the RTU transport (mock serial port): bound (06), retries and 0B,
 * exceptions passed through, offline units, fairness across clients, requests of a client that went
 * away, status.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ModbusRtuDeviceConfig } from '../../src/config/types.js';
import type { ModbusLink } from '../../src/devices/modbus/modbus-link.js';
import { createRtuLink } from '../../src/devices/factory.js';
import { crc16 } from '../../src/codec/rtu/crc.js';
import { until } from '../helpers/gateway.js';
import { captureLogger } from '../helpers/log.js';
import { hex, mockLine, type MockLine } from '../helpers/mock-serial.js';

const links: ModbusLink[] = [];
afterEach(async () => {
  vi.useRealTimers();
  await Promise.all(links.splice(0).map((l) => l.stop()));
});

/**
 * From here on the timeouts run on a fake clock that only the test moves on (advanceTimersByTimeAsync):
 * a loaded machine cannot make a timeout run out before the test's reply. performance.now is faked
 * too, so the RTU gap before a frame (1.75 ms after the last byte) is counted on the same clock: the
 * first frame may go at once (2 ms have passed), and every later one here follows a timeout.
 */
function fakeClock(): void {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date', 'performance'] });
  vi.advanceTimersByTime(2);
}

function config(line: MockLine, extra: Partial<ModbusRtuDeviceConfig> = {}): ModbusRtuDeviceConfig {
  return {
    name: 'bus',
    type: 'modbus-rtu',
    path: line.path,
    baudRate: 115200,
    parity: 'none',
    dataBits: 8,
    stopBits: 1,
    timeout: 200,
    retries: 0,
    queue: 32,
    reconnect: { min: 5, max: 20, jitter: 0 },
    ...extra,
  };
}

async function start(line: MockLine, extra: Partial<ModbusRtuDeviceConfig> = {}) {
  const link = createRtuLink(config(line, extra), captureLogger('warn').log, { open: line.open });
  links.push(link);
  await link.start();
  await until(() => link.status().state === 'up', 2000, 'device up');
  return link;
}

/** RTU frame for a reply PDU. */
function frame(unit: number, pdu: string): Buffer {
  const body = Buffer.concat([Buffer.from([unit]), hex(pdu)]);
  const crc = crc16(body);
  return Buffer.concat([body, Buffer.from([crc & 0xff, crc >>> 8])]);
}

const READ1 = hex('03 0000 0001');

describe('Modbus device link (RTU, mock serial port)', () => {
  it('forwards the PDU and returns the reply PDU; device exceptions pass through', async () => {
    const line = mockLine();
    const link = await start(line);
    const ok = link.request(3, READ1);
    expect(await line.nextWrite()).toEqual(hex('03 03 0000 0001 85e8'));
    line.reply(frame(3, '03 02 002a'));
    expect(await ok).toEqual(hex('03 02 002a'));
    const bad = link.request(3, hex('03 ffff 0001'));
    await line.nextWrite();
    line.reply(frame(3, '83 02'));
    expect(await bad).toEqual(hex('83 02'));
    expect(link.status()).toMatchObject({
      name: 'bus',
      type: 'modbus-rtu',
      state: 'up',
      queue: 0,
      requests: 2,
      timeouts: 0,
    });
  });

  it('answers 0B after the retries, and counts every timeout', async () => {
    const line = mockLine();
    const link = await start(line, { timeout: 20, retries: 2 });
    fakeClock();
    const reply = link.request(1, READ1);
    for (let i = 0; i < 3; i++) {
      expect(await line.nextWrite()).toEqual(hex('01 03 0000 0001 840a'));
      // the timeout plus the frame's time on the wire, then the late-reply guard (3 x timeout) before the retry
      await vi.advanceTimersByTimeAsync(21 + 61);
    }
    expect(await reply).toEqual(hex('83 0b'));
    expect(link.status()).toMatchObject({ timeouts: 3 });
    expect(link.status().lastError).toMatch(/unit 1 .*no reply within 20 ms/);
  });

  it('answers 06 when the queue is full', async () => {
    const line = mockLine();
    const link = await start(line, { timeout: 100, queue: 2 });
    const first = link.request(1, READ1, { client: 1 });
    await line.nextWrite(); // in flight: not in the queue
    // different reads: identical ones would share the read in flight (read-sharing.test.ts)
    const queued = [
      link.request(1, hex('03 0001 0001'), { client: 1 }),
      link.request(1, hex('03 0002 0001'), { client: 2 }),
    ];
    expect(await link.request(1, hex('03 0003 0001'), { client: 3 })).toEqual(hex('83 06'));
    expect(link.status().queue).toBe(2);
    line.reply(frame(1, '03 02 0001'));
    expect(await first).toEqual(hex('03 02 0001'));
    for (let i = 0; i < 2; i++) {
      await line.nextWrite();
      line.reply(frame(1, '03 02 0001'));
    }
    expect(await Promise.all(queued)).toEqual([hex('03 02 0001'), hex('03 02 0001')]);
  });

  it('marks a unit that keeps timing out offline (0B at once) while the others are served', async () => {
    const line = mockLine();
    const link = await start(line, { timeout: 10 });
    fakeClock();
    for (let i = 0; i < 3; i++) {
      const r = link.request(9, READ1);
      await line.nextWrite();
      await vi.advanceTimersByTimeAsync(11 + 31); // the timeout, then the late-reply guard (3 x timeout)
      expect(await r).toEqual(hex('83 0b'));
    }
    const writes = line.writes.length;
    expect(await link.request(9, READ1)).toEqual(hex('83 0b'));
    expect(line.writes.length).toBe(writes); // nothing sent for the offline unit
    expect(link.status().offlineUnits).toEqual([9]);
    const other = link.request(2, READ1);
    expect(await line.nextWrite()).toEqual(frame(2, '03 0000 0001'));
    line.reply(frame(2, '03 02 0005'));
    expect(await other).toEqual(hex('03 02 0005'));
  });

  it("serves clients in turn, not one client's burst first", async () => {
    const line = mockLine();
    const link = await start(line);
    const a = [0, 1, 2, 3].map((i) => link.request(1, hex(`03 000${i} 0001`), { client: 1 }));
    const b = link.request(1, hex('03 0009 0001'), { client: 2 });
    const order: string[] = [];
    for (let i = 0; i < 5; i++) {
      const w = await line.nextWrite();
      order.push(w.subarray(2, 4).toString('hex'));
      line.reply(frame(1, '03 02 0000'));
    }
    await Promise.all([...a, b]);
    // a's first was in flight; then a and b take turns: b does not wait for the rest of a's burst
    expect(order).toEqual(['0000', '0001', '0009', '0002', '0003']);
  });

  it('drops the queued requests of a client that went away: they are never sent', async () => {
    const line = mockLine();
    const link = await start(line);
    const gone = new AbortController();
    const first = link.request(1, hex('03 0000 0001'), { client: 1 });
    await line.nextWrite();
    const dropped = link.request(1, hex('03 0001 0001'), { client: 2, signal: gone.signal });
    const kept = link.request(1, hex('03 0002 0001'), { client: 3 });
    gone.abort();
    line.reply(frame(1, '03 02 0000'));
    await first;
    const next = await line.nextWrite();
    expect(next.subarray(2, 4).toString('hex')).toBe('0002');
    line.reply(frame(1, '03 02 0000'));
    expect(await kept).toEqual(hex('03 02 0000'));
    expect(await dropped).toBeNull();
    expect(line.writes.length).toBe(2);
  });

  it('answers 0A while the port is down', async () => {
    const line = mockLine();
    const link = await start(line);
    line.current()?.close();
    await until(() => link.status().state !== 'up', 2000, 'device down');
    expect(await link.request(1, READ1)).toEqual(hex('83 0a'));
  });

  it('answers a broadcast write with the normal write reply once it is on the bus', async () => {
    const line = mockLine();
    const link = createRtuLink(config(line), captureLogger('warn').log, { open: line.open, turnaroundMs: 1 });
    links.push(link);
    await link.start();
    await until(() => link.status().state === 'up', 2000, 'device up');
    const single = link.request(0, hex('06 0001 0003'));
    expect(await line.nextWrite()).toEqual(hex('00 06 0001 0003 99da'));
    expect(await single).toEqual(hex('06 0001 0003'));
    const multiple = link.request(0, hex('10 0001 0002 04 000a 000b'));
    expect((await line.nextWrite()).subarray(0, 11)).toEqual(hex('00 10 0001 0002 04 000a 000b'));
    expect(await multiple).toEqual(hex('10 0001 0002'));
  });

  it('answers a broadcast read 01 at once and never sends it', async () => {
    const line = mockLine();
    const link = await start(line);
    expect(await link.request(0, READ1)).toEqual(hex('83 01'));
    expect(await link.request(0, hex('2b 0e 01 00'))).toEqual(hex('ab 01'));
    expect(line.writes).toHaveLength(0);
  });

  it('never retries a write: sent once, 0B when it times out; reads are retried', async () => {
    const line = mockLine();
    const link = await start(line, { timeout: 20, retries: 2, lateReplyGuard: 1 });
    const writes = [
      hex('06 0001 0003'),
      hex('05 0001 ff00'),
      hex('10 0001 0001 02 0007'),
      hex('16 0001 00f2 0025'),
      hex('17 0000 0001 0001 0001 02 0007'),
    ];
    for (const [i, write] of writes.entries()) {
      const before = line.writes.length;
      const reply = link.request(1 + i, write); // a unit each: three timeouts put a unit offline
      await line.nextWrite();
      expect(await reply).toEqual(Buffer.from([write[0]! | 0x80, 0x0b]));
      expect(line.writes.length - before).toBe(1);
    }
    const read = link.request(10, READ1);
    for (let i = 0; i < 3; i++) await line.nextWrite();
    expect(await read).toEqual(hex('83 0b'));
  });

  it('does not mark a unit offline for replies that came but did not fit: each answers 0B, the unit is still asked', async () => {
    const line = mockLine();
    const link = await start(line, { timeout: 30, retries: 0 });
    for (let i = 0; i < 4; i++) {
      const r = link.request(9, READ1);
      await line.nextWrite();
      line.reply(i % 2 === 0 ? frame(9, '03 04 0001 0002') : hex('09 03 02 00'));
      expect(await r).toEqual(hex('83 0b'));
    }
    expect(link.status().offlineUnits).toEqual([]);
    const r = link.request(9, READ1);
    await line.nextWrite();
    line.reply(frame(9, '03 02 0005'));
    expect(await r).toEqual(hex('03 02 0005'));
  });

  it('answers 0B, not 0A, when the port closes with the request on the bus (sent, fate unknown)', async () => {
    const line = mockLine();
    const link = await start(line, { timeout: 5000, retries: 0 });
    const r = link.request(1, READ1);
    await line.nextWrite();
    line.current()?.close();
    expect(await r).toEqual(hex('83 0b'));
  });
});

describe('Modbus device link while its device is connecting', () => {
  it('holds requests no longer than their deadline (0B, never sent), and serves them once connected', async () => {
    const sent: Buffer[] = [];
    const master = {
      state: 'connecting' as 'connecting' | 'up' | 'down',
      start: () => undefined,
      stop: async () => undefined,
      capacity: () => (master.state === 'up' ? 1 : 0),
      exchange: async (_unit: number, pdu: Buffer) => {
        sent.push(pdu);
        return { kind: 'reply' as const, pdu: hex('03 02 0001') };
      },
      counters: () => ({ crcErrors: 0, mismatched: 0 }),
    };
    const { ModbusLink } = await import('../../src/devices/modbus/modbus-link.js');
    const link = new ModbusLink(
      {
        name: 'plc',
        type: 'modbus-tcp',
        host: '127.0.0.1',
        ports: [1],
        unit: 1,
        timeout: 20,
        retries: 0,
        queue: 8,
        maxInFlight: 1,
        reconnect: { min: 5, max: 20, jitter: 0 },
      },
      master,
      captureLogger('warn').log,
    );
    links.push(link);
    await link.start();
    fakeClock();
    const held = link.request(1, READ1);
    await vi.advanceTimersByTimeAsync(20);
    expect(await held).toEqual(hex('83 0b'));
    expect(sent).toHaveLength(0);
    const later = link.request(1, READ1);
    master.state = 'up';
    link.onMasterChange('up');
    expect(await later).toEqual(hex('03 02 0001'));
    expect(sent).toHaveLength(1);
  });
});
