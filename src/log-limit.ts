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
 *
 * A persistent condition (a device down, a unit offline, a client refused again and again) uses the
 * same lines over a longer window: logged when it starts, summed up at most once a minute while it
 * lasts (`<message> (repeated)`: count, last reason), and logged when it ends. `Condition` is the one
 * whose end the caller knows (the device is back); a `LogLimit` with `endMessage` ends a window's
 * condition when a window passes quiet (a refused client stopped trying), logging the end only when
 * the window had been summed up (a single refusal is one line, as before).
 */
import type { Logger } from './log.js';

export const LOG_WINDOW_MS = 10_000;
/** The summary period of a persistent condition: at most one summary line a minute while it lasts. */
export const CONDITION_WINDOW_MS = 60_000;
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
  /**
   * Logged (at info) when a window closes after having been summed up: the condition is over
   * (`count`: occurrences in all, `forSeconds`: since the first). Without it, windows just close.
   */
  readonly endMessage?: string;
}

interface Window {
  readonly message: string;
  readonly source: string | undefined;
  timer: NodeJS.Timeout | undefined;
  suppressed: number;
  lastReason: unknown;
  /** Occurrences since the window opened, and when (for the end line). */
  total: number;
  readonly since: number;
  summed: boolean;
}

export class LogLimit {
  /** Open windows only: a window that closes with nothing counted is deleted. */
  private readonly windows = new Map<string, Window>();
  private readonly windowMs: number;
  private readonly reasonField: string;
  private readonly sourceField: string;
  private readonly maxSources: number;
  private readonly endMessage: string | undefined;
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
    this.endMessage = o.endMessage;
  }

  /**
   * One occurrence of `message`, described by `fields` (its reason field, if any, is kept for the
   * summary); `bytes` (the first 16 are logged, in hex) are looked at only when logged; `source`
   * (e.g. the peer's address) gives it a window of its own.
   */
  hit(message: string, fields: Readonly<Record<string, unknown>>, bytes?: Uint8Array, source?: string): void {
    let key = source === undefined ? message : `${message}\n${source}`;
    let w = this.windows.get(key);
    if (w !== undefined) return this.count(w, fields);
    let logged = fields;
    if (source !== undefined && source !== OTHER_SOURCES && this.sources >= this.maxSources) {
      source = OTHER_SOURCES;
      key = `${message}\n${source}`;
      w = this.windows.get(key);
      if (w !== undefined) return this.count(w, fields);
      logged = { ...fields, [this.sourceField]: OTHER_SOURCES };
    }
    const hex =
      bytes === undefined
        ? undefined
        : Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(16, bytes.length)).toString('hex');
    this.log.warn(hex === undefined ? logged : { ...logged, bytes: hex }, message);
    w = {
      message,
      source,
      timer: undefined,
      suppressed: 0,
      lastReason: undefined,
      total: 1,
      since: Date.now(),
      summed: false,
    };
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

  private count(w: Window, fields: Readonly<Record<string, unknown>>): void {
    w.suppressed++;
    w.total++;
    w.lastReason = fields[this.reasonField];
  }

  private arm(key: string, w: Window): void {
    w.timer = setTimeout(() => {
      w.timer = undefined;
      if (this.flush(w)) return this.arm(key, w);
      this.windows.delete(key);
      if (this.endMessage !== undefined && w.summed) {
        const from = w.source === undefined ? {} : { [this.sourceField]: w.source };
        this.log.info({ ...from, count: w.total, forSeconds: elapsedSeconds(w.since) }, this.endMessage);
      }
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
    w.summed = true;
    return true;
  }
}

function elapsedSeconds(since: number): number {
  return Math.round((Date.now() - since) / 1000);
}

export interface ConditionOptions {
  /** Fields every line of the condition carries (who: `target`, `unit`). */
  readonly context?: Readonly<Record<string, unknown>>;
  /** The field of a hit's fields whose last value a summary repeats as `lastReason`; default `reason`. */
  readonly reasonField?: string;
  /** The line (at info) logged when the condition ends; default `<message> ended`. */
  readonly endMessage?: string;
  /** The summary period; default one minute. */
  readonly windowMs?: number;
}

/**
 * A persistent condition whose start and end the caller knows: `hit` while it holds (the first hit
 * starts it: one warn line with the hit's fields), `end` when it is over (one info line: `count`
 * occurrences in all, `forSeconds` since it started, and the caller's fields). While it lasts, a summary
 * at most once a window (`<message> (repeated)` at warn: the count since the last line, the last
 * reason, `forSeconds` since it started), and only when something was counted. A hit costs a count.
 */
export class Condition {
  private since = 0;
  private total = 0;
  private suppressed = 0;
  private lastReason: unknown;
  private timer: NodeJS.Timeout | undefined;
  private readonly context: Readonly<Record<string, unknown>>;
  private readonly reasonField: string;
  private readonly endMessage: string;
  private readonly windowMs: number;

  constructor(
    private readonly log: Logger,
    readonly message: string,
    options: ConditionOptions = {},
  ) {
    this.context = options.context ?? {};
    this.reasonField = options.reasonField ?? 'reason';
    this.endMessage = options.endMessage ?? `${message} ended`;
    this.windowMs = options.windowMs ?? CONDITION_WINDOW_MS;
  }

  get active(): boolean {
    return this.total > 0;
  }

  /** One occurrence; true when it started the condition (and was logged). */
  hit(fields: Readonly<Record<string, unknown>> = {}): boolean {
    this.total++;
    if (this.total > 1) {
      this.suppressed++;
      this.lastReason = fields[this.reasonField];
      return false;
    }
    this.since = Date.now();
    this.log.warn({ ...this.context, ...fields }, this.message);
    this.arm();
    return true;
  }

  /** The condition is over: logs the end line (when it was on) with `fields`; true when it was on. */
  end(fields: Readonly<Record<string, unknown>> = {}): boolean {
    if (this.total === 0) return false;
    this.log.info(
      { ...this.context, ...fields, count: this.total, forSeconds: elapsedSeconds(this.since) },
      this.endMessage,
    );
    this.reset();
    return true;
  }

  /** Forgets the condition (the link stops), summing up what is still counted. */
  stop(): void {
    if (this.total > 0) this.summary();
    this.reset();
  }

  private reset(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.total = 0;
    this.suppressed = 0;
    this.lastReason = undefined;
  }

  private arm(): void {
    this.timer = setTimeout(() => {
      this.summary();
      this.arm();
    }, this.windowMs);
    this.timer.unref();
  }

  private summary(): void {
    if (this.suppressed === 0) return;
    const last = this.lastReason === undefined ? {} : { lastReason: this.lastReason };
    this.log.warn(
      { ...this.context, count: this.suppressed, ...last, forSeconds: elapsedSeconds(this.since) },
      `${this.message} (repeated)`,
    );
    this.suppressed = 0;
  }
}
