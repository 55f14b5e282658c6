/**
 * Read coalescing and the reply cache of a Modbus device link, against a fake master that records
 * every exchange and answers when the test says (one at a time, like a serial bus). The clock
 * (Date) is fake: cache ages are counted on it.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ModbusRtuDeviceConfig } from '../../src/config/types.js';
import type { ExchangeResult, ModbusMaster } from '../../src/devices/modbus/master.js';
import { ModbusLink } from '../../src/devices/modbus/modbus-link.js';
import { ReplyCache, readKey, unitOfKey } from '../../src/devices/modbus/read-sharing.js';
import type { LineState } from '../../src/transport/line.js';
import { captureLogger } from '../helpers/log.js';
import { hex } from '../helpers/hex.js';

interface Sent {
  readonly unit: number;
  readonly pdu: Buffer;
  readonly answer: (result: ExchangeResult) => void;
}

class FakeMaster implements ModbusMaster {
  state: LineState = 'up';
  readonly sent: Sent[] = [];
  /** 1: a serial bus; more: TCP lanes. */
  lanes = 1;
  start(): void {}
  async stop(): Promise<void> {}
  capacity(): number {
    return this.lanes;
  }
  exchange(unit: number, pdu: Buffer): Promise<ExchangeResult> {
    return new Promise((answer) => this.sent.push({ unit, pdu: Buffer.from(pdu), answer }));
  }
  counters() {
    return { crcErrors: 0, mismatched: 0 };
  }
  /** The exchange `i` (0 = first ever), answered with a reply PDU. */
  reply(i: number, pdu: string): void {
    const s = this.sent[i];
    if (!s) throw new Error(`exchange ${i} was never sent (${this.sent.length} sent)`);
    s.answer({ kind: 'reply', pdu: hex(pdu) });
  }
}

const CONFIG: ModbusRtuDeviceConfig = {
  name: 'bus',
  type: 'modbus-rtu',
  path: '/dev/null',
  baudRate: 19200,
  parity: 'none',
  dataBits: 8,
  stopBits: 1,
  timeout: 200,
  retries: 0,
  queue: 32,
  reconnect: { min: 5, max: 20, jitter: 0 },
};

let master: FakeMaster;
let link: ModbusLink;

function startLink(extra: Partial<ModbusRtuDeviceConfig> = {}): void {
  master = new FakeMaster();
  link = new ModbusLink({ ...CONFIG, ...extra }, master, captureLogger('warn').log);
  void link.start();
}

/** Lets the link's promise chains run (the next exchange starts after an answer settles). */
const settle = () => new Promise<void>((r) => setImmediate(r));

const READ = hex('03 0010 000a');
const REPLY = '03 14 0001 0002 0003 0004 0005 0006 0007 0008 0009 000a';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(1_000_000);
  startLink();
});
afterEach(async () => {
  await link.stop();
  vi.useRealTimers();
});

