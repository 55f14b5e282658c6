/**
 * Decoding one frame with a profile: the frame's checks first (length, sync, checksum; see
 * frame-check.ts), then every field, scale and offset applied, enums mapped. Values come in the
 * order of `profile.fields`. Pure: what a frame holds never throws out of here.
 */
import type { ProfileConfig } from '../../config/types.js';
import { binaryFieldSize, readRaw, readText } from './binary-field.js';
import { frameProblem } from './frame-check.js';
import { decodeRegisters } from './register-codec.js';
import { decodeText } from './text-codec.js';

export type Decoded = { values: (number | string)[] } | { error: string };

function decodeBinary(profile: ProfileConfig, frame: Buffer): Decoded {
  const problem = frameProblem(profile, frame, 0, frame.length);
  if (problem !== undefined) return { error: problem };
  const values: (number | string)[] = [];
  for (const field of profile.fields) {
    const size = binaryFieldSize(field);
    if (field.at + size > frame.length)
      return {
        error: `frame of ${frame.length} bytes ends before field ${field.name} (bytes ${field.at}..${field.at + size - 1})`,
      };
    if (field.type === 'string') values.push(readText(frame, field.at, size));
    else values.push(readRaw(frame, field.at, field.type, field.endian === 'little') * field.scale + field.offset);
  }
  return { values };
}

export function decodeFrame(profile: ProfileConfig, frame: Buffer): Decoded {
  switch (profile.format) {
    case 'binary':
      return decodeBinary(profile, frame);
    case 'text':
      return decodeText(profile, frame);
    case 'registers':
      return decodeRegisters(profile, frame);
  }
}
