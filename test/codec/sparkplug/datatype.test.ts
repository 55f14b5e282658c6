import { describe, expect, it } from 'vitest';
import type { PointType } from '../../../src/codec/point-codec.js';
import { commandValue, DataType, type SparkplugMetric, sparkplugType } from '../../../src/codec/sparkplug/index.js';

describe('sparkplugType', () => {
  it('maps each point type at scale 1, offset 0', () => {
    const expected: Record<PointType, number> = {
      int16: DataType.Int16,
      uint16: DataType.UInt16,
      int32: DataType.Int32,
      uint32: DataType.UInt32,
      float32: DataType.Float,
      float64: DataType.Double,
      bool: DataType.Boolean,
      string: DataType.String,
    };
    for (const [type, dt] of Object.entries(expected)) {
      expect(sparkplugType({ type: type as PointType, scale: 1, offset: 0 }), type).toBe(dt);
    }
  });

  it('publishes a scaled or fractionally offset integer point as Double', () => {
    expect(sparkplugType({ type: 'int16', scale: 0.1, offset: 0 })).toBe(DataType.Double);
    expect(sparkplugType({ type: 'uint32', scale: 10, offset: 0 })).toBe(DataType.Double);
    expect(sparkplugType({ type: 'uint16', scale: 1, offset: 0.5 })).toBe(DataType.Double);
    expect(sparkplugType({ type: 'int32', scale: 1, offset: -273 })).toBe(DataType.Int32);
  });

  it('keeps float, bool and string types whatever the scale', () => {
    expect(sparkplugType({ type: 'float32', scale: 0.1, offset: 0.5 })).toBe(DataType.Float);
    expect(sparkplugType({ type: 'bool', scale: 2, offset: 0 })).toBe(DataType.Boolean);
    expect(sparkplugType({ type: 'string', scale: 2, offset: 0.5 })).toBe(DataType.String);
  });
});

const m = (
  datatype: number,
  value: SparkplugMetric['value'],
  extra: Partial<SparkplugMetric> = {},
): SparkplugMetric => ({
  name: 'x',
  datatype,
  value,
  ...extra,
});

describe('commandValue', () => {
  const bool = { name: 'Pump', type: 'bool' as const };
  const int16 = { name: 'Setpoint', type: 'int16' as const };
  const str = { name: 'Label', type: 'string' as const };

  it('takes Boolean or 0/1 for a bool point', () => {
    expect(commandValue(m(DataType.Boolean, true), bool)).toEqual({ value: true });
    expect(commandValue(m(DataType.Boolean, false), bool)).toEqual({ value: false });
    expect(commandValue(m(DataType.Int32, 1), bool)).toEqual({ value: true });
    expect(commandValue(m(DataType.UInt8, 0), bool)).toEqual({ value: false });
    expect(commandValue(m(DataType.UInt64, 1n), bool)).toEqual({ value: true });
    expect(commandValue(m(0, true), bool)).toEqual({ value: true });
  });

  it('refuses other values for a bool point, naming the point', () => {
    expect(commandValue(m(DataType.Int32, 2), bool)).toEqual({
      error: 'point "Pump" (bool) needs a Boolean or 0/1, got number 2',
    });
    expect(commandValue(m(DataType.String, 'true'), bool)).toEqual({
      error: 'point "Pump" (bool) needs a Boolean or 0/1, got "true"',
    });
    expect(commandValue(m(DataType.Boolean, null, { isNull: true }), bool)).toEqual({
      error: 'point "Pump" (bool) needs a Boolean or 0/1, got null',
    });
  });

  it('takes a finite number of any numeric datatype for a numeric point', () => {
    expect(commandValue(m(DataType.Int16, -5), int16)).toEqual({ value: -5 });
    expect(commandValue(m(DataType.Double, 12.5), int16)).toEqual({ value: 12.5 });
    expect(commandValue(m(DataType.Float, 1.5), { name: 'F', type: 'float32' })).toEqual({ value: 1.5 });
    expect(commandValue(m(DataType.UInt32, 4294967295), { name: 'U', type: 'uint32' })).toEqual({ value: 4294967295 });
    expect(commandValue(m(DataType.Int64, -9007199254740991n), int16)).toEqual({ value: -9007199254740991 });
    expect(commandValue(m(0, 7), int16)).toEqual({ value: 7 });
    // Range is the bank point's check, not this one's.
    expect(commandValue(m(DataType.Int32, 70000), int16)).toEqual({ value: 70000 });
  });

  it('refuses non-numbers, NaN, Infinity, null and unsafe bigints for a numeric point', () => {
    const err = (got: string) => ({ error: `point "Setpoint" (int16) needs a finite number, got ${got}` });
    expect(commandValue(m(DataType.Boolean, true), int16)).toEqual(err('boolean true'));
    expect(commandValue(m(DataType.String, '5'), int16)).toEqual(err('"5"'));
    expect(commandValue(m(DataType.Double, NaN), int16)).toEqual(err('number NaN'));
    expect(commandValue(m(DataType.Double, Infinity), int16)).toEqual(err('number Infinity'));
    expect(commandValue(m(DataType.Double, -Infinity), int16)).toEqual(err('number -Infinity'));
    expect(commandValue(m(DataType.Int16, null, { isNull: true }), int16)).toEqual(err('null'));
    expect(commandValue(m(DataType.UInt64, 2n ** 53n), int16)).toEqual(err('bigint 9007199254740992'));
    // a metric flagged null is null whatever value it carries
    expect(commandValue(m(DataType.Int16, 3, { isNull: true }), int16)).toEqual(err('null'));
  });

  it('takes a String or Text for a string point and nothing else', () => {
    expect(commandValue(m(DataType.String, 'abc'), str)).toEqual({ value: 'abc' });
    expect(commandValue(m(DataType.Text, ''), str)).toEqual({ value: '' });
    expect(commandValue(m(DataType.Int16, 5), str)).toEqual({
      error: 'point "Label" (string) needs a String, got number 5',
    });
    expect(commandValue(m(DataType.String, null), str)).toEqual({
      error: 'point "Label" (string) needs a String, got null',
    });
  });
});
