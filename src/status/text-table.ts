/** Plain-text tables for the terminal: a header, a rule, and columns padded to fit. */

export interface Column {
  readonly title: string;
  /** Numbers read best aligned right. */
  readonly right?: boolean;
}

export function textTable(columns: readonly Column[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((c, i) => Math.max(c.title.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (columns[i]?.right ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(columns.map((c) => c.title)), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** 1536 -> "1.5 KiB". */
export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 100 ? v.toFixed(0) : v.toFixed(1)} ${units[u]}`;
}

/** 3725.4 -> "1h 2m 5s". */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const parts =
    d > 0
      ? [`${d}d`, `${h}h`, `${m}m`]
      : h > 0
        ? [`${h}h`, `${m}m`, `${s % 60}s`]
        : m > 0
          ? [`${m}m`, `${s % 60}s`]
          : [`${s}s`];
  return parts.join(' ');
}

/** An interval in ms as it is written in the config: 250 -> "250ms", 5000 -> "5s", 90000 -> "1m 30s". */
export function interval(ms: number): string {
  if (ms < 1000 || ms % 1000 !== 0) return ms < 1000 ? `${ms}ms` : `${ms / 1000}s`;
  return duration(ms / 1000);
}

/**
 * A point's value as a person writes it: a float32 in the fewest digits that give the same float32
 * (47.967, not 47.966999), other fractions to 12 significant digits (12.34, not 12.340000000000002).
 */
export function pointValue(value: number, type: string): string {
  if (!Number.isFinite(value) || Number.isInteger(value)) return String(value);
  if (type === 'float32') {
    const f = Math.fround(value);
    for (let digits = 1; digits < 9; digits++) {
      const shortest = Number(f.toPrecision(digits));
      if (Math.fround(shortest) === f) return String(shortest);
    }
    return String(Number(f.toPrecision(9)));
  }
  return String(Number(value.toPrecision(12)));
}

/** [9601, 9602, 9603, 9610] -> "9601-9603,9610". */
export function portRanges(ports: readonly number[]): string {
  const sorted = [...ports].sort((a, b) => a - b);
  const out: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] ?? 0) + 1) j++;
    out.push(j > i ? `${sorted[i]}-${sorted[j]}` : String(sorted[i]));
    i = j + 1;
  }
  return out.join(',');
}
