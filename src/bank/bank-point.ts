/**
 * A point of a live bank: its config, where it lives, when it was last written, and fast set/get.
 * Numeric points are encoded straight into the bank's table through one scratch buffer (no
 * allocation per write: decoded frames write hundreds of thousands of points a second).
 */
import type { PointConfig } from '../config/types.js';
import { decodePoint, encodePoint, intRange, registerCount, type PointValue } from '../codec/point-codec.js';

const scratch = Buffer.alloc(8);

/**
 * Told when a point was written (its value may or may not differ): the MQTT publisher (bank.watchPoints).
 * `value` is the engineering value the bank now holds when the writer knows it (a store); absent (a
 * client's write, a poll) the sink reads it with `get()`.
 */
export interface PointSink {
  changed(point: BankPoint, value?: PointValue): void;
}

export class BankPoint {
  readonly name: string;
  /** Registers (or bits) the point occupies. */
  readonly count: number;
  /** Where its first register is in the table's array: its address less the table's start. */
  readonly index: number;
  /** ms since the epoch of the last write (a store by fieldgate or a client's write); 0 = never. */
  updatedAt = 0;
  /** Who is told about writes; undefined (nobody publishes the bank) costs one check per write. */
  sink: PointSink | undefined = undefined;
  private readonly range: readonly [number, number] | undefined;
  /** The raw number the last numeric store wrote (rounded as the registers hold it). */
  private stored = 0;
  private readonly swapWords: boolean;
  private readonly swapBytes: boolean;

  constructor(
    readonly config: PointConfig,
    private readonly table: Uint16Array | Uint8Array,
    start = 0,
    /** Its position among the bank's points (0..points-1), for per-point arrays of the bank's readers. */
    readonly ordinal = 0,
  ) {
    this.name = config.name;
    this.index = config.address - start;
    this.count = registerCount(config);
    this.range = intRange(config.type);
    this.swapWords = config.order === 'CDAB' || config.order === 'DCBA';
    this.swapBytes = config.order === 'BADC' || config.order === 'DCBA';
  }

  /** Stores an engineering value; returns why it cannot be stored (out of range, not a number). */
  set(value: PointValue, at: number = Date.now()): string | undefined {
    const c = this.config;
    let held: PointValue | undefined;
    if (c.type === 'bool') {
      const on = value === true || (typeof value === 'number' && value !== 0) || value === '1';
      this.table[this.index] = on ? 1 : 0;
      held = on;
    } else if (typeof value === 'number' && c.type !== 'string') {
      const error = this.setNumber((value - c.offset) / c.scale);
      if (error !== undefined) return error;
      if (this.sink !== undefined) held = this.stored * c.scale + c.offset; // what get() would decode
    } else {
      const words = encodePoint(c, value);
      if (typeof words === 'string') return words;
      this.table.set(words, this.index);
    }
    this.updatedAt = at;
    this.sink?.changed(this, held);
    return undefined;
  }

  /** The point's registers were written in place (a client's write, a poll) at `at`. */
  touched(at: number): void {
    this.updatedAt = at;
    this.sink?.changed(this);
  }

  /** The engineering value the registers hold (numbers without allocating: the publisher reads many). */
  get(): PointValue {
    const c = this.config;
    const t = this.table;
    switch (c.type) {
      case 'bool':
        return (t[this.index] ?? 0) !== 0;
      case 'string':
        return decodePoint(c, t.subarray(this.index, this.index + this.count));
      case 'int16':
      case 'uint16': {
        const w = t[this.index] ?? 0;
        const v = this.swapBytes ? ((w & 0xff) << 8) | (w >> 8) : w;
        return (c.type === 'int16' && v >= 0x8000 ? v - 0x10000 : v) * c.scale + c.offset;
      }
      default: {
        // the registers back into scratch's big-endian bytes (the inverse of place)
        const n = this.count;
        for (let i = 0; i < n; i++) {
          const w = t[this.index + i] ?? 0;
          const at = 2 * (this.swapWords ? n - 1 - i : i);
          scratch[at] = this.swapBytes ? w & 0xff : w >> 8;
          scratch[at + 1] = this.swapBytes ? w >> 8 : w & 0xff;
        }
        const raw =
          c.type === 'int32'
            ? scratch.readInt32BE(0)
            : c.type === 'uint32'
              ? scratch.readUInt32BE(0)
              : c.type === 'float32'
                ? scratch.readFloatBE(0)
                : scratch.readDoubleBE(0);
        return raw * c.scale + c.offset;
      }
    }
  }

  private setNumber(raw: number): string | undefined {
    const type = this.config.type;
    const range = this.range;
    if (range) {
      const v = Math.round(raw);
      if (!(v >= range[0] && v <= range[1])) return `${raw} is outside ${type} (${range[0]}..${range[1]})`;
      this.stored = v;
      if (type === 'int16' || type === 'uint16') {
        this.table[this.index] = this.swapBytes ? ((v & 0xff) << 8) | ((v >> 8) & 0xff) : v & 0xffff;
        return undefined;
      }
      if (type === 'int32') scratch.writeInt32BE(v);
      else scratch.writeUInt32BE(v);
    } else if (type === 'float32') {
      scratch.writeFloatBE(raw);
      this.stored = Math.fround(raw);
    } else {
      scratch.writeDoubleBE(raw);
      this.stored = raw;
    }
    this.place(this.count);
    return undefined;
  }

  /** scratch's first 2n big-endian bytes -> n registers in the point's order. */
  private place(n: number): void {
    const base = this.index;
    for (let i = 0; i < n; i++) {
      const src = this.swapWords ? n - 1 - i : i;
      const hi = scratch[2 * src] as number;
      const lo = scratch[2 * src + 1] as number;
      this.table[base + i] = this.swapBytes ? (lo << 8) | hi : (hi << 8) | lo;
    }
  }
}
