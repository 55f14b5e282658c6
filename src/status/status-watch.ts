/**
 * `fieldgate status --watch [SECONDS]`: the report redrawn in place (clear screen + redraw) every
 * SECONDS (default 2) until Ctrl-C. One request at a time: the next is asked for only after the last
 * answered (or failed) and the interval passed, so a slow daemon never piles requests up. A failed
 * read is shown in place of the report and the watch goes on.
 */
import { FieldgateError } from '../errors.js';

/** ANSI: cursor home, clear the screen. */
export const CLEAR = '\x1b[H\x1b[2J';
export const DEFAULT_WATCH_SECONDS = 2;

export interface WatchDeps {
  /** Reads the document and renders it (a thrown FieldgateError is shown, anything else ends the watch). */
  frame(): Promise<string>;
  write(text: string): void;
  /** Resolves after `ms` (a fake in tests). */
  sleep(ms: number): Promise<void>;
  readonly intervalMs: number;
  /** Stop after this many frames (tests); default: until the process is stopped. */
  readonly count?: number;
  /** Set by Ctrl-C handling: no frame starts after it. */
  readonly stopped?: () => boolean;
}

export async function watchStatus(d: WatchDeps): Promise<number> {
  let frames = 0;
  for (;;) {
    if (d.stopped?.()) return frames;
    let text: string;
    try {
      text = await d.frame();
    } catch (err) {
      if (!(err instanceof FieldgateError)) throw err;
      text = `fieldgate: ${err.message}\n`;
    }
    d.write(`${CLEAR}${text}`);
    frames++;
    if (d.count !== undefined && frames >= d.count) return frames;
    await d.sleep(d.intervalMs);
  }
}

/** "--watch 5" -> 5000 ms; a value that is not a positive number of seconds is a usage error. */
export function watchIntervalMs(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_WATCH_SECONDS * 1000;
  const s = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !(s >= 0.1) || s > 86_400)
    throw new FieldgateError('FG_ERR_USAGE', `--watch takes seconds between 0.1 and 86400, not "${raw}"`);
  return Math.round(s * 1000);
}
