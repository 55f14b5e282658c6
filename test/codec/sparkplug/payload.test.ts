import { describe, expect, it } from 'vitest';
import { DataType, decodePayload, encodePayload, type SparkplugPayload } from '../../../src/codec/sparkplug/index.js';
import { hex } from '../../helpers/hex.js';

function decodeOk(buf: Uint8Array): SparkplugPayload {
  const r = decodePayload(buf);
  if ('error' in r) throw new Error(`expected a payload, got error: ${r.error}`);
  return r.payload;
}

describe('encodePayload byte vectors', () => {
  it('encodes timestamp, seq, an Int16 -5, a Boolean and a String as hand-computed protobuf', () => {
    const buf = encodePayload({
      timestamp: 1000,
      seq: 1,
      metrics: [
        { name: 't', datatype: DataType.Int16, value: -5 },
        { name: 'b', datatype: DataType.Boolean, value: true },
        { name: 's', datatype: DataType.String, value: 'hi' },
      ],
    });
    // Payload fields in id order: timestamp(1) metrics(2) seq(3); Metric: name(1) datatype(4) value.
    // Int16 -5 is int_value (field 10, varint) 0xFFFFFFFB: the uint32 two's complement (Sparkplug 3.0).
    const expected = hex(
      '08 e807' + // timestamp = 1000
        '12 0b  0a 01 74  20 02  50 fbffffff0f' + // metric "t": datatype 2 (Int16), int_value 0xFFFFFFFB
        '12 07  0a 01 62  20 0b  70 01' + // metric "b": datatype 11 (Boolean), boolean_value (14) true
        '12 09  0a 01 73  20 0c  7a 02 6869' + // metric "s": datatype 12 (String), string_value (15) "hi"
        '18 01', // seq = 1
    );
    expect(buf.toString('hex')).toBe(expected.toString('hex'));
  });

  it('encodes a null metric as is_null with no value field, and alias / timestamp / is_historical', () => {
    const buf = encodePayload({
      metrics: [{ alias: 3, timestamp: 2, datatype: DataType.Int32, isHistorical: true, value: null }],
    });
    // alias(2)=3, timestamp(3)=2, datatype(4)=3, is_historical(5)=1, is_null(7)=1
    expect(buf.toString('hex')).toBe('120a' + '1003' + '1802' + '2003' + '2801' + '3801');
  });

  it('encodes Int64, UInt64 (number and bigint), Float and Double in their fields', () => {
    const buf = encodePayload({
      metrics: [
        { datatype: DataType.Int64, value: -1 },
        { datatype: DataType.UInt64, value: 0xffffffffffffffffn },
        { datatype: DataType.Float, value: 1.5 },
        { datatype: DataType.Double, value: 1.5 },
      ],
    });
    expect(buf.toString('hex')).toBe(
      '120d 2004 58ffffffffffffffffff01'.replace(/ /g, '') + // long_value (11) = 2^64-1 (two's complement of -1)
        '120d 2008 58ffffffffffffffffff01'.replace(/ /g, '') +
        '1207 2009 650000c03f'.replace(/ /g, '') + // float_value (12, fixed32) 1.5
        '120b 200a 69000000000000f83f'.replace(/ /g, ''), // double_value (13, fixed64) 1.5
    );
  });

  it('rejects a value whose JS type does not fit its datatype, and an unsupported datatype (caller bugs)', () => {
    expect(() => encodePayload({ metrics: [{ name: 'x', datatype: DataType.Int16, value: 'a' }] })).toThrow(
      /metric "x" of datatype 2 needs a number, got string/,
    );
    expect(() => encodePayload({ metrics: [{ datatype: DataType.Boolean, value: 1 }] })).toThrow(/needs a boolean/);
    expect(() => encodePayload({ metrics: [{ datatype: DataType.String, value: true }] })).toThrow(/needs a string/);
    expect(() => encodePayload({ metrics: [{ alias: 9, datatype: 17, value: 1 }] })).toThrow(
      /metric alias 9 has datatype 17/,
    );
  });
});

