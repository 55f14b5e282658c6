/**
 * A strict reader of the Prometheus text exposition format (0.0.4), for tests of /metrics: every
 * line must be a HELP, a TYPE, a blank, or a well-formed sample of a declared family; families are
 * contiguous; histograms have ascending cumulative buckets ending in +Inf = _count. Throws, naming
 * the line, on anything else.
 */

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  readonly type: string;
  readonly help: string;
  readonly samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)( -?\d+)?$/;
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

function parseLabels(text: string, where: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let rest = text.slice(1, -1);
  while (rest.length > 0) {
    const m = LABEL.exec(rest);
    if (!m) throw new Error(`${where}: bad label list ${text}`);
    const [all, key = '', raw = ''] = m;
    if (key in labels) throw new Error(`${where}: label ${key} twice`);
    labels[key] = raw.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    rest = rest.slice(all.length);
  }
  return labels;
}

function parseValue(text: string, where: string): number {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  const v = Number(text);
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) || Number.isNaN(v))
    throw new Error(`${where}: bad value ${text}`);
  return v;
}

/** The family a sample name belongs to (histogram and summary samples carry suffixes). */
function familyOf(sample: string, families: Map<string, Family>): Family | undefined {
  if (families.has(sample)) return families.get(sample);
  for (const suffix of ['_bucket', '_sum', '_count']) {
    const base = sample.endsWith(suffix) ? families.get(sample.slice(0, -suffix.length)) : undefined;
    if (base && (base.type === 'histogram' || base.type === 'summary')) return base;
  }
  return undefined;
}

function checkHistogram(f: Family): void {
  const series = new Map<string, Sample[]>();
  for (const s of f.samples.filter((x) => x.name === `${f.name}_bucket`)) {
    const { le, ...rest } = s.labels;
    if (le === undefined) throw new Error(`${f.name}: bucket without le`);
    const key = JSON.stringify(rest);
    series.set(key, [...(series.get(key) ?? []), s]);
  }
  for (const [key, buckets] of series) {
    const les = buckets.map((b) => parseValue(b.labels['le'] ?? '', f.name));
    if (les.some((le, i) => i > 0 && le <= (les[i - 1] ?? -Infinity)))
      throw new Error(`${f.name}${key}: le not ascending`);
    if (buckets.some((b, i) => i > 0 && b.value < (buckets[i - 1]?.value ?? 0)))
      throw new Error(`${f.name}${key}: buckets not cumulative`);
    if (les.at(-1) !== Infinity) throw new Error(`${f.name}${key}: no +Inf bucket`);
    const count = f.samples.find((s) => s.name === `${f.name}_count` && JSON.stringify(s.labels) === key);
    if (count?.value !== buckets.at(-1)?.value) throw new Error(`${f.name}${key}: _count differs from the +Inf bucket`);
  }
}

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const done = new Set<string>();
  let current: Family | undefined;
  text.split('\n').forEach((line, i) => {
    const where = `line ${i + 1}`;
    if (line === '') return;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta) {
      const [, kind, name = '', rest = ''] = meta;
      if (!NAME.test(name)) throw new Error(`${where}: bad metric name ${name}`);
      if (current && current.name !== name) done.add(current.name);
      if (done.has(name)) throw new Error(`${where}: family ${name} is not contiguous`);
      const f = families.get(name) ?? { name, type: 'untyped', help: '', samples: [] };
      if (kind === 'TYPE' && !TYPES.has(rest)) throw new Error(`${where}: bad type ${rest}`);
      const next = kind === 'TYPE' ? { ...f, type: rest } : { ...f, help: rest };
      families.set(name, next);
      current = next;
      return;
    }
    if (line.startsWith('#')) return; // a comment
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`${where}: not a sample: ${line}`);
    const [, name = '', labels, value = ''] = m;
    const family = familyOf(name, families);
    if (!family || family !== current) throw new Error(`${where}: sample ${name} outside its family's block`);
    family.samples.push({ name, labels: labels ? parseLabels(labels, where) : {}, value: parseValue(value, where) });
  });
  for (const f of families.values()) if (f.type === 'histogram') checkHistogram(f);
  return families;
}

/** The value of the one sample `name` with exactly these labels among `labels`' keys (undefined: none). */
export function sampleValue(
  families: Map<string, Family>,
  name: string,
  labels: Record<string, string> = {},
): number | undefined {
  for (const f of families.values()) {
    const hit = f.samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
    if (hit) return hit.value;
  }
  return undefined;
}
