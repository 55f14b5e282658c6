/**
 * `handler: { decode: PROFILE, bank: B }`: every frame a session receives is decoded with the
 * profile into bank B, or, on a port pool without a handler bank, into the bank of the port the
 * session holds (several boards of one kind, a bank each). Nothing is sent back. Refused frames
 * (bad checksum, wrong sync or length) are counted and logged rate-limited, never stored.
 */
import type { Bank } from '../../bank/bank.js';
import { FrameDecoder, type DecodeCounters } from '../../bank/frame-decoder.js';
import type { Framing, ProfileConfig } from '../../config/types.js';
import type { Logger } from '../../log.js';
import type { RawHandler } from '../handler.js';
import type { RawSession } from '../raw-session.js';

export interface DecodeHandlerOptions {
  readonly profileName: string;
  readonly profile: ProfileConfig | undefined;
  /** The handler's bank; undefined: each pool port's. */
  readonly bank?: string;
  /** The server's framing (sessions' frames are cut with it). */
  readonly framing: Framing;
  readonly banks: ReadonlyMap<string, Bank>;
  readonly log: Logger;
}

/** A session's scratch buffer: one read (Node reads at most 64 KiB at a time). */
const SCRATCH_SIZE = 64 * 1024;

export class DecodeHandler implements RawHandler {
  private readonly decoder: FrameDecoder | undefined;
  private reported = false;
  /** Per session: the buffer its last read is copied into, and the decode waiting for the next turn. */
  private readonly scratch = new Map<RawSession, Buffer>();
  private readonly pending = new Map<RawSession, () => void>();

  constructor(private readonly options: DecodeHandlerOptions) {
    const { profile, framing, banks, log } = options;
    this.decoder = profile ? new FrameDecoder(profile, framing, banks, log) : undefined;
  }

  /** Frames stored and refused since the server started. */
  get counters(): DecodeCounters {
    return this.decoder?.counters ?? { stored: 0, refused: 0 };
  }

  decoded(): DecodeCounters {
    return this.counters;
  }

  start(): Promise<void> {
    if (!this.decoder) return Promise.reject(new Error(`profile ${this.options.profileName} is not loaded`));
    return Promise.resolve();
  }

  stop(): Promise<void> {
    for (const run of [...this.pending.values()]) run(); // what was received is stored, not lost
    this.decoder?.stop();
    const { stored, refused } = this.counters;
    this.options.log.info({ profile: this.options.profileName, stored, refused }, 'decoded frames');
    return Promise.resolve();
  }

  opened(session: RawSession): void {
    if (this.bankOf(session) !== undefined || this.reported) return;
    this.reported = true;
    this.options.log.warn({ port: session.pool?.port }, 'decode: this port names no bank: its frames are refused');
  }

  received(session: RawSession, chunks: readonly Buffer[], frames: number, ends: readonly number[]): void {
    const bank = this.bankOf(session);
    const decoder = this.decoder;
    if (bank === undefined || decoder === undefined) {
      if (decoder) decoder.counters.refused += frames;
      return;
    }
    // Decoding costs CPU per byte: a board streaming flat out would otherwise keep the event loop
    // busy with its socket while SCADA's requests wait. So each read is decoded on the next turn of
    // the loop, with the session paused until then: the requests that came in meanwhile are served
    // first. The frames are views of the session's read buffer, valid only now: they are copied end
    // to end into a buffer of the session's own (one read's worth, reused), where `ends` (the
    // session's framer's boundaries) still say where each frame is: nothing is framed twice.
    this.pending.get(session)?.(); // never more than one read waits; keep the order regardless
    const copy = this.copy(session, chunks);
    const at = ends.slice(0, frames);
    session.hold('turn');
    const run = () => {
      clearImmediate(immediate);
      this.pending.delete(session);
      decoder.decodeAt(bank, copy, at, frames);
      session.release('turn');
    };
    const immediate = setImmediate(run);
    this.pending.set(session, run);
  }

  closed(session: RawSession): void {
    this.scratch.delete(session); // a decode still waiting keeps its copy
  }

  /** `chunks` laid end to end in `session`'s scratch buffer. */
  private copy(session: RawSession, chunks: readonly Buffer[]): Buffer {
    let total = 0;
    for (const c of chunks) total += c.length;
    let scratch = this.scratch.get(session);
    if (scratch === undefined || scratch.length < total) {
      scratch = Buffer.allocUnsafeSlow(Math.max(total, SCRATCH_SIZE));
      this.scratch.set(session, scratch);
    }
    let at = 0;
    for (const c of chunks) at += c.copy(scratch, at);
    return scratch;
  }

  private bankOf(session: RawSession): string | undefined {
    return this.options.bank ?? session.pool?.bank;
  }
}
