/**
 * Between fieldgate points and Sparkplug metrics: the datatype a point publishes as, and the value a
 * command (DCMD metric) carries for a point. Range checks are the bank point's (bank/bank-point.ts).
 */

import type { PointType, PointValue } from '../point-codec.js';
import { DataType, type SparkplugMetric } from './payload.js';

const INTEGER_TYPES: Readonly<Partial<Record<PointType, number>>> = {
  int16: DataType.Int16,
  uint16: DataType.UInt16,
  int32: DataType.Int32,
  uint32: DataType.UInt32,
};

/**
 * The Sparkplug datatype of a point. An integer point whose engineering value can be fractional (scale
 * not 1, or an offset that is not an integer) publishes as Double.
 */
export function sparkplugType(point: {
  readonly type: PointType;
  readonly scale: number;
  readonly offset: number;
}): number {
  switch (point.type) {
    case 'float32':
      return DataType.Float;
    case 'float64':
      return DataType.Double;
    case 'bool':
      return DataType.Boolean;
    case 'string':
      return DataType.String;
    default: {
      const exact = point.scale === 1 && Number.isInteger(point.offset);
      return exact ? (INTEGER_TYPES[point.type] ?? DataType.Double) : DataType.Double;
    }
  }
}

function shown(metric: SparkplugMetric): string {
  const v = metric.value;
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  return `${typeof v} ${String(v)}`;
}

/** A finite number from a metric value (bigint within the safe range), else undefined. */
function finiteNumber(v: SparkplugMetric['value']): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'bigint') {
    const n = Number(v);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}

/**
 * The value a command metric carries for `point`, or the reason it carries none: a bool point takes a
 * Boolean or the number 0 or 1, a numeric point a finite number of any numeric datatype (a bigint only
 * within the safe integer range), a string point a String/Text. Null metrics are refused.
 */
export function commandValue(
  metric: SparkplugMetric,
  point: { readonly name: string; readonly type: PointType },
): { value: PointValue } | { error: string } {
  const v = metric.isNull === true ? null : metric.value;
  const got = shown({ ...metric, value: v });
  if (point.type === 'bool') {
    if (typeof v === 'boolean') return { value: v };
    const n = finiteNumber(v);
    if (n === 0 || n === 1) return { value: n === 1 };
    return { error: `point "${point.name}" (bool) needs a Boolean or 0/1, got ${got}` };
  }
  if (point.type === 'string') {
    if (typeof v === 'string') return { value: v };
    return { error: `point "${point.name}" (string) needs a String, got ${got}` };
  }
  const n = finiteNumber(v);
  if (n !== undefined) return { value: n };
  return { error: `point "${point.name}" (${point.type}) needs a finite number, got ${got}` };
}
