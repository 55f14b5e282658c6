/**
 * The two kinds of compiled profile store (see profile-store.ts): binary frames read in place with
 * no allocation per numeric field, and text / register frames through decodeFrame. Both check every
 * value against its point first, then write them all with one timestamp.
 */
import { readRaw, readText } from '../codec/profile/binary-field.js';
import { decodeFrame } from '../codec/profile/decode.js';
import { intRange } from '../codec/point-codec.js';
import { frameProblem } from '../codec/profile/frame-check.js';
import type { ProfileConfig, ProfileField } from '../config/types.js';
import type { Bank } from './bank.js';
import type { BankPoint } from './bank-point.js';
import type { ProfileStore } from './frame-store.js';

/** One field, its points found in the bank. */
export interface Compiled {
  readonly field: ProfileField;
  readonly point: BankPoint | undefined;
  readonly little: boolean;
  readonly size: number;
  /** [bit, point] pairs. */
  readonly bits: readonly (readonly [number, BankPoint])[];
}

/** Why `value` cannot go into `point`, or undefined (the checks BankPoint.set would fail on). */
export function misfit(point: BankPoint, value: number | string): string | undefined {
  const c = point.config;
  if (c.type === 'bool') return undefined;
  if (c.type === 'string') {
    const text = String(value);
    return text.length > 2 * point.count
      ? `"${text}" is longer than the ${2 * point.count} characters of point ${c.name}`
      : undefined;
  }
  if (typeof value !== 'number') return `${JSON.stringify(value)} is not a number (point ${c.name} is ${c.type})`;
  const range = intRange(c.type);
  if (range === undefined) return undefined;
  const raw = Math.round((value - c.offset) / c.scale);
  return raw >= range[0] && raw <= range[1]
    ? undefined
    : `${value} does not fit point ${c.name} (${c.type}, scale ${c.scale}, offset ${c.offset})`;
}

abstract class BaseStore implements ProfileStore {
  constructor(
    readonly profile: ProfileConfig,
    readonly bank: Bank,
    protected readonly fields: readonly Compiled[],
    protected readonly broken: string | undefined,
    private readonly sample: BankPoint | undefined,
  ) {}

  get stale(): boolean {
    return this.sample !== undefined && this.bank.point(this.sample.name) !== this.sample;
  }

  store(frame: Buffer, at?: number): string | undefined {
    return this.storeRange(frame, 0, frame.length, at);
  }

  abstract storeRange(buf: Buffer, start: number, end: number, at?: number): string | undefined;
}

export class BinaryStore extends BaseStore {
  private readonly values = new Float64Array(this.fields.length);
  private readonly raws = new Float64Array(this.fields.length);
  private readonly texts: string[] = new Array<string>(this.fields.length).fill('');

  storeRange(buf: Buffer, start: number, end: number, at?: number): string | undefined {
    if (this.broken !== undefined) return this.broken;
    const problem = frameProblem(this.profile, buf, start, end);
    if (problem !== undefined) return problem;
    const fields = this.fields;
    for (let i = 0; i < fields.length; i++) {
      const c = fields[i] as Compiled;
      const f = c.field;
      const pos = start + f.at;
      if (pos + c.size > end) return `frame of ${end - start} bytes ends before field ${f.name}`;
      if (f.type === 'string') {
        const text = readText(buf, pos, c.size);
        this.texts[i] = text;
        if (c.point !== undefined) {
          const bad = misfit(c.point, text);
          if (bad !== undefined) return `field ${f.name}: ${bad}`;
        }
        continue;
      }
      const raw = readRaw(buf, pos, f.type, c.little);
      const value = raw * f.scale + f.offset;
      this.raws[i] = raw;
      this.values[i] = value;
      if (c.point !== undefined) {
        const bad = misfit(c.point, value);
        if (bad !== undefined) return `field ${f.name}: ${bad}`;
      }
    }
    this.write(at ?? Date.now());
    return undefined;
  }

  private write(now: number): void {
    const fields = this.fields;
    for (let i = 0; i < fields.length; i++) {
      const c = fields[i] as Compiled;
      if (c.field.type === 'string') {
        c.point?.set(this.texts[i] as string, now);
        continue;
      }
      c.point?.set(this.values[i] as number, now);
      const raw = this.raws[i] as number;
      for (let b = 0; b < c.bits.length; b++) {
        const pair = c.bits[b] as readonly [number, BankPoint];
        pair[1].set((raw >>> pair[0]) & 1, now);
      }
    }
  }
}

export class DecodedStore extends BaseStore {
  storeRange(buf: Buffer, start: number, end: number, at?: number): string | undefined {
    if (this.broken !== undefined) return this.broken;
    const decoded = decodeFrame(this.profile, start === 0 && end === buf.length ? buf : buf.subarray(start, end));
    if ('error' in decoded) return decoded.error;
    const { values } = decoded;
    for (let i = 0; i < this.fields.length; i++) {
      const point = this.fields[i]?.point;
      const bad = point === undefined ? undefined : misfit(point, values[i] as number | string);
      if (bad !== undefined) return `field ${this.fields[i]?.field.name}: ${bad}`;
    }
    const now = at ?? Date.now();
    this.fields.forEach((c, i) => {
      const value = values[i] as number | string;
      c.point?.set(value, now);
      for (const [bit, point] of c.bits) point.set(typeof value === 'number' ? (value >>> bit) & 1 : 0, now);
    });
    return undefined;
  }
}
