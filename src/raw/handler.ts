/**
 * What a raw server does with the frames its sessions receive (README, "Handlers"). A handler
 * is built once per server and sees every session of it.
 */
import type { DecodeCounters } from '../bank/frame-decoder.js';
import type { RawSession } from './raw-session.js';

export interface RawHandler {
  /** Wants one buffer per frame (record), not runs of adjacent frames as one buffer. */
  readonly oneByOne?: boolean;
  /** Before the server listens (record: creates its directory; bridge: finds its device). */
  start?(): Promise<void>;
  /** After every session of the server is closed. */
  stop?(): Promise<void>;
  opened(session: RawSession): void;
  /**
   * Whole frames `session` received, in order: `chunks` holds `frames` frames (as runs, unless
   * `oneByOne`); the first `frames` entries of `ends` say where each frame ends, in bytes from the
   * start of chunks[0] with the chunks laid end to end (the session's framer found them: a handler
   * that works frame by frame need not frame again). Lists and buffers are valid only during the
   * call (views of a reused read buffer, transport/read-buffer.ts): copy what must outlive it;
   * `RawSession.send` and device writes keep what they queue by themselves.
   */
  received(session: RawSession, chunks: readonly Buffer[], frames: number, ends: readonly number[]): void;
  closed(session: RawSession): void;
  /** Decoding handlers: frames stored and refused since the server started. */
  decoded?(): DecodeCounters;
}
