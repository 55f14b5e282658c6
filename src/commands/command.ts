/**
 * One running command: a client's write into its bank point (reported by `bank.onWrite`, after the
 * write was applied, so the client has its normal reply at once) that fires the trigger builds the
 * frame from the values of that moment and sends it to the raw device, looked up by name at send time
 * (a reload replaces device links). With `reply`, the next frame the device sends within the timeout
 * is decoded into the bank; with `reset`, the point is set back to 0 when the command is done: reply
 * stored or refused, timeout, frame dropped (device down or not running) or not buildable.
 *
 * One command in flight at a time: a trigger that fires while a reply is awaited is held (one only:
 * a later trigger replaces it, as the newest write is what the operator means) and sent when the
 * pending one is done. Frames the device sends while no reply is awaited (a reply after its timeout,
 * unsolicited lines) are ignored; a line protocol carries no request id, so a late reply that comes
 * after the next command was sent is taken as that command's reply. Nothing the device sends and
 * nothing a client writes can throw out of here.
 */
import type { Bank } from '../bank/bank.js';
import type { PointValue } from '../codec/point-codec.js';
import type { CommandConfig, TableName } from '../config/types.js';
import type { DeviceLink } from '../devices/device.js';
import { isRawLink, type RawDeviceLink, type RawLinkListener } from '../devices/raw-link.js';
import type { Logger } from '../log.js';
import type { LineState } from '../transport/line.js';
import { LogLimit } from '../log-limit.js';
import { compileFrame, type CompiledFrame } from './frame.js';
import { firstFrame } from './reply-frame.js';
import { fires } from './trigger.js';

export interface CommandCounters {
  /** Writes that fired the trigger. */
  triggers: number;
  /** Frames handed to the device. */
  sent: number;
  /** Replies decoded and stored. */
  replies: number;
  /** Replies that came in time but could not be decoded (nothing stored). */
  refused: number;
  timeouts: number;
  /** Frames not sent (device down or not running), or replies lost to the device going down. */
  dropped: number;
  /** Frames that could not be built (a value that does not fit its field). */
  failed: number;
  /** Triggers held while a reply was awaited (a held one replaced by a newer one counts too). */
  queued: number;
}

export interface CommandDeps {
  readonly bank: Bank;
  readonly devices: ReadonlyMap<string, DeviceLink>;
  /** Decodes and stores a reply: undefined when stored, else why it was refused. */
  readonly store?: (frame: Buffer) => string | undefined;
  readonly log: Logger;
}

export interface CommandStatus extends CommandCounters {
  readonly name: string;
  readonly device: string;
  readonly pending: boolean;
}

export class Command implements RawLinkListener {
  readonly counters: CommandCounters = {
    triggers: 0,
    sent: 0,
    replies: 0,
    refused: 0,
    timeouts: 0,
    dropped: 0,
    failed: 0,
    queued: 0,
  };
  private readonly frame: CompiledFrame | string;
  private readonly failures: LogLimit;
  private last: PointValue = 0;
  private timer: NodeJS.Timeout | undefined;
  private waiting = false;
  private held: Buffer | undefined;
  private link: RawDeviceLink | undefined;
  private unsubscribe: (() => void) | undefined;
  private unwatch: (() => void) | undefined;

  constructor(
    readonly config: CommandConfig,
    private readonly deps: CommandDeps,
  ) {
    this.frame = compileFrame(config.frame);
    this.failures = new LogLimit(deps.log);
  }

  start(): void {
    this.last = this.deps.bank.point(this.config.point)?.get() ?? 0;
    this.unwatch = this.deps.bank.onWrite((table, address, count) => this.written(table, address, count));
    this.follow();
  }

  /** Stops listening; a command still awaiting its reply ends as dropped (its point reset, if asked). */
  stop(): void {
    this.unwatch?.();
    this.unwatch = undefined;
    this.held = undefined;
    if (this.waiting) {
      this.settle();
      this.counters.dropped++;
      this.done();
    }
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.link = undefined;
    this.failures.stop(); // what was counted but not yet logged
  }

