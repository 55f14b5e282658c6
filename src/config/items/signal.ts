/**
 * One signal of a simulator (a `type: simulator` device, or a profile's `simulate.values`):
 * `{ signal: sine | ramp | square | random-walk | counter | constant, ... }`, or a constant value.
 * A generated value: `t` is seconds since the simulator started, `n` the tick count.
 */
import { mapOf, oneOf, record, type Infer } from '../declare/kit.js';
import { any, as, choice, duration, number } from '../declare/leaves.js';
import { check } from '../declare/walk.js';
import { failed, isMapping, ok, problem, show, type Checked, type Problem } from '../issues.js';

export const SIGNAL_KINDS = ['sine', 'ramp', 'square', 'random-walk', 'counter', 'constant'] as const;
type Kind = (typeof SIGNAL_KINDS)[number];

const signal = choice(SIGNAL_KINDS, { doc: `the signal: ${SIGNAL_KINDS.join(' | ')}`, required: true });
const bounds = (min: number, max: number) => ({
  min: number({ doc: 'lowest value', default: min }),
  max: number({ doc: 'highest value', default: max }),
});
const period = duration({ doc: 'time of one cycle, e.g. 60s', min: 1, default: '60s' });
const step = (doc: string) => number({ doc, default: 1 });

function inOrder(p: { min: number; max: number; step?: number }): Problem[] {
  if (p.min > p.max) return [problem(['min'], `${p.min} is above max (${p.max})`)];
  return p.step !== undefined && p.step <= 0 ? [problem(['step'], `${p.step} is not above 0`)] : [];
}

const periodic = (doc: string, min: number, max: number) =>
  record({ doc }, { signal, ...bounds(min, max), period }, { check: inOrder });
const stepping = (doc: string, max: number, stepDoc: string) =>
  record({ doc }, { signal, ...bounds(0, max), step: step(stepDoc) }, { check: inOrder });

export const SIGNAL = oneOf(
  { doc: 'a signal, or a constant value', by: 'signal' },
  {
    sine: periodic('a sine wave from min to max', 0, 100),
    ramp: periodic('a ramp from min to max, again each period', 0, 100),
    square: periodic('max for the first half of each period, min for the second', 0, 1),
    'random-walk': stepping('a random walk between min and max', 100, 'largest change per tick'),
    counter: stepping('a counter from min to max', 65535, 'added each tick; past max the counter starts again at min'),
    constant: record(
      { doc: 'a constant value' },
      {
        signal,
        value: any(
          { doc: 'the value (a number, text or true/false)', required: true },
          'number, text or true/false',
          as<number | string | boolean>(),
        ),
      },
      {
        check: (p) =>
          typeof p.value === 'number' || typeof p.value === 'string' || typeof p.value === 'boolean'
            ? []
            : [problem(['value'], `${show(p.value)} is not a number, text or true/false`)],
      },
    ),
  },
  (raw) => {
    if (typeof raw === 'number' || typeof raw === 'string' || typeof raw === 'boolean')
      return ok({ kind: 'constant', value: raw });
    if (!isMapping(raw))
      return failed([
        problem(
          [],
          `${show(raw)} is not a signal: write { signal: sine, min: 0, max: 100, period: 60s } or a constant value`,
        ),
      ]);
    const k = raw.signal;
    if (SIGNAL_KINDS.includes(k as Kind)) return { use: k as Kind };
    return failed([
      problem(
        ['signal'],
        k == null
          ? `is required: one of ${SIGNAL_KINDS.join(', ')}`
          : `${show(k)} is not a signal: use ${SIGNAL_KINDS.join(', ')}`,
      ),
    ]);
  },
  (s) => {
    switch (s.signal) {
      case 'sine':
      case 'ramp':
      case 'square':
        return { kind: s.signal, min: s.min, max: s.max, period: s.period };
      case 'random-walk':
      case 'counter':
        return { kind: s.signal, min: s.min, max: s.max, step: s.step };
      case 'constant':
        return { kind: s.signal, value: s.value };
    }
  },
);

export type SignalConfig = Infer<typeof SIGNAL>;

/** `point or field name -> signal`. */
export const SIGNAL_MAP = mapOf(
  {
    doc: 'point name -> signal, e.g. { temperature: { signal: sine, min: 18, max: 24, period: 60s } }',
    keyDoc: 'point name',
    nonEmpty: true,
    key: (k) => ({ value: k }),
    notMap: (raw) => `${show(raw)} is not a mapping of name -> signal, e.g. { temperature: { signal: sine } }`,
    finish: (entries): ReadonlyMap<string, SignalConfig> => new Map(entries),
  },
  SIGNAL,
);

export function checkSignal(raw: unknown): Checked<SignalConfig> {
  return check(SIGNAL, raw);
}
