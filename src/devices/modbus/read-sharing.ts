/**
 * What a Modbus device link needs to share reads (README "Read coalescing and caching"): the key of
 * a shareable read, the data epochs of its units, and its bounded reply cache.
 *
 * - A shareable read is FC 1, 2, 3 or 4 with its exact 5-byte PDU; its key is (unit, PDU), one number.
 *   Nothing else is ever shared or cached (writes, diagnostics, device identification, malformed reads).
 * - A unit's epoch moves when anything that is not a shareable read is queued for it and again when
 *   it is answered (a broadcast moves every unit's). A pending read may be joined, and its reply
 *   cached, only while the epoch it was queued in is current: so no asker that arrives after a write
 *   was queued gets data read before that write, and no reply of a read that may have reached the
 *   device before the write lands in the cache.
 * - The cache keeps the newest replies (no exceptions, no timeouts) stamped with when their request
 *   was sent, so an answer from it is never older than the route's `cache` age. Bounded:
 *   CACHE_MAX_ENTRIES entries and CACHE_MAX_BYTES reply bytes per device; the oldest go first.
 */

export type ReadKey = number;

/** 2^40: the key is unit·2^40 + fc·2^32 + address·2^16 + quantity (below 2^48, an exact number). */
const UNIT_SCALE = 2 ** 40;
export const CACHE_MAX_ENTRIES = 1024;
export const CACHE_MAX_BYTES = 256 * 1024;

/** The key of a read that may be shared (FC 1-4, 5-byte PDU), else undefined. */
export function readKey(unit: number, pdu: Buffer): ReadKey | undefined {
  const fc = pdu[0] ?? 0;
  if (fc < 1 || fc > 4 || pdu.length !== 5) return undefined;
  return unit * UNIT_SCALE + fc * 2 ** 32 + pdu.readUInt16BE(1) * 0x10000 + pdu.readUInt16BE(3);
}

export function unitOfKey(key: ReadKey): number {
  return Math.floor(key / UNIT_SCALE);
}

/** A reply that is data, not an exception. */
export function isDataReply(reply: Buffer | null): reply is Buffer {
  return reply !== null && reply.length > 0 && ((reply[0] ?? 0) & 0x80) === 0;
}

/** Per-unit counters that move when the unit's data may be changed through the gateway. */
export class UnitEpochs {
  private all = 0;
  private readonly units = new Map<number, number>();

  of(unit: number): number {
    return this.all + (this.units.get(unit) ?? 0);
  }

  /** `unit` undefined: every unit (a broadcast). */
  bump(unit: number | undefined): void {
    if (unit === undefined) this.all++;
    else this.units.set(unit, (this.units.get(unit) ?? 0) + 1);
  }
}

interface Entry {
  readonly reply: Buffer;
  /** Date.now() when the request that got this reply was sent. */
  readonly at: number;
}

export class ReplyCache {
  /** In insertion order: the first is the oldest. */
  private readonly entries = new Map<ReadKey, Entry>();
  private byteCount = 0;

  constructor(
    private readonly maxEntries = CACHE_MAX_ENTRIES,
    private readonly maxBytes = CACHE_MAX_BYTES,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.byteCount;
  }

  /** A copy of the reply for `key` if it was read at most `maxAgeMs` before `now`. */
  get(key: ReadKey, maxAgeMs: number, now: number): Buffer | undefined {
    const entry = this.entries.get(key);
    if (!entry || now - entry.at > maxAgeMs) return undefined;
    return Buffer.from(entry.reply);
  }

  /** Keeps a copy of `reply`; entries older than `keepMs` before `now`, then the oldest, make room. */
  put(key: ReadKey, reply: Buffer, at: number, now: number, keepMs: number): void {
    if (reply.length > this.maxBytes) return;
    this.remove(key);
    for (const [k, e] of this.entries) {
      const full = this.entries.size >= this.maxEntries || this.byteCount + reply.length > this.maxBytes;
      if (!full && now - e.at <= keepMs) break;
      this.remove(k);
    }
    this.entries.set(key, { reply: Buffer.from(reply), at });
    this.byteCount += reply.length;
  }

  /** Drops every entry of `unit` (undefined: all). */
  drop(unit: number | undefined): void {
    if (this.entries.size === 0) return;
    if (unit === undefined) {
      this.entries.clear();
      this.byteCount = 0;
      return;
    }
    for (const key of [...this.entries.keys()]) if (unitOfKey(key) === unit) this.remove(key);
  }

  private remove(key: ReadKey): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.byteCount -= entry.reply.length;
  }
}