describe('read coalescing', () => {
  it('10 identical reads while one is on the wire: sent once, every asker its own copy', async () => {
    const replies = Array.from({ length: 10 }, (_, i) => link.request(1, READ, { client: i + 1 }));
    expect(master.sent).toHaveLength(1);
    master.reply(0, REPLY);
    const got = await Promise.all(replies);
    for (const r of got) expect(r).toEqual(hex(REPLY));
    expect(new Set(got).size).toBe(10); // not one buffer handed to ten sessions
    got[0]?.fill(0);
    expect(got[1]).toEqual(hex(REPLY));
    expect(link.status()).toMatchObject({ requests: 1, coalesced: 9, cacheHits: 0 });
    await settle();
    expect(master.sent).toHaveLength(1);
  });

  it('joins a read that is still queued', async () => {
    const first = link.request(1, hex('03 0000 0001'), { client: 1 });
    const a = link.request(1, READ, { client: 2 });
    const b = link.request(1, READ, { client: 3 });
    expect(link.status().queue).toBe(1);
    master.reply(0, '03 02 0000');
    await first;
    await settle();
    expect(master.sent).toHaveLength(2);
    master.reply(1, REPLY);
    expect(await a).toEqual(hex(REPLY));
    expect(await b).toEqual(hex(REPLY));
    expect(link.status().coalesced).toBe(1);
  });

  it('shares only identical reads: another unit, address, quantity or function is its own request', async () => {
    const pdus = ['03 0010 000a', '03 0011 000a', '03 0010 0009', '04 0010 000a', '01 0010 000a', '02 0010 000a'];
    const asked = pdus.map((p, i) => link.request(1, hex(p), { client: i + 1 }));
    asked.push(link.request(2, READ, { client: 9 }));
    for (let i = 0; i < asked.length; i++) {
      await settle();
      expect(master.sent).toHaveLength(i + 1);
      master.reply(i, '03 02 0000');
    }
    await Promise.all(asked);
    expect(master.sent.map((s) => `${s.unit} ${s.pdu.toString('hex')}`)).toEqual([
      ...pdus.map((p) => `1 ${p.replaceAll(' ', '')}`),
      '2 030010000a',
    ]);
    expect(link.status().coalesced).toBe(0);
  });

  it('never shares writes or other functions: each is sent', async () => {
    const w = hex('06 0010 0001');
    const writes = [link.request(1, w, { client: 1 }), link.request(1, w, { client: 2 })];
    const ids = [
      link.request(1, hex('2b 0e 01 00'), { client: 3 }),
      link.request(1, hex('2b 0e 01 00'), { client: 4 }),
    ];
    for (let i = 0; i < 4; i++) {
      await settle();
      expect(master.sent).toHaveLength(i + 1);
      master.sent[i]?.answer({ kind: 'reply', pdu: master.sent[i]?.pdu ?? Buffer.alloc(0) });
    }
    await Promise.all([...writes, ...ids]);
    expect(link.status()).toMatchObject({ requests: 4, coalesced: 0 });
  });

  it('a write queued between two identical reads: the later read is not given the earlier reply', async () => {
    const before = link.request(1, READ, { client: 1 }); // on the wire
    const write = link.request(1, hex('06 0010 0007'), { client: 2 });
    const after = link.request(1, READ, { client: 3 });
    expect(master.sent).toHaveLength(1);
    master.reply(0, REPLY);
    expect(await before).toEqual(hex(REPLY));
    await settle();
    expect(master.sent[1]?.pdu).toEqual(hex('06 0010 0007'));
    master.reply(1, '06 0010 0007');
    await write;
    await settle();
    expect(master.sent[2]?.pdu).toEqual(READ); // read again, after the write
    const written = REPLY.replace('0001 0002', '0007 0002');
    master.reply(2, written);
    expect(await after).toEqual(hex(written));
    expect(link.status().coalesced).toBe(0);
  });

  it('a read queued while a write was pending is not joined by an asker that came after the write was answered', async () => {
    const busy = link.request(1, hex('03 0000 0001'), { client: 1 }); // on the wire
    const write = link.request(1, hex('06 0010 0007'), { client: 2 });
    const during = link.request(1, READ, { client: 3 }); // queued after the write
    master.reply(0, '03 02 0000');
    await busy;
    await settle();
    master.reply(1, '06 0010 0007');
    await write;
    // `during` may now be on the wire; in general (TCP lanes) it may have reached the device before
    // the write did, so an asker that saw the write answered does not join it
    const late = link.request(1, READ, { client: 4 });
    await settle();
    master.reply(2, REPLY);
    expect(await during).toEqual(hex(REPLY));
    await settle();
    expect(master.sent).toHaveLength(4);
    master.reply(3, REPLY);
    expect(await late).toEqual(hex(REPLY));
  });

  it('an asker that goes away does not cancel the read for the others', async () => {
    const gone = new AbortController();
    const busy = link.request(1, hex('03 0000 0001'), { client: 1 });
    const leaving = link.request(1, READ, { client: 2, signal: gone.signal });
    const staying = link.request(1, READ, { client: 3 });
    gone.abort();
    master.reply(0, '03 02 0000');
    await busy;
    await settle();
    expect(master.sent[1]?.pdu).toEqual(READ);
    master.reply(1, REPLY);
    expect(await staying).toEqual(hex(REPLY));
    await leaving; // answered too; its session throws the reply away
  });

  it('a read all of whose askers went away is never sent', async () => {
    const a = new AbortController();
    const b = new AbortController();
    const busy = link.request(1, hex('03 0000 0001'), { client: 1 });
    const r1 = link.request(1, READ, { client: 2, signal: a.signal });
    const r2 = link.request(1, READ, { client: 3, signal: b.signal });
    a.abort();
    b.abort();
    master.reply(0, '03 02 0000');
    await busy;
    await settle();
    expect(master.sent).toHaveLength(1);
    expect(await r1).toBeNull();
    expect(await r2).toBeNull();
  });

  it('a timeout or an exception answers every asker the same', async () => {
    const t = [1, 2, 3].map((c) => link.request(1, READ, { client: c }));
    master.sent[0]?.answer({ kind: 'timeout' });
    expect(await Promise.all(t)).toEqual([hex('83 0b'), hex('83 0b'), hex('83 0b')]);
    await settle();
    const e = [1, 2].map((c) => link.request(1, READ, { client: c }));
    master.reply(1, '83 02');
    expect(await Promise.all(e)).toEqual([hex('83 02'), hex('83 02')]);
  });

  it('reads are retried for all askers at once; a write that timed out is sent exactly once', async () => {
    startLink({ retries: 2 });
    const reads = [1, 2].map((c) => link.request(1, READ, { client: c }));
    master.sent[0]?.answer({ kind: 'timeout' });
    await settle();
    master.sent[1]?.answer({ kind: 'timeout' });
    await settle();
    master.reply(2, REPLY);
    expect(await Promise.all(reads)).toEqual([hex(REPLY), hex(REPLY)]);
    const write = link.request(1, hex('10 0010 0001 02 0007'), { client: 1 });
    await settle();
    master.sent[3]?.answer({ kind: 'timeout' });
    expect(await write).toEqual(hex('90 0b'));
    await settle();
    expect(master.sent).toHaveLength(4);
  });
});

