/**
 * Where the root logger's lines go, chosen once at start (log.ts): under systemd (`JOURNAL_STREAM`
 * set: stdout is the journal) each JSON line starts with its syslog priority `<N>` (fatal 2, error 3,
 * warn 4, info 6, debug and trace 7), which journald takes as the line's priority and strips, so
 * `journalctl -p warning` shows only problems; on a terminal, readable lines
 * (`12:04:05 WARN device down device=plc target=/dev/ttyUSB0 error="..."`); otherwise the JSON lines
 * as they are. The prefix costs a table look-up per line (pino hands the level over as metadata);
 * only the terminal form parses the line again, and only a terminal gets it.
 */
import { pino, type DestinationStream } from 'pino';

/** Syslog priority of a pino level: fatal → 2 (crit), error → 3, warn → 4 (warning), info → 6, debug and trace → 7. */
export function syslogPriority(level: number): number {
  return level >= 60 ? 2 : level >= 50 ? 3 : level >= 40 ? 4 : level >= 30 ? 6 : 7;
}

const PREFIX = ['<0>', '<1>', '<2>', '<3>', '<4>', '<5>', '<6>', '<7>'];

/** A line-at-a-time writer (a SonicBoom, a test's sink). */
export interface LineSink {
  write(line: string): unknown;
}

/**
 * A destination that writes `<N>` and the line: pino sets `lastLevel` on a destination that asks
 * for metadata, before each write.
 */
export class JournalDestination implements DestinationStream {
  readonly [pino.symbols.needsMetadataGsym] = true as const;
  lastLevel = 30;

  constructor(private readonly sink: LineSink) {}

  write(line: string): void {
    this.sink.write(PREFIX[syslogPriority(this.lastLevel)] + line);
  }
}

/** Fields a readable line leaves out: the line's own, and the gateway's name (the same on every line). */
const SKIPPED = new Set(['time', 'level', 'msg', 'gateway', 'pid', 'hostname']);

function readableValue(v: unknown): string {
  if (typeof v === 'string') return /^[^\s"=]+$/.test(v) ? v : JSON.stringify(v);
  if (typeof v === 'object' && v !== null) {
    // an error (pino's err serializer): its message, not its stack
    const message = (v as { message?: unknown }).message;
    if (typeof message === 'string') return JSON.stringify(message);
    return JSON.stringify(v);
  }
  return String(v);
}

function twoDigits(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** One JSON line as a readable one: local time, level, message, key=value fields. */
export function readableLine(json: string): string {
  let line: Record<string, unknown>;
  try {
    line = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time = typeof line['time'] === 'string' ? new Date(line['time']) : new Date();
  const hms = `${twoDigits(time.getHours())}:${twoDigits(time.getMinutes())}:${twoDigits(time.getSeconds())}`;
  const level = typeof line['level'] === 'string' ? line['level'].toUpperCase() : 'INFO';
  let out = `${hms} ${level} ${typeof line['msg'] === 'string' ? line['msg'] : ''}`;
  for (const key in line) {
    if (SKIPPED.has(key) || line[key] === undefined) continue;
    out += ` ${key}=${readableValue(line[key])}`;
  }
  return `${out}\n`;
}

/** A destination that writes readable lines (a terminal). */
export class ReadableDestination implements DestinationStream {
  constructor(private readonly sink: LineSink) {}

  write(line: string): void {
    this.sink.write(readableLine(line));
  }
}

/** The daemon's destination for this environment and stdout (see the file's comment). */
export function stdoutDestination(
  env: NodeJS.ProcessEnv = process.env,
  isTTY: boolean = process.stdout.isTTY === true,
): DestinationStream {
  const out = pino.destination({ fd: 1, sync: true });
  if (env['JOURNAL_STREAM']) return new JournalDestination(out);
  if (isTTY) return new ReadableDestination(out);
  return out;
}
