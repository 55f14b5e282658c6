/**
 * What a raw server does with the frames its sessions receive (DESIGN §3: raw/ handlers). A handler
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
   * `oneByOne`). List and buffers are valid only during the call (views of a reused read buffer,
   * transport/read-buffer.ts): copy what must outlive it; `RawSession.send` and device writes keep
   * what they queue by themselves.
   */
  received(session: RawSession, chunks: readonly Buffer[], frames: number): void;
  closed(session: RawSession): void;
  /** Decoding handlers: frames stored and refused since the server started. */
  decoded?(): DecodeCounters;
}
