/**
 * Register profiles (`format: registers`): a layout of typed values in consecutive registers, as a
 * PLC writes them with FC16. A field's `at` is its register address; its type and word order are a
 * bank point's (the point codec does the work). As bytes, the registers are big-endian, two each.
 */
import { decodePoint, encodePoint, registerCount, type PointFormat, type PointType } from '../point-codec.js';
import type { ProfileConfig, ProfileField } from '../../config/types.js';

export function fieldFormat(field: ProfileField): PointFormat {
  const format = { type: field.type as PointType, order: field.order, scale: field.scale, offset: field.offset };
  return field.length !== undefined ? { ...format, length: field.length } : format;
}

/** The registers a layout covers: from its lowest field address, `count` of them. */
export function registerSpan(profile: ProfileConfig): { address: number; count: number } {
  if (profile.fields.length === 0) return { address: 0, count: 0 };
  let first = Number.POSITIVE_INFINITY;
  let end = 0;
  for (const f of profile.fields) {
    first = Math.min(first, f.at);
    end = Math.max(end, f.at + registerCount(fieldFormat(f)));
  }
  return { address: first, count: end - first };
}

/** Frame bytes = the span's registers, big-endian, starting at the span's first address. */
export function decodeRegisters(
  profile: ProfileConfig,
  frame: Buffer,
): { values: (number | string)[] } | { error: string } {
  const span = registerSpan(profile);
  if (frame.length !== 2 * span.count)
    return {
      error: `frame of ${frame.length} bytes: ${profile.name} covers ${span.count} registers (${2 * span.count} bytes)`,
    };
  const values: (number | string)[] = [];
  for (const field of profile.fields) {
    const format = fieldFormat(field);
    const words: number[] = [];
    for (let i = 0; i < registerCount(format); i++) words.push(frame.readUInt16BE(2 * (field.at - span.address + i)));
    const v = decodePoint(format, words);
    values.push(typeof v === 'boolean' ? (v ? 1 : 0) : v);
  }
  return { values };
}

/**
 * The registers for `values` (field name -> value): index 0 is the register at `registerSpan(profile).address`.
 * A value that does not fit its type (or is missing) leaves its registers 0.
 */
export function encodeRegisters(
  profile: ProfileConfig,
  values: ReadonlyMap<string, number | string | boolean>,
): Uint16Array {
  const span = registerSpan(profile);
  const out = new Uint16Array(span.count);
  for (const field of profile.fields) {
    const value = values.get(field.name);
    if (value === undefined) continue;
    const words = encodePoint(fieldFormat(field), typeof value === 'boolean' ? (value ? 1 : 0) : value);
    if (typeof words !== 'string') out.set(words, field.at - span.address);
  }
  return out;
}
