import { describe, expect, it } from 'vitest';
import { fieldValueProblem, writeField } from '../../src/commands/binary-field.js';
import { compileFrame, formatValue, type CompiledFrame, type ValueSource } from '../../src/commands/frame.js';
import { firstFrame } from '../../src/commands/reply-frame.js';
import { parseTemplate, placeholderNames, singlePlaceholder } from '../../src/commands/template.js';
import { fires } from '../../src/commands/trigger.js';
import type { CommandFrame } from '../../src/config/types.js';

const values: Record<string, number | boolean | string> = {
  value: 1,
  program: 42,
  result: Math.fround(12.3),
  code: 'A1',
  ok: true,
};
const source: ValueSource = (name) => values[name];

function compiled(frame: CommandFrame): CompiledFrame {
  const c = compileFrame(frame);
  if (typeof c === 'string') throw new Error(c);
  return c;
}

const hex = (b: Buffer | string) => (typeof b === 'string' ? b : b.toString('hex'));

describe('text templates', () => {
  it('parses literals, placeholders and doubled braces', () => {
    expect(parseTemplate('T{program}\r\n')).toEqual({ parts: [{ text: 'T' }, { name: 'program' }, { text: '\r\n' }] });
    expect(parseTemplate('{{a}}{value}')).toEqual({ parts: [{ text: '{a}' }, { name: 'value' }] });
    expect(placeholderNames((parseTemplate('{a}{b}{a}') as { parts: never[] }).parts)).toEqual(['a', 'b']);
  });

  it('refuses an open brace, an empty or odd placeholder, wide characters, an empty template', () => {
    expect(parseTemplate('T{value')).toHaveProperty('error', expect.stringMatching(/character 2 is not closed/));
    expect(parseTemplate('T{}')).toHaveProperty('error', expect.stringMatching(/\{\} is not a placeholder/));
    expect(parseTemplate('T{a b}')).toHaveProperty('error', expect.stringMatching(/\{a b\} is not a placeholder/));
    expect(parseTemplate('T€')).toHaveProperty('error', expect.stringMatching(/is not one byte/));
    expect(parseTemplate('')).toHaveProperty('error', 'is empty: a command must send something');
  });

  it('single placeholders (binary field values)', () => {
    expect(singlePlaceholder('{value}')).toBe('value');
    expect(singlePlaceholder('{value}x')).toBeUndefined();
    expect(singlePlaceholder('value')).toBeUndefined();
  });

  it('builds latin1 bytes with values: integers, float32 at their shortest, bools as 1/0, text as is', () => {
    const frame = compiled({ kind: 'text', template: 'T{program},{result},{ok},{code},{value}\r\n\x02' });
    expect(frame.build(source)).toEqual(Buffer.from('T42,12.3,1,A1,1\r\n\x02', 'latin1'));
    expect(frame.build((n) => (n === 'code' ? undefined : source(n)))).toBe('point "code" is not in the bank');
    expect(compiled({ kind: 'text', template: '{code}' }).build(() => 'Ω')).toMatch(/not one byte/);
  });

  it('formats numbers as a plant engineer wrote them', () => {
    expect(formatValue(Math.fround(123.456))).toBe('123.456');
    expect(formatValue(0.1)).toBe('0.1');
    expect(formatValue(-7)).toBe('-7');
    expect(formatValue(false)).toBe('0');
  });
});

