// The Modbus section's targets (issue 17) judged from one run: for each, the median ratio
// fieldgate / libmodbus over the rounds, and the spread of the per-round ratios (round i of
// fieldgate against round i of libmodbus: the servers took turns within each round, so a noisy
// moment of a shared machine hits both alike). A target whose per-round ratios fall on both sides of
// its line is marked "within noise": met or not, one run cannot tell.
import { median, ratio } from './stats.mjs';
import { fmtRatio, formatTable } from './table.mjs';

const MiB = 1024 * 1024;
/** Peak RSS budget at 100 Modbus connections, MB (the mixed section judges its Modbus-only phase by it too). */
export const MODBUS_PEAK_MB = 64;

/** A server result's summary of one case ({ conns, depth }), or null. */
export function caseOf(result, c) {
  return result?.cases?.find((x) => x.conns === c.conns && x.depth === c.depth) ?? null;
}

/** [conns, depth, what, value of a run, the line, 'max' (ratio <= line) or 'min' (ratio >= line)] */
const CASE_TARGETS = [
  [10, 1, 'CPU per request', (r) => r.server_cpu_s_per_100k, 1.0, 'max'],
  [10, 1, 'req/s', (r) => r.rps, 1.0, 'min'],
  [10, 1, 'p99', (r) => r.p99_us, 1.5, 'max'],
  [100, 1, 'CPU per request', (r) => r.server_cpu_s_per_100k, 1.0, 'max'],
  [100, 1, 'req/s', (r) => r.rps, 1.0, 'min'],
  [100, 1, 'p99', (r) => r.p99_us, 1.5, 'max'],
  [10, 8, 'req/s', (r) => r.rps, 3.0, 'min'],
  [100, 8, 'req/s', (r) => r.rps, 3.0, 'min'],
];

/** Per-round ratios of two lists of runs (same order), where both runs succeeded. */
export function roundRatios(subjectRuns, refRuns, value) {
  const out = [];
  const n = Math.min(subjectRuns.length, refRuns.length);
  for (let i = 0; i < n; i++) {
    const s = subjectRuns[i];
    const r = refRuns[i];
    if (!s?.ok || !r?.ok) continue;
    const q = ratio(value(s), value(r));
    if (q !== null) out.push(q);
  }
  return out;
}

/** 'met', 'NOT MET', with ' (within noise)' when the rounds fall on both sides of the line. */
export function verdict(ratios, line, kind) {
  const m = median(ratios);
  if (m === null) return { median: null, text: '-' };
  const ok = (q) => (kind === 'max' ? q <= line : q >= line);
  const both = ratios.some(ok) && !ratios.every(ok);
  return { median: m, text: `${ok(m) ? 'met' : 'NOT MET'}${both ? ' (within noise)' : ''}` };
}

function spread(ratios) {
  if (!ratios.length) return '-';
  const lo = Math.min(...ratios);
  const hi = Math.max(...ratios);
  return `${fmtRatio(lo)}-${fmtRatio(hi)}`;
}

/**
 * The targets table, or null without fieldgate and libmodbus results. `subject` and `libmodbus`
 * are the section's server results (cases with their runs, fixed with its runs, memory).
 */
export function targetsTable(subject, libmodbus) {
  if (!subject || !libmodbus) return null;
  const rows = [];
  for (const [conns, depth, what, value, line, kind] of CASE_TARGETS) {
    const s = caseOf(subject, { conns, depth });
    const l = caseOf(libmodbus, { conns, depth });
    if (!s || !l) continue;
    const ratios = roundRatios(s.runs, l.runs, value);
    const v = verdict(ratios, line, kind);
    rows.push([
      `${conns} x ${depth} ${what}`,
      `${kind === 'max' ? '<=' : '>='} ${line.toFixed(1)}x`,
      fmtRatio(v.median),
      spread(ratios),
      v.text,
    ]);
  }
  if (subject.fixed && libmodbus.fixed) {
    const ratios = roundRatios(subject.fixed.runs, libmodbus.fixed.runs, (r) => r.server_cpu_pct);
    const v = verdict(ratios, 1.2, 'max');
    rows.push(['fixed load CPU', '<= 1.2x', fmtRatio(v.median), spread(ratios), v.text]);
  }
  const hwm = subject.memory?.hwmKiB;
  if (Number.isFinite(hwm)) {
    const bytes = hwm * 1024;
    const mib = bytes / MiB;
    const mb = bytes / 1e6;
    const budget = MODBUS_PEAK_MB;
    const text = mb <= budget ? 'met' : mib <= budget ? 'met in MiB, NOT MET in MB (10^6 bytes)' : 'NOT MET';
    rows.push([
      'peak RSS, 100 connections',
      `<= ${budget} MB`,
      `${mib.toFixed(1)} MiB = ${mb.toFixed(1)} MB`,
      '',
      text,
    ]);
  }
  return [
    'Targets (fieldgate / libmodbus, median over the rounds; "rounds": the lowest and highest per-round ratio)',
    formatTable(
      [
        { title: 'target', align: 'left' },
        { title: 'line' },
        { title: 'median' },
        { title: 'rounds' },
        { title: 'verdict', align: 'left' },
      ],
      rows,
    ),
  ].join('\n');
}
