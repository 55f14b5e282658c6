/**
 * A handler whose module is loaded when its server starts: decoding pulls in the profile codec and
 * the compiled stores, which a gateway without decoding servers never loads (memory on a small board).
 */
import type { DecodeCounters } from '../../bank/frame-decoder.js';
import type { RawHandler } from '../handler.js';
import type { RawSession } from '../raw-session.js';

export class DeferredHandler implements RawHandler {
  private inner: RawHandler | undefined;

  constructor(private readonly load: () => Promise<RawHandler>) {}

  get oneByOne(): boolean | undefined {
    return this.inner?.oneByOne;
  }

  async start(): Promise<void> {
    this.inner = await this.load();
    await this.inner.start?.();
  }

  async stop(): Promise<void> {
    await this.inner?.stop?.();
  }

  opened(session: RawSession): void {
    this.inner?.opened(session);
  }

  received(session: RawSession, chunks: readonly Buffer[], frames: number, ends: readonly number[]): void {
    this.inner?.received(session, chunks, frames, ends);
  }

  closed(session: RawSession): void {
    this.inner?.closed(session);
  }

  decoded(): DecodeCounters {
    return this.inner?.decoded?.() ?? { stored: 0, refused: 0 };
  }
}
