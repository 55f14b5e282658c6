/**
 * The value of a JSON /set message (setValue): a JSON number, boolean or string, or {"value": ...};
 * anything else (garbage, arrays, null, objects without value, more than 4096 bytes) is refused with
 * the reason.
 */
import { describe, expect, it } from 'vitest';
import { setValue } from '../../src/mqtt/json-topics.js';

const set = (text: string) => setValue(Buffer.from(text, 'utf8'));

describe('setValue', () => {
  it('takes JSON numbers, booleans and strings', () => {
    expect(set('42')).toBe(42);
    expect(set('-5')).toBe(-5);
    expect(set('12.5')).toBe(12.5);
    expect(set('1e3')).toBe(1000);
    expect(set(' 7 \n')).toBe(7);
    expect(set('true')).toBe(true);
    expect(set('false')).toBe(false);
    expect(set('"AB"')).toBe('AB');
    expect(set('""')).toBe('');
    expect(set('"Grüße"')).toBe('Grüße');
  });

  it('takes {"value": x}, ignoring other keys', () => {
    expect(set('{"value": 3.25}')).toBe(3.25);
    expect(set('{"value": true}')).toBe(true);
    expect(set('{"value": "on"}')).toBe('on');
    expect(set('{"value": 0, "timestamp": 1767261600000}')).toBe(0);
  });

  it('refuses what is not JSON, quoting its start', () => {
    expect(set('abc')).toEqual({ error: 'not JSON: "abc"' });
    expect(set('')).toEqual({ error: 'not JSON: ""' });
    expect(set('{"value": 1')).toEqual({ error: 'not JSON: "{\\"value\\": 1"' });
    expect(set(`${'x'.repeat(100)}`)).toEqual({ error: `not JSON: "${'x'.repeat(40)}"` });
    expect(setValue(Buffer.from([0xff, 0xfe, 0x00]))).toEqual({ error: 'not JSON: "\uFFFD\uFFFD\\u0000"' });
  });

  it('refuses arrays, null, objects without value and values that are not scalars', () => {
    const why = (shown: string) => ({
      error: `${shown} is not a value: send a number, true/false, a "string" or {"value": ...}`,
    });
    expect(set('[1,2]')).toEqual(why('[1,2]'));
    expect(set('[]')).toEqual(why('[]'));
    expect(set('null')).toEqual(why('null'));
    expect(set('{}')).toEqual(why('{}'));
    expect(set('{"val": 1}')).toEqual(why('{"val":1}'));
    expect(set('{"value": null}')).toEqual(why('null'));
    expect(set('{"value": [1]}')).toEqual(why('[1]'));
    expect(set('{"value": {"value": 1}}')).toEqual(why('{"value":1}'));
  });

  it('takes up to 4096 bytes, refuses more without parsing', () => {
    const padded = (n: number) => `"${'a'.repeat(n - 2)}"`;
    expect(set(padded(4096))).toBe('a'.repeat(4094));
    expect(set(padded(4097))).toEqual({ error: '4097 bytes: a /set value is at most 4096' });
    expect(set(`[${'1,'.repeat(5000)}1]`)).toEqual({ error: '10003 bytes: a /set value is at most 4096' });
  });

  it('counts bytes, not characters', () => {
    const text = `"${'ü'.repeat(2047)}"`; // 2049 characters, 4096 bytes
    expect(set(text)).toBe('ü'.repeat(2047));
    expect(set(`"${'ü'.repeat(2048)}"`)).toEqual({ error: '4098 bytes: a /set value is at most 4096' });
  });
});