  status(): CommandStatus {
    return { name: this.config.name, device: this.config.device, pending: this.waiting, ...this.counters };
  }

  /** A client wrote into the bank. */
  written(table: TableName, address: number, count: number): void {
    const point = this.deps.bank.point(this.config.point);
    if (!point || point.config.table !== table) return;
    if (address >= point.config.address + point.count || address + count <= point.config.address) return;
    try {
      const value = point.get();
      const before = this.last;
      this.last = value;
      if (fires(this.config.on, before, value)) this.trigger(value);
    } catch (err) {
      this.deps.log.error({ err }, 'command failed on a client write (a bug in fieldgate): the write is kept');
    }
  }

  private trigger(value: PointValue): void {
    this.counters.triggers++;
    const frame = this.build(value);
    if (frame === undefined) {
      if (!this.waiting) this.done();
      return;
    }
    if (this.waiting) {
      this.held = frame;
      this.counters.queued++;
      return;
    }
    this.send(frame);
  }

  private build(value: PointValue): Buffer | undefined {
    const bank = this.deps.bank;
    const frame =
      typeof this.frame === 'string'
        ? this.frame
        : this.frame.build((name) => (name === 'value' ? value : bank.point(name)?.get()));
    if (typeof frame !== 'string') return frame;
    this.counters.failed++;
    this.failures.hit('command frame cannot be built: nothing sent', { value, reason: frame });
    return undefined;
  }

  private send(frame: Buffer): void {
    const link = this.follow();
    const result = link ? link.send([frame], 1) : 'dropped';
    if (result === 'dropped') {
      this.counters.dropped++;
      this.failures.hit('command frame dropped: the device is not up', {
        device: this.config.device,
        running: link !== undefined,
      });
      return this.done();
    }
    this.counters.sent++;
    if (!this.config.reply) return this.done();
    this.waiting = true;
    this.timer = setTimeout(() => this.timedOut(), this.config.reply.timeout);
    this.timer.unref?.();
  }

  /** From the device: the first frame while a reply is awaited is the reply. */
  frames(chunks: readonly Buffer[]): void {
    if (!this.waiting || !this.link) return;
    const frame = firstFrame(chunks, this.link.config.framing);
    if (frame === undefined) return;
    this.settle();
    let reason: string | undefined;
    try {
      reason = this.deps.store ? this.deps.store(frame) : undefined;
    } catch (err) {
      reason = `decoding failed: ${err instanceof Error ? err.message : String(err)}`;
    }
    if (reason === undefined) this.counters.replies++;
    else {
      this.counters.refused++;
      this.failures.hit('command reply refused: nothing stored', { reason }, frame);
    }
    this.done();
  }

  drain(): void {
    // Frames are sent one at a time and never held here: nothing waits for a drain.
  }

  state(state: LineState): void {
    if (state === 'up' || !this.waiting) return;
    this.settle();
    this.counters.dropped++;
    this.failures.hit('command reply lost: the device went down while it was awaited', {
      device: this.config.device,
      state,
    });
    this.done();
  }

  private timedOut(): void {
    if (!this.waiting) return;
    this.settle();
    this.counters.timeouts++;
    this.failures.hit('command reply timed out', { device: this.config.device, timeout: this.config.reply?.timeout });
    this.done();
  }

  private settle(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.waiting = false;
  }

  /** The command is over: reset the point if asked, then send a held trigger. */
  private done(): void {
    if (this.config.reset) {
      const point = this.deps.bank.point(this.config.point);
      const error = point?.set(0);
      if (error !== undefined) this.failures.hit('command point cannot be set back to 0', { reason: error });
      this.last = point?.get() ?? 0;
    }
    const held = this.held;
    this.held = undefined;
    if (held) this.send(held);
  }

  /** The device's current link, subscribed to (again, when a reload replaced it). */
  private follow(): RawDeviceLink | undefined {
    const found = this.deps.devices.get(this.config.device);
    const link = isRawLink(found) ? found : undefined;
    if (link === this.link) return link;
    this.unsubscribe?.();
    this.link = link;
    this.unsubscribe = link?.subscribe(this);
    return link;
  }
}
