/**
 * A rate-limited log line for something that may happen thousands of times a second (a bad frame
 * from a peer, a command whose device is down, a refused connection): the first occurrence of a
 * message is logged at once with its details; after that at most one summary line per window
 * (10 s) says how many more there were and the last reason. When a window passes with none, the
 * window is forgotten and the next one is logged at once again. Each message has its own window, so
 * one failure never hides another kind; with a `source` (a peer's address), each message and source
 * has its own window. Sources are capped (`maxSources`): past the cap, new sources share one
 * `others` window, so the lines logged per window are bounded however many sources there are.
 * Counting is all a repeat costs; `stop` logs what is still counted.
 */
import type { Logger } from './log.js';

export const LOG_WINDOW_MS = 10_000;
/** Sources with a window of their own, at most (the rest share the `others` window). */
export const LOG_MAX_SOURCES = 256;
/** The source a summary names for sources past the cap. */
export const OTHER_SOURCES = 'others';

export interface LogLimitOptions {
  readonly windowMs?: number;
  /** The field of `fields` whose last value a summary repeats as `lastReason`; default `reason`. */
  readonly reasonField?: string;
  /** The field that names the source in a summary (and in the first line of the `others`); default `source`. */
  readonly sourceField?: string;
  readonly maxSources?: number;
}

interface Window {
  readonly message: string;
  readonly source: string | undefined;
  timer: NodeJS.Timeout | undefined;
  suppressed: number;
  lastReason: unknown;
}

export class LogLimit {
  /** Open windows only: a window that closes with nothing counted is deleted. */
  private readonly windows = new Map<string, Window>();
  private readonly windowMs: number;
  private readonly reasonField: string;
  private readonly sourceField: string;
  private readonly maxSources: number;
  /** Open windows that belong to one source (not `others`). */
  private sources = 0;

  constructor(
    private readonly log: Logger,
    options: number | LogLimitOptions = {},
  ) {
    const o = typeof options === 'number' ? { windowMs: options } : options;
    this.windowMs = o.windowMs ?? LOG_WINDOW_MS;
    this.reasonField = o.reasonField ?? 'reason';
    this.sourceField = o.sourceField ?? 'source';
    this.maxSources = o.maxSources ?? LOG_MAX_SOURCES;
  }

  /**
   * One occurrence of `message`, described by `fields` (its reason field, if any, is kept for the
   * summary); `bytes` (the first 16 are logged, in hex) are looked at only when logged; `source`
   * (e.g. the peer's address) gives it a window of its own.
   */
  hit(message: string, fields: Readonly<Record<string, unknown>>, bytes?: Uint8Array, source?: string): void {
    let key = source === undefined ? message : `${message}\n${source}`;
    let w = this.windows.get(key);
    if (w !== undefined) {
      w.suppressed++;
      w.lastReason = fields[this.reasonField];
      return;
    }
    let logged = fields;
    if (source !== undefined && source !== OTHER_SOURCES && this.sources >= this.maxSources) {
      source = OTHER_SOURCES;
      key = `${message}\n${source}`;
      w = this.windows.get(key);
      if (w !== undefined) {
        w.suppressed++;
        w.lastReason = fields[this.reasonField];
        return;
      }
      logged = { ...fields, [this.sourceField]: OTHER_SOURCES };
    }
    const hex =
      bytes === undefined
        ? undefined
        : Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(16, bytes.length)).toString('hex');
    this.log.warn(hex === undefined ? logged : { ...logged, bytes: hex }, message);
    w = { message, source, timer: undefined, suppressed: 0, lastReason: undefined };
    this.windows.set(key, w);
    if (source !== undefined && source !== OTHER_SOURCES) this.sources++;
    this.arm(key, w);
  }

  /** Logs what is still counted, and forgets the windows (a server or a command stops). */
  stop(): void {
    for (const w of this.windows.values()) {
      clearTimeout(w.timer);
      this.flush(w);
    }
    this.windows.clear();
    this.sources = 0;
  }

  private arm(key: string, w: Window): void {
    w.timer = setTimeout(() => {
      w.timer = undefined;
      if (this.flush(w)) return this.arm(key, w);
      this.windows.delete(key);
      if (w.source !== undefined && w.source !== OTHER_SOURCES) this.sources--;
    }, this.windowMs);
    w.timer.unref();
  }

  /** True when a summary was logged. */
  private flush(w: Window): boolean {
    if (w.suppressed === 0) return false;
    const from = w.source === undefined ? {} : { [this.sourceField]: w.source };
    const last = w.lastReason === undefined ? {} : { lastReason: w.lastReason };
    this.log.warn({ ...from, count: w.suppressed, ...last, seconds: this.windowMs / 1000 }, `${w.message} (repeated)`);
    w.suppressed = 0;
    return true;
  }
}
