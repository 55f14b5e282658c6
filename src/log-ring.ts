/**
 * The last warnings: a bounded ring of the most recent warn, error and fatal log lines, fed by the
 * root logger's `logMethod` hook (log.ts) and shown in the status document (`warnings`) and the web
 * console. Lines below warn never reach it (the hook returns at once for them). Everything is bounded:
 * `capacity` entries, `MAX_FIELDS` fields per entry, every string cut to `MAX_TEXT` characters; only
 * scalar fields are kept (an error becomes its message), so an entry never holds a live object.
 */
import { format } from 'node:util';

/** Entries kept (the oldest is dropped past it). */
export const RING_CAPACITY = 50;
/** Characters kept of the message and of each string field. */
export const MAX_TEXT = 200;
/** Fields kept per entry besides time, level and msg (bindings first: server, device, session, ...). */
export const MAX_FIELDS = 12;

export type WarningLevel = 'warn' | 'error' | 'fatal';

export interface WarningEntry {
  /** ISO time the line was logged. */
  readonly time: string;
  readonly level: WarningLevel;
  readonly msg: string;
  /** Scalar fields of the line and of its logger's bindings (server, device, session, err, ...). */
  readonly [field: string]: string | number | boolean | null;
}

/** pino's numeric levels: warn 40, error 50, fatal 60. */
export const WARN_LEVEL = 40;

function levelName(level: number): WarningLevel {
  return level >= 60 ? 'fatal' : level >= 50 ? 'error' : 'warn';
}

function cut(s: string): string {
  return s.length > MAX_TEXT ? `${s.slice(0, MAX_TEXT - 1)}…` : s;
}

/** A scalar kept as is (strings cut), an Error as its message; anything else is left out (undefined). */
function scalar(v: unknown): string | number | boolean | null | undefined {
  switch (typeof v) {
    case 'string':
      return cut(v);
    case 'number':
    case 'boolean':
      return v;
    case 'bigint':
      return cut(v.toString());
    case 'object':
      if (v === null) return null;
      if (v instanceof Error) return cut(v.message);
      return undefined;
    default:
      return undefined;
  }
}

const RESERVED = new Set(['time', 'level', 'msg', 'gateway', 'pid', 'hostname']);

export class LogRing {
  private readonly entries: (WarningEntry | undefined)[];
  /** Where the next entry goes. */
  private next = 0;
  private count = 0;

  constructor(readonly capacity = RING_CAPACITY) {
    this.entries = new Array<WarningEntry | undefined>(capacity).fill(undefined);
  }

  get size(): number {
    return this.count;
  }

  /**
   * One log call at `level` (pino's number): `args` as given to the log method ([obj, msg, ...] or
   * [msg, ...]), `bindings` those of the logger that logged it. Below warn: nothing.
   */
  record(level: number, args: readonly unknown[], bindings: Readonly<Record<string, unknown>> = {}): void {
    if (level < WARN_LEVEL) return;
    const [first, ...rest] = args;
    let obj: Readonly<Record<string, unknown>> | undefined;
    let parts: unknown[];
    if (first instanceof Error) {
      obj = { err: first };
      parts = rest.length > 0 ? rest : [first.message];
    } else if (typeof first === 'object' && first !== null) {
      obj = first as Record<string, unknown>;
      parts = rest;
    } else {
      parts = args.slice();
    }
    const [m, ...formatArgs] = parts;
    const msg = m === undefined ? '' : typeof m === 'string' && formatArgs.length === 0 ? m : format(m, ...formatArgs);
    const entry: Record<string, string | number | boolean | null> = {
      time: new Date().toISOString(),
      level: levelName(level),
      msg: cut(msg),
    };
    let fields = 0;
    const add = (source: Readonly<Record<string, unknown>>) => {
      for (const key in source) {
        if (fields >= MAX_FIELDS) return;
        if (RESERVED.has(key) || !Object.hasOwn(source, key)) continue;
        const v = scalar(source[key]);
        if (v === undefined) continue;
        if (!Object.hasOwn(entry, key)) fields++;
        entry[key] = v;
      }
    };
    add(bindings);
    if (obj) add(obj);
    this.entries[this.next] = entry as WarningEntry;
    this.next = (this.next + 1) % this.capacity;
    this.count = Math.min(this.count + 1, this.capacity);
  }

  /** The entries, oldest first (newest last); a copy. */
  list(): WarningEntry[] {
    const out: WarningEntry[] = [];
    const start = (this.next - this.count + this.capacity) % this.capacity;
    for (let i = 0; i < this.count; i++) {
      const e = this.entries[(start + i) % this.capacity];
      if (e) out.push(e);
    }
    return out;
  }

  clear(): void {
    this.entries.fill(undefined);
    this.next = 0;
    this.count = 0;
  }
}

/**
 * The process's ring: what the daemon's root logger (createRootLogger) feeds and the status document
 * shows. A daemon has one root logger; tests that build several gateways in one process see them all.
 */
export const recentWarnings = new LogRing();
