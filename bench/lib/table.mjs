// Plain-text tables and number formats for the bench's report.

/** columns: [{ title, align: 'left'|'right' }]; rows: arrays of cells, or null for a blank line. */
export function formatTable(columns, rows) {
  const widths = columns.map((c, i) => Math.max(c.title.length, ...rows.map((r) => String(r?.[i] ?? '').length)));
  const cell = (s, i) => {
    const str = String(s ?? '');
    return columns[i].align === 'left' ? str.padEnd(widths[i]) : str.padStart(widths[i]);
  };
  const line = (r) => r.map(cell).join('  ').trimEnd();
  const head = line(columns.map((c) => c.title));
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [head, rule, ...rows.map((r) => (r === null ? '' : line(r)))].join('\n');
}

export const fmtInt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '-');
export const fmtUs = (n) =>
  Number.isFinite(n) ? (n >= 1000 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1)) : '-';
export const fmtRatio = (r) => (Number.isFinite(r) ? `${r >= 10 ? r.toFixed(1) : r.toFixed(2)}x` : 'n/a');
export const fmtMiB = (kib) => (Number.isFinite(kib) ? (kib / 1024).toFixed(1) : '-');
