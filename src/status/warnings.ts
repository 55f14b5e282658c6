/**
 * The last warnings in the status document and in `fieldgate status`: the ring of recent warn, error
 * and fatal log lines (log-ring.ts, fed by the root logger) as the document's `warnings`, newest
 * last, and the few latest of them under a WARNINGS heading in the report.
 */
import { recentWarnings, type LogRing, type WarningEntry } from '../log-ring.js';

export type { WarningEntry } from '../log-ring.js';

/** Lines `fieldgate status` shows (the newest). */
export const REPORT_WARNINGS = 5;
/** Characters of one report line at most. */
const REPORT_LINE = 200;

/** The document's `warnings`: a copy of the ring, oldest first. */
export function warningEntries(ring: LogRing = recentWarnings): WarningEntry[] {
  return ring.list();
}

function fieldText(v: string | number | boolean | null): string {
  return typeof v === 'string' && v !== '' && !/[\s"=]/.test(v) ? v : JSON.stringify(v);
}

/** One warning as a line: time, level, message, then its fields as key=value. */
export function warningLine(w: WarningEntry): string {
  const fields = Object.entries(w)
    .filter(([k]) => k !== 'time' && k !== 'level' && k !== 'msg')
    .map(([k, v]) => `${k}=${fieldText(v)}`);
  const line = [w.time, w.level.padEnd(5), w.msg, ...fields].join('  ');
  return line.length > REPORT_LINE ? `${line.slice(0, REPORT_LINE - 1)}…` : line;
}

/**
 * The report's WARNINGS section: the `last` newest warnings, oldest of them first; undefined when
 * there are none (or the daemon is older than the `warnings` key).
 */
export function warningsSection(
  warnings: readonly WarningEntry[] | undefined,
  last = REPORT_WARNINGS,
): string | undefined {
  if (!warnings || warnings.length === 0) return undefined;
  const shown = warnings.slice(-last);
  const title = warnings.length > shown.length ? `WARNINGS (last ${shown.length} of ${warnings.length})` : 'WARNINGS';
  return [title, ...shown.map(warningLine)].join('\n');
}
