/**
 * Rules over a whole profile layout: no two fields overlap (nor the sync bytes or the checksum),
 * nothing lies past the end of a fixed-size frame, the checksum covers a range inside the frame.
 * Also the shortest valid frame (`minLength`), which the decoder checks before reading fields.
 */
import { registerCount } from '../../codec/point-codec.js';
import { binaryFieldSize } from '../../codec/profile/binary-field.js';
import { checksumSize } from '../../codec/profile/checksum.js';
import { fieldFormat } from '../../codec/profile/register-codec.js';
import { problem, type Path, type Problem } from '../issues.js';
import type { ProfileField, ProfileFormat } from './field.js';
import type { ProfileChecksum } from './parts.js';

/** Something that occupies bytes (or registers): a field, the sync, the checksum. */
interface Span {
  readonly what: string;
  readonly path: Path;
  readonly at: number;
  readonly size: number;
}

/** A field that did not pass its own checks but says where it starts: checked only against the frame's end. */
export interface LooseField {
  readonly name: string;
  /** Its place in the file's `fields:` list. */
  readonly index: number;
  readonly at: number;
}

export interface Layout {
  readonly fields: readonly ProfileField[];
  /** Each field's place in the file's `fields:` list (default: its place in `fields`). */
  readonly indices?: readonly number[];
  readonly loose?: readonly LooseField[];
  readonly sync?: { readonly at: number; readonly bytes: Buffer };
  readonly checksum?: ProfileChecksum;
}

function spans(format: ProfileFormat, layout: Layout): Span[] {
  const out: Span[] = layout.fields.map((f, i) => ({
    what: `field ${f.name}`,
    path: ['fields', layout.indices?.[i] ?? i, 'at'],
    at: f.at,
    size: format === 'binary' ? binaryFieldSize(f) : format === 'registers' ? registerCount(fieldFormat(f)) : 1,
  }));
  if (layout.sync)
    out.push({ what: 'the sync bytes', path: ['sync', 'at'], at: layout.sync.at, size: layout.sync.bytes.length });
  if (layout.checksum)
    out.push({
      what: 'the checksum',
      path: ['checksum', 'at'],
      at: layout.checksum.at,
      size: checksumSize(layout.checksum.type),
    });
  return out;
}

const unit = (format: ProfileFormat) => (format === 'registers' ? 'registers' : format === 'text' ? 'index' : 'bytes');

function range(s: Span, format: ProfileFormat): string {
  return s.size === 1
    ? `${unit(format) === 'index' ? 'index' : unit(format).replace(/s$/, '')} ${s.at}`
    : `${unit(format)} ${s.at}..${s.at + s.size - 1}`;
}

/** Spans at negative positions are placed for a frame of `size` bytes (undefined: left out). */
function place(list: Span[], size: number | undefined): Span[] {
  return list.flatMap((s) => (s.at >= 0 ? [s] : size === undefined ? [] : [{ ...s, at: size + s.at }]));
}

function checksumRange(c: ProfileChecksum, size: number | undefined): Problem[] {
  const resolve = (v: number) => (v < 0 && size !== undefined ? size + v : v);
  const from = resolve(c.from);
  const to = resolve(c.to);
  const sameSide = from < 0 === to < 0;
  const bad =
    size !== undefined ? !(from >= 0 && from < to && to <= size) : (from < 0 && to >= 0) || (sameSide && from >= to);
  if (!bad) return [];
  const frame = size !== undefined ? ` of the ${size}-byte frame` : ' of the frame';
  return [
    problem(
      ['checksum', 'to'],
      `the checksum covers bytes [${c.from}, ${c.to}): that is no bytes${frame} (from must come before to)`,
    ),
  ];
}

export function layoutProblems(format: ProfileFormat, size: number | undefined, layout: Layout): Problem[] {
  const problems: Problem[] = [];
  const placed = place(spans(format, layout), size);
  const inside: Span[] = [];
  for (const s of placed) {
    if (s.at < 0 || (size !== undefined && s.at + s.size > size)) {
      problems.push(
        problem(s.path, `${s.what} (${range(s, format)}) is outside the ${size}-byte frame (0..${(size ?? 0) - 1})`),
      );
      continue;
    }
    const other = inside.find((o) => s.at < o.at + o.size && o.at < s.at + s.size);
    if (other)
      problems.push(
        problem(s.path, `${s.what} (${range(s, format)}) overlaps ${other.what} (${range(other, format)})`),
      );
    inside.push(s);
  }
  if (size !== undefined) {
    for (const f of layout.loose ?? []) {
      if (f.at >= size)
        problems.push(
          problem(
            ['fields', f.index, 'at'],
            `field ${f.name} (from ${unit(format).replace(/s$/, '')} ${f.at}) is outside the ${size}-byte frame (0..${size - 1})`,
          ),
        );
    }
  }
  if (layout.checksum && format === 'binary') problems.push(...checksumRange(layout.checksum, size));
  return problems;
}

/** Shortest frame with every field, the sync and the checksum in it (fixed framing: its size). */
export function minLength(format: ProfileFormat, size: number | undefined, layout: Layout): number {
  if (size !== undefined) return size;
  if (format !== 'binary') return 0;
  let end = 0;
  let tail = 0;
  for (const s of spans(format, layout)) {
    if (s.at >= 0) end = Math.max(end, s.at + s.size);
    else tail = Math.max(tail, -s.at);
  }
  return end + tail;
}
