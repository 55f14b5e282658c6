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

export class DecodeHandler implements RawHandler {
  private readonly decoder: FrameDecoder | undefined;
  private reported = false;

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

  received(session: RawSession, chunks: readonly Buffer[], frames: number): void {
    const bank = this.bankOf(session);
    if (bank === undefined || this.decoder === undefined) {
      if (this.decoder) this.decoder.counters.refused += frames;
      return;
    }
    this.decoder.decode(bank, chunks, frames);
    // Decoding costs CPU per byte: a board streaming flat out would otherwise keep the event loop
    // reading its socket (libuv reads a ready socket many times in a row) while SCADA's requests
    // wait. After each read the session pauses until the loop has served the others.
    session.hold('turn');
    setImmediate(() => session.release('turn'));
  }

  closed(): void {}

  private bankOf(session: RawSession): string | undefined {
    return this.options.bank ?? session.pool?.bank;
  }
}
