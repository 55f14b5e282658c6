/**
 * `handler: { bridge: DEVICE }`: the server's sessions talk to one raw device link.
 *   session → device: whole frames, one write at a time, so two clients never interleave bytes
 *     inside a frame; when the device is backed up, the sending session stops reading until the
 *     device drains (real backpressure, end to end); when it is down, frames are dropped and
 *     counted by the link (never buffered), and no session is closed.
 *   device → sessions: whole frames (the device's framing) to every session, or with
 *     `reply: sender` to the session whose frame was sent last (request/response peers).
 * The device is looked up by name in the gateway's live map whenever it is used (and every second),
 * so a device rebuilt by a reload is followed without restarting the server.
 */
import type { Logger } from 'pino';
import { isRawLink, type RawDeviceLink, type RawLinkListener } from '../../devices/raw-link.js';
import type { DeviceLink } from '../../devices/device.js';
import type { LineState } from '../../transport/line.js';
import type { RawHandler } from '../handler.js';
import type { RawSession } from '../raw-session.js';

/** How often the bridge checks that it still talks to the device's current link. */
const FOLLOW_EVERY_MS = 1000;

export interface BridgeOptions {
  readonly device: string;
  readonly reply: 'all' | 'sender';
  readonly devices: ReadonlyMap<string, DeviceLink>;
  readonly log: Logger;
}

export class BridgeHandler implements RawHandler, RawLinkListener {
  private readonly sessions = new Set<RawSession>();
  /** Sessions paused until the device drains. */
  private readonly waiting = new Set<RawSession>();
  private link: RawDeviceLink | undefined;
  private unsubscribe: (() => void) | undefined;
  private lastSender: RawSession | undefined;
  private unroutable = 0;
  private missing = false;
  private watch: NodeJS.Timeout | undefined;

  constructor(private readonly options: BridgeOptions) {}

  start(): Promise<void> {
    this.follow();
    this.watch = setInterval(() => this.follow(), FOLLOW_EVERY_MS).unref();
    return Promise.resolve();
  }

  stop(): Promise<void> {
    clearInterval(this.watch);
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.link = undefined;
    return Promise.resolve();
  }

  opened(session: RawSession): void {
    this.sessions.add(session);
  }

  received(session: RawSession, chunks: readonly Buffer[], frames: number): void {
    const link = this.follow();
    if (!link) return;
    const result = link.send(chunks, frames);
    if (result === 'dropped') return;
    this.lastSender = session;
    this.unroutable = 0;
    if (result === 'full') {
      session.hold('device');
      this.waiting.add(session);
    }
  }

  closed(session: RawSession): void {
    this.sessions.delete(session);
    this.waiting.delete(session);
    if (this.lastSender === session) this.lastSender = undefined;
  }

  /** From the device. */
  frames(chunks: readonly Buffer[], frames: number): void {
    if (this.options.reply === 'all') {
      for (const session of this.sessions) session.send(chunks);
      return;
    }
    const target = this.lastSender;
    if (target?.isOpen) return target.send(chunks);
    if (this.unroutable === 0)
      this.options.log.info('device sent a frame, but the session it answers is gone: dropped');
    this.unroutable += frames;
  }

  drain(): void {
    this.releaseWaiting();
  }

  state(state: LineState): void {
    // Paused senders must not wait for a drain that will not come: their frames are dropped instead.
    if (state !== 'up') this.releaseWaiting();
  }

  /** The device's current link (subscribing to it when it changed), or undefined when there is none. */
  private follow(): RawDeviceLink | undefined {
    const found = this.options.devices.get(this.options.device);
    const link = isRawLink(found) ? found : undefined;
    if (link === this.link) return link;
    this.unsubscribe?.();
    this.releaseWaiting();
    this.link = link;
    this.unsubscribe = link?.subscribe(this);
    if (!link && !this.missing)
      this.options.log.error(
        { device: this.options.device },
        'bridge device is not running: frames from sessions are dropped',
      );
    this.missing = !link;
    return link;
  }

  private releaseWaiting(): void {
    for (const session of this.waiting) session.release('device');
    this.waiting.clear();
  }
}
