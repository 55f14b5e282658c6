/**
 * One signal of a simulator (a `type: simulator` device, or a profile's `simulate.values`):
 * `{ signal: sine | ramp | square | random-walk | counter | constant, ... }`, each kind validated
 * with its own convict schema (strict).
 */
import type { SchemaDef } from '../convict-bridge.js';
import { durationMs } from '../duration.js';
import { CHOICE, DURATION, NUMBER } from '../formats.js';
import { failed, isMapping, ok, problem, show, type Checked } from '../issues.js';
import { runSchema } from '../run-schema.js';
import type { SignalConfig } from '../types.js';

export const SIGNAL_KINDS = ['sine', 'ramp', 'square', 'random-walk', 'counter', 'constant'] as const;
type Kind = (typeof SIGNAL_KINDS)[number];

const kind: SchemaDef = {
  signal: { doc: `the signal: ${SIGNAL_KINDS.join(' | ')}`, format: CHOICE, values: SIGNAL_KINDS, default: undefined, required: true },
};
const bounds = (min: number, max: number): SchemaDef => ({
  min: { doc: 'lowest value', format: NUMBER, default: min },
  max: { doc: 'highest value', format: NUMBER, default: max },
});
const period: SchemaDef = { period: { doc: 'time of one cycle, e.g. 60s', format: DURATION, min: 1, default: '60s' } };
const step = (doc: string): SchemaDef => ({ step: { doc, format: NUMBER, default: 1 } });

const SCHEMAS: Readonly<Record<Kind, SchemaDef>> = {
  sine: { ...kind, ...bounds(0, 100), ...period },
  ramp: { ...kind, ...bounds(0, 100), ...period },
  square: { ...kind, ...bounds(0, 1), ...period },
  'random-walk': { ...kind, ...bounds(0, 100), ...step('largest change per tick') },
  counter: { ...kind, ...bounds(0, 65535), ...step('added each tick; past max the counter starts again at min') },
  constant: { ...kind, value: { doc: 'the value (a number, text or true/false)', format: '*', default: undefined, required: true } },
};

type Props = { signal: Kind; min: number; max: number; period: string | number; step: number; value: number | string | boolean };

export function checkSignal(raw: unknown): Checked<SignalConfig> {
  if (typeof raw === 'number' || typeof raw === 'string' || typeof raw === 'boolean') return ok({ kind: 'constant', value: raw });
  if (!isMapping(raw)) return failed([problem([], `${show(raw)} is not a signal: write { signal: sine, min: 0, max: 100, period: 60s } or a constant value`)]);
  const k = raw.signal;
  if (!SIGNAL_KINDS.includes(k as Kind)) {
    return failed([problem(['signal'], k == null ? `is required: one of ${SIGNAL_KINDS.join(', ')}` : `${show(k)} is not a signal: use ${SIGNAL_KINDS.join(', ')}`)]);
  }
  const checked = runSchema<Props>(SCHEMAS[k as Kind], raw);
  if (checked.value === undefined) return failed(checked.problems);
  const p = checked.value;
  if (p.signal === 'constant') {
    if (typeof p.value !== 'number' && typeof p.value !== 'string' && typeof p.value !== 'boolean') return failed([problem(['value'], `${show(p.value)} is not a number, text or true/false`)]);
    return ok({ kind: 'constant', value: p.value });
  }
  if (p.min > p.max) return failed([problem(['min'], `${p.min} is above max (${p.max})`)]);
  switch (p.signal) {
    case 'sine':
    case 'ramp':
    case 'square':
      return ok({ kind: p.signal, min: p.min, max: p.max, period: durationMs(p.period) });
    case 'random-walk':
    case 'counter':
      if (p.step <= 0) return failed([problem(['step'], `${p.step} is not above 0`)]);
      return ok({ kind: p.signal, min: p.min, max: p.max, step: p.step });
  }
}

/** `point or field name -> signal`. */
export function checkSignalMap(raw: unknown): Checked<Map<string, SignalConfig>> {
  if (!isMapping(raw) || Object.keys(raw).length === 0) return failed([problem([], `${show(raw)} is not a mapping of name -> signal, e.g. { temperature: { signal: sine } }`)]);
  const out = new Map<string, SignalConfig>();
  const problems = Object.entries(raw).flatMap(([name, value]) => {
    const checked = checkSignal(value);
    if (checked.value !== undefined) out.set(name, checked.value);
    return checked.problems.map((p) => ({ ...p, path: [name, ...p.path] }));
  });
  return problems.length > 0 ? failed(problems) : ok(out);
}
