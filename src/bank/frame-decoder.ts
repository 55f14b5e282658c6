/**
 * Whole frames decoded with a profile into a bank found by name, each stored in place. Two ways in:
 * `decodeAt`, frames whose boundaries the session's framer already found (raw servers: the decode
 * handler); `decode`, runs of adjacent frames (device links), cut again into single frames by a framer
 * of the same framing (they hold only whole frames, so nothing is copied or held). The compiled store
 * follows its bank: a bank rebuilt or re-pointed by a reload is compiled again on the next frames.
 * Refused frames are counted and logged rate-limited.
 */
import { createFramer, type Framer } from '../codec/framers/index.js';
import type { Framing, ProfileConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import { LogLimit } from '../log-limit.js';
import type { Bank } from './bank.js';
import { compileStore, type ProfileStore } from './profile-store.js';

export interface DecodeCounters {
  /** Frames stored whole. */
  stored: number;
  /** Frames refused (checksum, sync, length, a value that does not fit, no bank). */
  refused: number;
}

export class FrameDecoder {
  readonly counters: DecodeCounters = { stored: 0, refused: 0 };
  private readonly framer: Framer;
  private readonly limit: LogLimit;
  private readonly stores = new Map<string, ProfileStore>();
  private store: ProfileStore | undefined;
  private missing = '';
  private now = 0;

  constructor(
    readonly profile: ProfileConfig,
    framing: Framing,
    private readonly banks: ReadonlyMap<string, Bank>,
    log: Logger,
  ) {
    this.framer = createFramer(framing);
    this.limit = new LogLimit(log);
  }

  /** Stores `chunks` (runs of whole frames) into bank `bankName`. */
  decode(bankName: string, chunks: readonly Buffer[], frames: number): void {
    if (!this.ready(bankName, frames, chunks[0])) return;
    for (const chunk of chunks) {
      const error = this.framer.feed(chunk, this.sink);
      if (error) this.refuse(`framing: ${error.reason}`, chunk, 0, chunk.length);
    }
  }

  /**
   * Stores the `frames` frames of `buf` that end at `ends[0]`, `ends[1]`, ... (the first starts at
   * 0; boundaries found by a framer of the same framing, FrameBatch.ends) into bank `bankName`.
   */
  decodeAt(bankName: string, buf: Buffer, ends: ArrayLike<number>, frames: number): void {
    if (!this.ready(bankName, frames, buf.subarray(0, ends[0] ?? 0))) return;
    let start = 0;
    for (let i = 0; i < frames; i++) {
      const end = ends[i] as number;
      this.sink(buf, start, end);
      start = end;
    }
  }

  stop(): void {
    this.limit.stop();
  }

  /** Finds the bank's store and the time of these frames; false: no such bank, the frames are refused. */
  private ready(bankName: string, frames: number, first: Buffer | undefined): boolean {
    this.store = this.storeFor(bankName);
    if (this.store === undefined) {
      this.counters.refused += frames;
      this.missing = `bank ${bankName} does not exist`;
      this.limit.hit('frame refused', { reason: this.missing }, first);
      return false;
    }
    this.now = Date.now();
    return true;
  }

  private readonly sink = (buf: Buffer, start: number, end: number): void => {
    const reason = (this.store as ProfileStore).storeRange(buf, start, end, this.now);
    if (reason === undefined) this.counters.stored++;
    else this.refuse(reason, buf, start, end);
  };

  private refuse(reason: string, buf: Buffer, start: number, end: number): void {
    this.counters.refused++;
    this.limit.hit('frame refused', { reason }, buf.subarray(start, Math.min(end, start + 16)));
  }

  private storeFor(bankName: string): ProfileStore | undefined {
    const bank = this.banks.get(bankName);
    if (bank === undefined) return undefined;
    const known = this.stores.get(bankName);
    if (known !== undefined && known.bank === bank && !known.stale) return known;
    const store = compileStore(this.profile, bank);
    this.stores.set(bankName, store);
    return store;
  }
}
