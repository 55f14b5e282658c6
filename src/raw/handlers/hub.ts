/**
 * `handler: hub`: each frame from one session goes to every other session of the server (a
 * control-room console). Frames are written whole, so two senders never interleave inside a frame.
 * A session that does not read is closed by its own send queue bound; the others never wait for it.
 */
import type { RawHandler } from '../handler.js';
import type { RawSession } from '../raw-session.js';

export class HubHandler implements RawHandler {
  private readonly sessions = new Set<RawSession>();

  opened(session: RawSession): void {
    this.sessions.add(session);
  }

  received(from: RawSession, chunks: readonly Buffer[]): void {
    for (const session of this.sessions) if (session !== from) session.send(chunks);
  }

  closed(session: RawSession): void {
    this.sessions.delete(session);
  }
}
