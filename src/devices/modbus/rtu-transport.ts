/**
 * fieldgate's Modbus RTU master transport on one serial line (DESIGN §2.4, §4):
 *   - one exchange at a time (the caller, the device queue, guarantees it; a second is refused);
 *   - the t3.5 gap before every frame, counted from the last byte seen on the line (received, or the
 *     end of our own frame), so only the remainder is waited;
 *   - bytes that arrive while no exchange waits are stale and dropped (late replies, noise): a reply
 *     is only ever matched against the request it follows;
 *   - the reply's end from its function code, with a silence fallback; unit, function, CRC and shape
 *     checked (RtuReplyMatcher);
 *   - broadcast (unit 0) waits for no reply, only the turnaround delay;
 *   - the port is reopened with backoff (ReopeningPort).
 */
import { BROADCAST_UNIT, encodeRtuFrame } from '../../codec/rtu/frame.js';
import { RtuReplyMatcher } from '../../codec/rtu/reply-matcher.js';
import { interFrameMs, transmitMs } from '../../codec/rtu/timing.js';
import type { Logger } from '../../log.js';
import type { DeviceState } from '../device.js';
import type { Backoff } from '../../transport/backoff.js';
import type { ExchangeResult, ModbusMaster } from './master.js';
import { ReopeningPort } from './reopening-port.js';
import { openSerialPort, type PortOpener, type SerialLine } from './serial-port.js';
import { waitUntil } from './wait-until.js';

export interface RtuTransportOptions {
  readonly line: SerialLine;
  readonly log: Logger;
  readonly open?: PortOpener;
  /** ms waited after a broadcast before the next frame (devices act on it meanwhile). */
  readonly turnaroundMs?: number;
  /** ms of silence that ends a reply whose length its function code does not tell. */
  readonly silenceMs?: number;
  readonly backoff?: Backoff;
  readonly onState?: (state: DeviceState, error?: string) => void;
}

interface Active {
  readonly matcher: RtuReplyMatcher;
  readonly resolve: (r: ExchangeResult) => void;
  timer?: NodeJS.Timeout;
  silenceTimer?: NodeJS.Timeout;
}

export const DEFAULT_TURNAROUND_MS = 100;

export class RtuTransport implements ModbusMaster {
  /** Frames received with a bad CRC. */
  crcErrors = 0;
  /** Bytes that arrived when no request waited for them. */
  staleBytes = 0;
  /** Valid frames that did not answer the request in flight (late replies). */
  mismatched = 0;
  readonly gapMs: number;
  private readonly port: ReopeningPort;
  private readonly silenceMs: number;
  private readonly turnaroundMs: number;
  private lastByteAt = 0;
  private active: Active | undefined;
  private busy = false;

  constructor(private readonly o: RtuTransportOptions) {
    this.gapMs = interFrameMs(o.line);
    this.silenceMs = o.silenceMs ?? Math.max(this.gapMs, 10);
    this.turnaroundMs = o.turnaroundMs ?? DEFAULT_TURNAROUND_MS;
    this.port = new ReopeningPort({
      line: o.line,
      open: o.open ?? openSerialPort,
      log: o.log,
      onData: (chunk) => this.onData(chunk),
      onState: (state, error) => this.onState(state, error),
      ...(o.backoff ? { backoff: o.backoff } : {}),
    });
  }

  get state(): DeviceState {
    return this.port.state;
  }

  start(): void {
    this.port.start();
  }

  capacity(): number {
    return this.port.state === 'up' ? 1 : 0;
  }

  counters(): { crcErrors: number; mismatched: number } {
    return { crcErrors: this.crcErrors, mismatched: this.mismatched };
  }

  stop(): Promise<void> {
    this.finish({ kind: 'down', error: 'stopped' });
    return this.port.stop();
  }

  /** Sends one request and waits for its reply (or the turnaround, for a broadcast). */
  async exchange(unit: number, pdu: Buffer, timeoutMs: number): Promise<ExchangeResult> {
    if (this.busy) return { kind: 'down', error: 'internal: exchange while another is in flight' };
    if (this.port.state !== 'up') return { kind: 'down', error: 'serial port is not open' };
    this.busy = true;
    try {
      await waitUntil(this.lastByteAt + this.gapMs);
      if (this.port.state !== 'up') return { kind: 'down', error: 'serial port is not open' };
      return await this.send(unit, pdu, timeoutMs);
    } finally {
      this.busy = false;
    }
  }

  private send(unit: number, pdu: Buffer, timeoutMs: number): Promise<ExchangeResult> {
    const frame = encodeRtuFrame(unit, pdu);
    const wireMs = transmitMs(this.o.line, frame.length);
    this.lastByteAt = performance.now() + wireMs;
    return new Promise<ExchangeResult>((resolve) => {
      if (unit === BROADCAST_UNIT) {
        this.port.write(frame, (err) => {
          if (err) return resolve(this.writeFailed(err));
          this.lastByteAt = Math.max(this.lastByteAt, performance.now());
          void waitUntil(this.lastByteAt + this.turnaroundMs).then(() => resolve({ kind: 'sent' }));
        });
        return;
      }
      const active: Active = { matcher: new RtuReplyMatcher(unit, pdu), resolve };
      this.active = active;
      active.timer = setTimeout(() => this.onTimeout(active), timeoutMs + wireMs);
      this.port.write(frame, (err) => {
        if (err && this.active === active) this.finish(this.writeFailed(err));
      });
    });
  }

  private writeFailed(err: Error): ExchangeResult {
    this.o.log.warn({ error: err.message }, 'serial write failed');
    this.port.fail(err.message);
    return { kind: 'down', error: `serial write failed: ${err.message}` };
  }

  private onData(chunk: Buffer): void {
    this.lastByteAt = performance.now();
    const active = this.active;
    if (!active) {
      this.staleBytes += chunk.length;
      return;
    }
    const outcome = active.matcher.feed(chunk);
    if (outcome?.kind === 'reply') return this.finish({ kind: 'reply', pdu: outcome.pdu });
    clearTimeout(active.silenceTimer);
    active.silenceTimer = setTimeout(() => this.onSilence(active), this.silenceMs);
  }

  private onSilence(active: Active): void {
    if (this.active !== active) return;
    const outcome = active.matcher.silence();
    if (outcome?.kind === 'reply') this.finish({ kind: 'reply', pdu: outcome.pdu });
    else if (outcome?.kind === 'crc') this.finish({ kind: 'crc' });
  }

  private onTimeout(active: Active): void {
    if (this.active !== active) return;
    const outcome = active.matcher.silence();
    if (outcome?.kind === 'reply') this.finish({ kind: 'reply', pdu: outcome.pdu });
    else this.finish(outcome?.kind === 'crc' ? { kind: 'crc' } : { kind: 'timeout' });
  }

  private finish(result: ExchangeResult): void {
    const active = this.active;
    if (!active) return;
    this.active = undefined;
    clearTimeout(active.timer);
    clearTimeout(active.silenceTimer);
    if (result.kind === 'crc') this.crcErrors++;
    this.mismatched += active.matcher.mismatched;
    active.resolve(result);
  }

  private onState(state: DeviceState, error?: string): void {
    if (state !== 'up') this.finish({ kind: 'down', error: error ?? 'serial port closed' });
    this.o.onState?.(state, error);
  }
}
