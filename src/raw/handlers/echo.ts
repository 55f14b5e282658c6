/** `handler: echo`: each frame back to its sender, as it came (commissioning and link tests). */
import type { RawHandler } from '../handler.js';
import type { RawSession } from '../raw-session.js';

export class EchoHandler implements RawHandler {
  opened(): void {}

  received(session: RawSession, chunks: readonly Buffer[]): void {
    session.send(chunks);
  }

  closed(): void {}
}