describe('reply cache (route cache:)', () => {
  const cached = (client = 1, cacheMs = 250) => link.request(1, READ, { client }, { cacheMs });

  it('answers from a reply no older than the cache age, counted from when the read was sent', async () => {
    const first = cached();
    vi.advanceTimersByTime(100); // the read is on the wire for 100 ms
    master.reply(0, REPLY);
    expect(await first).toEqual(hex(REPLY));
    vi.advanceTimersByTime(150); // 250 ms after it was sent
    expect(await cached(2)).toEqual(hex(REPLY));
    expect(master.sent).toHaveLength(1);
    expect(link.status().cacheHits).toBe(1);
    vi.advanceTimersByTime(1); // 251 ms: too old, though the reply came 151 ms ago
    const again = cached(3);
    expect(master.sent).toHaveLength(2);
    master.reply(1, REPLY);
    expect(await again).toEqual(hex(REPLY));
    expect(link.status()).toMatchObject({ requests: 2, cacheHits: 1 });
  });

  it('a route without cache is never answered from it; a shorter cache sees the entry as too old', async () => {
    const first = cached(1, 1000);
    master.reply(0, REPLY);
    await first;
    vi.advanceTimersByTime(300);
    expect(await cached(2, 1000)).toEqual(hex(REPLY));
    const short = cached(3, 250);
    const none = link.request(1, READ, { client: 4 });
    expect(master.sent).toHaveLength(2); // both share one new read
    master.reply(1, REPLY);
    await Promise.all([short, none]);
    expect(link.status()).toMatchObject({ cacheHits: 1, coalesced: 1 });
  });

  it("a write through the gateway drops the unit's entries before it is sent; other units keep theirs", async () => {
    const a = cached();
    master.reply(0, REPLY);
    await a;
    await settle();
    const other = link.request(2, READ, { client: 1 }, { cacheMs: 250 });
    await settle();
    master.reply(1, REPLY);
    await other;
    await settle();
    const write = link.request(1, hex('06 0010 0007'), { client: 2 });
    const read = cached(3); // the write is on the wire: not answered from before it
    expect(master.sent).toHaveLength(3);
    expect(await link.request(2, READ, { client: 4 }, { cacheMs: 250 })).toEqual(hex(REPLY));
    master.reply(2, '06 0010 0007');
    await write;
    await settle();
    expect(master.sent[3]?.pdu).toEqual(READ);
    master.reply(3, REPLY);
    await read;
    expect(link.status().cacheHits).toBe(1);
  });

  it('a broadcast write drops every unit', async () => {
    const a = cached();
    master.reply(0, REPLY);
    await a;
    await settle();
    const bc = link.request(0, hex('06 0010 0007'), { client: 2 });
    master.sent[1]?.answer({ kind: 'sent' });
    await bc;
    await settle();
    void cached(3);
    expect(master.sent).toHaveLength(3);
    expect(link.status().cacheHits).toBe(0);
  });

  it('a reply to a read that was out when a write was queued is not cached', async () => {
    const read = cached();
    const write = link.request(1, hex('06 0010 0007'), { client: 2 });
    master.reply(0, REPLY);
    await read;
    await settle();
    master.reply(1, '06 0010 0007');
    await write;
    void cached(3);
    await settle();
    expect(master.sent).toHaveLength(3);
    expect(link.status().cacheHits).toBe(0);
  });

  it('two lanes: a read sent while a write was out, answered after it, is not cached', async () => {
    master.lanes = 2;
    const write = link.request(1, hex('06 0010 0007'), { client: 1 });
    const read = cached(2); // on the other lane: it may reach the device before the write
    expect(master.sent).toHaveLength(2);
    master.reply(0, '06 0010 0007');
    await write;
    master.reply(1, REPLY);
    await read;
    await settle();
    void cached(3);
    expect(master.sent).toHaveLength(3);
    expect(link.status().cacheHits).toBe(0);
  });

  it('exceptions and timeouts are not cached', async () => {
    const e = cached();
    master.reply(0, '83 02');
    expect(await e).toEqual(hex('83 02'));
    await settle();
    const t = cached(2);
    master.sent[1]?.answer({ kind: 'timeout' });
    expect(await t).toEqual(hex('83 0b'));
    await settle();
    void cached(3);
    expect(master.sent).toHaveLength(3);
    expect(link.status().cacheHits).toBe(0);
  });
});

