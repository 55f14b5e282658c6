/**
 * Building frames from values (what the simulators send, and what tests feed the gateway): the
 * inverse of decode. Binary: sync written, each field at its offset (raw = (value - offset) / scale),
 * bit fields set from their bool names, the length prefix or line delimiter of the profile's framing
 * added, the checksum computed last. Text: the fields joined with the separator, plus the delimiter.
 */
import type { Framing, ProfileConfig, ProfileField } from '../../config/types.js';
import { binaryFieldSize, writeRaw } from './binary-field.js';
import { writeChecksum } from './checksum.js';
import { resolveAt } from './frame-check.js';
import { encodeRegisters } from './register-codec.js';
import { encodeText } from './text-codec.js';

export { encodeRegisters, registerSpan } from './register-codec.js';

export type FieldValues = ReadonlyMap<string, number | string | boolean>;

function frameLength(profile: ProfileConfig): number {
  const f = profile.framing;
  if (f.type === 'fixed') return f.size;
  return profile.minLength + (f.type === 'line' ? f.delimiter.length : 0);
}

/** The field's raw integer/number, its bits applied from their bool names. */
function rawValue(field: ProfileField, values: FieldValues): number {
  const v = values.get(field.name);
  let raw =
    typeof v === 'number'
      ? (v - field.offset) / field.scale
      : typeof v === 'boolean'
        ? v
          ? 1
          : 0
        : Number(v ?? 0) || 0;
  for (const [bit, name] of field.bits ?? []) {
    const b = values.get(name);
    if (b === undefined) continue;
    const on = b === true || (typeof b === 'number' && b !== 0) || b === '1';
    const mask = 2 ** bit;
    const isSet = Math.floor(raw / mask) % 2 === 1;
    if (on && !isSet) raw += mask;
    else if (!on && isSet) raw -= mask;
  }
  return raw;
}

function writeFraming(framing: Framing, frame: Buffer): void {
  if (framing.type === 'line') frame.write(framing.delimiter, frame.length - framing.delimiter.length, 'latin1');
  if (framing.type !== 'length') return;
  const n = framing.counts === 'frame' ? frame.length : frame.length - framing.size;
  if (framing.size === 1) frame.writeUInt8(Math.min(n, 0xff), 0);
  else if (framing.size === 2)
    framing.endian === 'little'
      ? frame.writeUInt16LE(Math.min(n, 0xffff), 0)
      : frame.writeUInt16BE(Math.min(n, 0xffff), 0);
  else framing.endian === 'little' ? frame.writeUInt32LE(n, 0) : frame.writeUInt32BE(n, 0);
}

function encodeBinary(profile: ProfileConfig, values: FieldValues): Buffer {
  const frame = Buffer.alloc(frameLength(profile));
  writeFraming(profile.framing, frame);
  if (profile.sync) profile.sync.copy(frame, resolveAt(profile.syncAt, frame.length));
  for (const field of profile.fields) {
    if (field.type === 'string') {
      frame.write(String(values.get(field.name) ?? ''), field.at, binaryFieldSize(field), 'latin1');
    } else {
      writeRaw(frame, field.at, field.type, field.endian === 'little', rawValue(field, values));
    }
  }
  const c = profile.checksum;
  if (c) {
    const n = frame.length;
    writeChecksum(c.type, frame, resolveAt(c.from, n), resolveAt(c.to, n), resolveAt(c.at, n), c.endian === 'little');
  }
  return frame;
}

/**
 * One whole frame of `profile` for `values` (field and bit names -> value). A registers profile gives
 * its registers as bytes, big-endian (what decodeFrame reads back).
 */
export function encodeFrame(profile: ProfileConfig, values: FieldValues): Buffer {
  if (profile.format === 'text') return encodeText(profile, values);
  if (profile.format === 'binary') return encodeBinary(profile, values);
  const words = encodeRegisters(profile, values);
  const bytes = Buffer.alloc(2 * words.length);
  words.forEach((w, i) => bytes.writeUInt16BE(w, 2 * i));
  return bytes;
}
