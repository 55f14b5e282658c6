/**
 * A raw device link (`type: tcp` or `type: serial`): a line fieldgate keeps open by itself, whose
 * incoming bytes are cut into whole frames by the device's framing and handed to the bridges that
 * use it. What bridges send goes out whole and in order. While the device is not up, frames sent to
 * it are dropped and counted, never buffered; the log says so once per outage, not once per frame.
 */
import type { DecodeCounters } from '../bank/frame-decoder.js';
import { createFramer, FrameBatch, type Framer } from '../codec/framers/index.js';
import type { SerialDeviceConfig, TcpDeviceConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import { Backoff } from '../transport/backoff.js';
import { ReconnectingLine, type LineOpener, type LineState } from '../transport/line.js';
import type { DeviceLink, DeviceStatus } from './device.js';

export type RawDeviceConfig = TcpDeviceConfig | SerialDeviceConfig;

/** What a bridge hears from its device. */
export interface RawLinkListener {
  /**
   * `frames` whole frames from the device, in order, as runs in `chunks`: valid only during the call
   * (views of a reused read buffer, transport/read-buffer.ts); copy what must outlive it.
   */
  frames(chunks: readonly Buffer[], frames: number): void;
  /** The device took what was written: sources paused on `full` may resume. */
  drain(): void;
  state(state: LineState): void;
}

/** A raw device's status: requests = frames sent to it; `dropped`: frames dropped while it was not up. */
export interface RawDeviceStatus extends DeviceStatus {
  readonly framesIn: number;
  readonly dropped: number;
  /** Devices with `decode:`: frames stored into the bank and refused. */
  readonly decoded?: DecodeCounters;
}

/** Sent; sent but the device is backed up (pause until drain); dropped (the device is not up). */
export type SendResult = 'ok' | 'full' | 'dropped';

export interface RawLinkCounters {
  framesOut: number;
  framesIn: number;
  /** Frames dropped because the device was not up, since start. */
  dropped: number;
}

export class RawDeviceLink implements DeviceLink {
  readonly name: string;
  readonly counters: RawLinkCounters = { framesOut: 0, framesIn: 0, dropped: 0 };
  /** Set when what the device sends is decoded into a bank (decode-link.ts). */
  decoded: DecodeCounters | undefined;
  private readonly line: ReconnectingLine;
  private readonly listeners = new Set<RawLinkListener>();
  private readonly batch = new FrameBatch(false);
  private framer: Framer;
  /** Frames dropped in the current outage (0: none, and nothing logged yet). */
  private droppedInOutage = 0;

  constructor(
    readonly config: RawDeviceConfig,
    opener: LineOpener,
    private readonly log: Logger,
  ) {
    this.name = config.name;
    this.framer = createFramer(config.framing);
    this.line = new ReconnectingLine(opener, new Backoff(config.reconnect), log, {
      data: (chunk) => this.onData(chunk),
      state: (state) => this.onState(state),
      drain: () => this.listeners.forEach((l) => l.drain()),
    });
  }

  get state(): LineState {
    return this.line.state;
  }

  start(): Promise<void> {
    this.line.start();
    return Promise.resolve();
  }

  stop(): Promise<void> {
    return this.line.stop();
  }

  subscribe(listener: RawLinkListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Writes `chunks` (holding `frames` whole frames) in order, in one go. */
  send(chunks: readonly Buffer[], frames: number): SendResult {
    const result = this.line.write(chunks);
    if (result !== 'down') {
      this.counters.framesOut += frames;
      return result;
    }
    this.counters.dropped += frames;
    if (this.droppedInOutage === 0) {
      this.log.warn(
        { state: this.line.state, lastError: this.line.lastError },
        'device is not up: frames sent to it are dropped until it is back',
      );
    }
    this.droppedInOutage += frames;
    return 'dropped';
  }

  status(): RawDeviceStatus {
    return {
      name: this.name,
      type: this.config.type,
      state: this.line.state,
      queue: this.line.writableLength,
      requests: this.counters.framesOut,
      timeouts: 0,
      lastError: this.line.lastError,
      framesIn: this.counters.framesIn,
      dropped: this.counters.dropped,
      ...(this.decoded ? { decoded: { ...this.decoded } } : {}),
    };
  }

  private onData(chunk: Buffer): void {
    const batch = this.batch;
    const error = this.framer.feed(chunk, batch.add);
    if (batch.frames > 0) {
      this.counters.framesIn += batch.frames;
      const chunks = batch.seal();
      for (const l of this.listeners) l.frames(chunks, batch.frames);
      batch.clear();
    }
    if (error) {
      this.log.warn(
        { reason: error.reason, bytes: error.bytes.toString('hex') },
        'device framing error: reconnecting to start a clean stream',
      );
      this.line.drop(`framing error: ${error.reason}`);
    }
  }

  private onState(state: LineState): void {
    if (state === 'up') {
      this.framer = createFramer(this.config.framing); // nothing of the last connection leaks into this one
      if (this.droppedInOutage > 0)
        this.log.info({ dropped: this.droppedInOutage }, 'device is back: frames were dropped while it was not up');
      this.droppedInOutage = 0;
    }
    for (const l of this.listeners) l.state(state);
  }
}

export function isRawLink(link: DeviceLink | undefined): link is RawDeviceLink {
  return link instanceof RawDeviceLink;
}
