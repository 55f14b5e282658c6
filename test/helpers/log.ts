/** A pino logger whose lines are captured as objects, so tests can assert on log events. */
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';

export interface CapturedLog {
  readonly log: Logger;
  readonly lines: Record<string, unknown>[];
  /** Lines whose msg is `event`. */
  events(event: string): Record<string, unknown>[];
}

export function captureLogger(level: pino.Level = 'debug'): CapturedLog {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n'))
        if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const log = pino({ level }, sink);
  return { log, lines, events: (event) => lines.filter((l) => l['msg'] === event) };
}
