/**
 * Text profiles (`format: text`): a line, its delimiter stripped, split at `separator`; each field is
 * the part at its index: `number` (value = raw * scale + offset), `string`, or `enum` (a word mapped
 * to a number). Pure; allocates (text is not the hot path).
 */
import type { ProfileConfig, ProfileField } from '../../config/types.js';

/** The line of a frame without its delimiter (the profile's, or a trailing CR/LF). */
function lineOf(profile: ProfileConfig, frame: Buffer): string {
  let text = frame.toString('latin1');
  const f = profile.framing;
  if (f.type === 'line' && text.endsWith(f.delimiter)) text = text.slice(0, text.length - f.delimiter.length);
  return text.replace(/[\r\n]+$/, '');
}

function fieldValue(field: ProfileField, part: string): number | string {
  const text = part.trim();
  if (field.type === 'string') return text;
  if (field.type === 'enum') {
    const v = field.values?.get(text);
    if (v === undefined)
      return `field ${field.name}: ${JSON.stringify(text)} is not one of ${[...(field.values?.keys() ?? [])].join(', ')}`;
    return v;
  }
  const raw = text === '' ? Number.NaN : Number(text);
  if (!Number.isFinite(raw)) return `field ${field.name}: ${JSON.stringify(text)} is not a number`;
  return raw * field.scale + field.offset;
}

export function decodeText(profile: ProfileConfig, frame: Buffer): { values: (number | string)[] } | { error: string } {
  const parts = lineOf(profile, frame).split(profile.separator);
  const values: (number | string)[] = [];
  for (const field of profile.fields) {
    const part = parts[field.at];
    if (part === undefined)
      return { error: `line has ${parts.length} fields: ${field.name} is field ${field.at} (counting from 0)` };
    const value = fieldValue(field, part);
    if (typeof value === 'string' && field.type !== 'string') return { error: value };
    values.push(value);
  }
  return { values };
}

function formatNumber(raw: number): string {
  return Number.isInteger(raw) ? String(raw) : String(Number(raw.toFixed(6)));
}

function partOf(field: ProfileField, value: number | string | boolean | undefined): string {
  if (value === undefined) return '';
  if (field.type === 'string') return String(value);
  if (field.type === 'enum') {
    if (typeof value === 'string' && field.values?.has(value)) return value;
    const n = Number(value);
    for (const [word, v] of field.values ?? []) if (v === n) return word;
    return String(value);
  }
  const n = typeof value === 'number' ? value : Number(value);
  return formatNumber((n - field.offset) / field.scale);
}

/** The line for `values` (field name -> value), parts joined with the separator, delimiter appended. */
export function encodeText(profile: ProfileConfig, values: ReadonlyMap<string, number | string | boolean>): Buffer {
  const width = profile.fields.reduce((n, f) => Math.max(n, f.at + 1), 0);
  const parts: string[] = new Array<string>(width).fill('');
  for (const field of profile.fields) parts[field.at] = partOf(field, values.get(field.name));
  const f = profile.framing;
  const end = f.type === 'line' ? f.delimiter : '';
  return Buffer.from(parts.join(profile.separator) + end, 'latin1');
}
