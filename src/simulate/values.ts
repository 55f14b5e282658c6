/**
 * The values a simulated device sends: one signal per profile field (simulate.values), stepped
 * once per frame, reply or write. Fields without a signal are left out (the encoder fills them with
 * zero). The returned map is reused from call to call.
 */
import type { SignalConfig } from '../config/types.js';
import { createSignal, type Signal, type SignalValue } from '../devices/simulator/signal.js';

export class SimulatedValues {
  private readonly signals: readonly (readonly [string, Signal])[];
  private readonly values = new Map<string, SignalValue>();
  private readonly startedAt: number;

  constructor(config: ReadonlyMap<string, SignalConfig>, now: number = Date.now()) {
    this.signals = [...config].map(([field, signal]) => [field, createSignal(signal)] as const);
    this.startedAt = now;
  }

  /** Every field's next value, `now` giving the time the periodic signals are at. */
  next(now: number = Date.now()): ReadonlyMap<string, SignalValue> {
    const t = (now - this.startedAt) / 1000;
    for (const [field, signal] of this.signals) this.values.set(field, signal.next(t));
    return this.values;
  }
}

/** A value as text in a line (a camera's reply): whole numbers as they are, others to 3 decimals. */
export function valueText(v: SignalValue | undefined): string {
  if (v === undefined) return '';
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Number(v.toFixed(3)));
  if (typeof v === 'boolean') return v ? '1' : '0';
  return v;
}