describe('ReplyCache bounds', () => {
  const key = (unit: number, address: number) => readKey(unit, hex(`03 ${address.toString(16).padStart(4, '0')} 0001`));

  it('keys are exact and name their unit', () => {
    expect(unitOfKey(key(247, 0xffff) ?? -1)).toBe(247);
    expect(key(1, 1)).not.toBe(key(1, 2));
    expect(readKey(1, hex('03 0000 0001 00'))).toBeUndefined();
    expect(readKey(1, hex('05 0000 ff00'))).toBeUndefined();
  });

  it('keeps at most its entries and bytes, dropping the oldest first', () => {
    const cache = new ReplyCache(3, 1000);
    for (let a = 0; a < 5; a++) cache.put(key(1, a) ?? -1, Buffer.alloc(10), 0, 0, 1000);
    expect(cache.size).toBe(3);
    expect(cache.get(key(1, 1) ?? -1, 1000, 0)).toBeUndefined();
    expect(cache.get(key(1, 4) ?? -1, 1000, 0)).toEqual(Buffer.alloc(10));
    const small = new ReplyCache(100, 600);
    for (let a = 0; a < 5; a++) small.put(key(1, a) ?? -1, Buffer.alloc(253), 0, 0, 1000);
    expect(small.size).toBe(2);
    expect(small.bytes).toBe(506);
  });

  it('drops expired entries first and one unit on request', () => {
    const cache = new ReplyCache(3, 10_000);
    cache.put(key(1, 0) ?? -1, Buffer.alloc(5), 0, 0, 100);
    cache.put(key(2, 0) ?? -1, Buffer.alloc(5), 0, 0, 100);
    cache.put(key(2, 1) ?? -1, Buffer.alloc(5), 500, 500, 100); // the first two are expired
    expect(cache.size).toBe(1);
    cache.put(key(1, 1) ?? -1, Buffer.alloc(5), 500, 500, 100);
    cache.drop(2);
    expect(cache.size).toBe(1);
    expect(cache.bytes).toBe(5);
    cache.drop(undefined);
    expect(cache.size).toBe(0);
  });
});