describe('decodePayload', () => {
  it('decodes the byte vector back', () => {
    const p = decodeOk(hex('08e807 120b0a0174200250fbffffff0f 12070a0162200b7001 12090a0173200c7a026869 1801'));
    expect(p).toEqual({
      timestamp: 1000,
      seq: 1,
      metrics: [
        { name: 't', datatype: DataType.Int16, value: -5 },
        { name: 'b', datatype: DataType.Boolean, value: true },
        { name: 's', datatype: DataType.String, value: 'hi' },
      ],
    });
  });

  it('round-trips every scalar datatype with the extremes of its range', () => {
    const metrics = [
      { name: 'i8', datatype: DataType.Int8, value: -128 },
      { name: 'i16', datatype: DataType.Int16, value: -32768 },
      { name: 'i32', datatype: DataType.Int32, value: -2147483648 },
      { name: 'i64', datatype: DataType.Int64, value: -9007199254740991 },
      { name: 'i64big', datatype: DataType.Int64, value: -(2n ** 63n) },
      { name: 'u8', datatype: DataType.UInt8, value: 255 },
      { name: 'u16', datatype: DataType.UInt16, value: 65535 },
      { name: 'u32', datatype: DataType.UInt32, value: 4294967295 },
      { name: 'u64', datatype: DataType.UInt64, value: 9007199254740991 },
      { name: 'u64big', datatype: DataType.UInt64, value: 2n ** 64n - 1n },
      { name: 'f', datatype: DataType.Float, value: -0.25 },
      { name: 'd', datatype: DataType.Double, value: Math.PI },
      { name: 'b', datatype: DataType.Boolean, value: false },
      { name: 's', datatype: DataType.String, value: 'grüße ✓' },
      { name: 'dt', datatype: DataType.DateTime, value: 1700000000123 },
      { name: 'tx', datatype: DataType.Text, value: '' },
      { name: 'n', datatype: DataType.Double, value: null, isNull: true },
    ];
    const p = decodeOk(encodePayload({ timestamp: 1700000000000, seq: 255, metrics }));
    expect(p).toEqual({ timestamp: 1700000000000, seq: 255, metrics });
  });

  it('reads Int8/Int16 sent as 8/16-bit two-complement (some encoders) as negative too', () => {
    // datatype Int8, int_value 0xFB; datatype Int16, int_value 0xFFFB
    const p = decodeOk(hex('1205 2001 50fb01' + '1206 2002 50fbff03'));
    expect(p.metrics.map((m) => m.value)).toEqual([-5, -5]);
  });

  it('reads UInt32 from long_value (Sparkplug 2.2 / Tahu encoders)', () => {
    const p = decodeOk(hex('1208 2007 58ffffffff0f'));
    expect(p.metrics).toEqual([{ datatype: DataType.UInt32, value: 4294967295 }]);
  });

  it('keeps datatype 0 and the value of whichever field is set when a metric has no datatype', () => {
    // int_value 7, double_value 2.5, boolean_value true, string "x", long_value 2^64-1, nothing
    const p = decodeOk(
      hex(
        '1202 5007' +
          '1209 69 0000000000000440' +
          '12027001' +
          '12037a0178' +
          '120b 58ffffffffffffffffff01' +
          '1203 0a0161',
      ),
    );
    expect(p.metrics).toEqual([
      { datatype: 0, value: 7 },
      { datatype: 0, value: 2.5 },
      { datatype: 0, value: true },
      { datatype: 0, value: 'x' },
      { datatype: 0, value: 2n ** 64n - 1n },
      { datatype: 0, name: 'a', value: null },
    ]);
  });

  it('gives null for value kinds it does not use (bytes), without claiming is_null', () => {
    const p = decodeOk(hex('1206 2011 8201 0102')); // datatype 17 (Bytes), bytes_value (16) 01 02
    expect(p.metrics).toEqual([{ datatype: 17, value: null }]);
  });

  it('decodes an empty buffer as an empty payload', () => {
    expect(decodePayload(Buffer.alloc(0))).toEqual({ payload: { metrics: [] } });
  });

  it('returns an error naming the problem for a truncated payload', () => {
    const r = decodePayload(hex('120b0a0174200250fbff'));
    expect(r).toEqual({
      error: expect.stringMatching(/^malformed Sparkplug B payload \(10 bytes\): .*index out of range/),
    });
  });
});