describe('binary frames', () => {
  it('lays fields out in order, each in its type and byte order', () => {
    const frame = compiled({
      kind: 'binary',
      fields: [
        { type: 'uint8', endian: 'big', value: 0x02 },
        { type: 'uint16', endian: 'big', value: { point: 'program' } },
        { type: 'uint16', endian: 'little', value: { point: 'program' } },
        { type: 'int32', endian: 'little', value: -2 },
        { type: 'float32', endian: 'big', value: { point: 'result' } },
        { type: 'float64', endian: 'little', value: 1 },
        { type: 'uint8', endian: 'big', value: { point: 'ok' } },
        { type: 'uint8', endian: 'big', value: 'value' },
      ],
    });
    expect(hex(frame.build(source))).toBe(
      '02' + '002a' + '2a00' + 'feffffff' + '4144cccd' + '000000000000f03f' + '01' + '01',
    );
  });

  it('refuses values that do not fit, and text in a number field', () => {
    const frame = compiled({ kind: 'binary', fields: [{ type: 'uint8', endian: 'big', value: 'value' }] });
    expect(frame.build(() => 256)).toBe('256 is outside uint8 (0..255)');
    expect(frame.build(() => 254.6)).toEqual(Buffer.from([255]));
    expect(frame.build(() => 'A1')).toBe('{value} is text ("A1"): a uint8 field takes a number');
    expect(fieldValueProblem('int16', -32769)).toBe('-32769 is outside int16 (-32768..32767)');
    expect(fieldValueProblem('float32', 1e39)).toBe('1e+39 is outside float32');
    expect(fieldValueProblem('float64', Number.NaN)).toBe('NaN is not a finite number');
  });

  it('writes constant bytes, and checksums of the bytes before them (known vectors)', () => {
    // Modbus RTU "read 10 holding registers at 0 from unit 1": CRC C5 CD, low byte first
    const rtu = compiled({
      kind: 'binary',
      fields: [
        { hex: Buffer.from('0103', 'hex') },
        { type: 'uint16', endian: 'big', value: 0 },
        { type: 'uint16', endian: 'big', value: 'value' },
        { checksum: 'crc16-modbus', from: 0, endian: 'little' },
      ],
    });
    expect(hex(rtu.build(() => 10))).toBe('01030000000a' + 'c5cd');
    // CRC-32 of "123456789" is CBF43926, either byte order
    const ascii = { hex: Buffer.from('123456789', 'latin1') };
    expect(
      hex(compiled({ kind: 'binary', fields: [ascii, { checksum: 'crc32', from: 0, endian: 'big' }] }).build(source)),
    ).toBe('313233343536373839cbf43926');
    expect(
      hex(
        compiled({ kind: 'binary', fields: [ascii, { checksum: 'crc32', from: 0, endian: 'little' }] }).build(source),
      ),
    ).toBe('313233343536373839' + '2639f4cb');
    // STX, body, sum8 of the body only, ETX after the checksum; xor8 over everything before it
    const framed = compiled({
      kind: 'binary',
      fields: [
        { hex: Buffer.from([0x02]) },
        { type: 'uint8', endian: 'big', value: 'value' },
        { hex: Buffer.from('AB', 'latin1') },
        { checksum: 'sum8', from: 1, endian: 'big' },
        { hex: Buffer.from([0x03]) },
        { checksum: 'xor8', from: 0, endian: 'big' },
      ],
    });
    // 05 + 41 + 42 = 88; 02 ^ 05 ^ 41 ^ 42 ^ 88 ^ 03 = 8f
    expect(hex(framed.build(() => 5))).toBe('0205414288' + '03' + '8f');
  });

  it('refuses a checksum that covers nothing (a frame built in code, not through the config)', () => {
    expect(
      compileFrame({
        kind: 'binary',
        fields: [
          { type: 'uint8', endian: 'big', value: 1 },
          { checksum: 'sum8', from: 1, endian: 'big' },
        ],
      }),
    ).toBe('the checksum at byte 1 covers nothing: from 1 is not before it');
  });

  it('writes every type at an offset', () => {
    const buf = Buffer.alloc(4);
    writeField(buf, 1, 'int16', false, -1);
    expect(buf.toString('hex')).toBe('00ffff00');
    writeField(buf, 0, 'uint32', true, 0x01020304);
    expect(buf.toString('hex')).toBe('04030201');
  });
});

describe('triggers', () => {
  it.each([
    ['rising', 0, 1, true],
    ['rising', false, true, true],
    ['rising', 1, 2, false],
    ['rising', 1, 0, false],
    ['change', 5, 5, false],
    ['change', 5, 6, true],
    ['change', 'a', 'b', true],
    ['write', 5, 5, true],
  ] as const)('%s %s -> %s fires: %s', (on, before, after, expected) => {
    expect(fires(on, before, after)).toBe(expected);
  });
});

describe('reply frames', () => {
  it("takes the first frame of a run of several, with the device's framing", () => {
    const run = Buffer.from('OK,1,A1\r\nOK,2,A2\r\n');
    expect(firstFrame([run], { type: 'line', delimiter: '\r\n', max: 256 })?.toString()).toBe('OK,1,A1\r\n');
    expect(firstFrame([Buffer.from([1, 2, 3, 4])], { type: 'fixed', size: 2 })).toEqual(Buffer.from([1, 2]));
    expect(firstFrame([Buffer.from('abc')], { type: 'none' })?.toString()).toBe('abc');
    expect(firstFrame([], { type: 'none' })).toBeUndefined();
  });
});

describe('fieldgate check output', () => {
  it('says what triggers each command, what it sends where, and what follows', async () => {
    const { describeCommand } = await import('../../src/commands/describe.js');
    expect(
      describeCommand({
        name: 'capture',
        bank: 'vision',
        point: 'trigger',
        on: 'rising',
        device: 'camera',
        frame: { kind: 'text', template: 'T{program}\r\n' },
        reply: { profile: 'camera-trigger', timeout: 2000 },
        reset: true,
      }),
    ).toEqual([
      '  capture: when vision.trigger is set from 0 by a client, send "T{program}\\r\\n" to device camera',
      '    then decode its reply with profile camera-trigger into bank vision (timeout 2s), then set trigger back to 0 when done',
    ]);
    expect(
      describeCommand({
        name: 'b',
        bank: 'v',
        point: 'p',
        on: 'write',
        device: 'd',
        frame: {
          kind: 'binary',
          fields: [
            { type: 'uint8', endian: 'big', value: 2 },
            { type: 'uint16', endian: 'little', value: 'value' },
            { type: 'int16', endian: 'big', value: { point: 'x' } },
          ],
        },
        reset: false,
      }),
    ).toEqual([
      '  b: when v.p is written by a client, send [uint8 2, uint16 little-endian {value}, int16 {x}] to device d',
    ]);
    expect(
      describeCommand({
        name: 'c',
        bank: 'v',
        point: 'p',
        on: 'write',
        device: 'd',
        frame: {
          kind: 'binary',
          fields: [
            { hex: Buffer.from([1, 0xab]) },
            { type: 'uint8', endian: 'big', value: 'value' },
            { checksum: 'crc16-modbus', from: 0, endian: 'little' },
            { checksum: 'sum8', from: 1, endian: 'big' },
          ],
        },
        reset: false,
      }),
    ).toEqual([
      '  c: when v.p is written by a client, send [bytes 01AB, uint8 {value}, crc16-modbus little-endian of the bytes from 0 up to it, sum8 of the bytes from 1 up to it] to device d',
    ]);
  });
});
