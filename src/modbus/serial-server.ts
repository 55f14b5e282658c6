/**
 * A Modbus server that is an RTU slave on a serial port (`serial:` instead of `listen:`): an HMI on
 * RS-485 is the master and reads the server's banks and routes.
 *   - framing: a request's end follows from its function code (codec/rtu/request-framer.ts); a new
 *     frame starts after the line has been quiet for t3.5 (at least RESYNC_FLOOR_MS: a pty or USB
 *     adapter hands bytes over in bursts, and Node cannot time 2 ms), so a partial frame or noise is
 *     dropped at the next silence; a bad CRC is dropped and counted; bytes that make no request
 *     (an unknown function code) are dropped until the line is quiet;
 *   - a request for a unit the server does not serve is ignored (another slave's, as a slave must);
 *   - broadcast (unit 0) writes are executed on every bank the server serves (once per bank), never
 *     answered; a broadcast read is ignored (broadcast-request.ts, shared with `frame: rtu` servers);
 *   - one request at a time (a master waits for its reply); a reply goes out no sooner than t3.5
 *     after the request's last byte; frames that come while a routed request is still out are dropped;
 *   - the port is reopened with backoff when it fails or goes away (ReconnectingLine).
 */
import { MBAP_HEADER_LENGTH } from '../codec/mbap.js';
import { BROADCAST_UNIT, encodeRtuFrame } from '../codec/rtu/frame.js';
import { RtuRequestFramer } from '../codec/rtu/request-framer.js';
import { interFrameMs } from '../codec/rtu/timing.js';
import type { ModbusServerConfig } from '../config/types.js';
import { waitUntil } from '../devices/modbus/wait-until.js';
import { serverLogger, type Logger } from '../log.js';
import { Backoff } from '../transport/backoff.js';
import { ReconnectingLine, type LineState } from '../transport/line.js';
import { openSerialPort, serialOpener, type PortFactory, type SerialPortLike } from '../transport/serial-opener.js';
import type { CloseReason, SessionStats } from '../transport/session-stream.js';
import type { GatewayServer, PortStatus, SerialLineStatus, ServerDeps } from '../servers/server.js';
import { createBroadcast, type Broadcast } from './broadcast-request.js';
import { createRequestHandler, type Reply, type RequestHandler } from './request-handler.js';
import { UnitRouter } from './unit-router.js';

/** The least silence that starts a new frame (ms). */
export const RESYNC_FLOOR_MS = 10;
/** Reopening the port: from 250 ms to 5 s, as a Modbus RTU device's port. */
const REOPEN = { min: 250, max: 5000, jitter: 0.2 };

export type SerialServerConfig = ModbusServerConfig & { readonly serial: NonNullable<ModbusServerConfig['serial']> };

export class ModbusSerialServer implements GatewayServer {
  readonly name: string;
  private readonly log: Logger;
  private readonly line: ReconnectingLine<SerialPortLike>;
  private readonly framer = new RtuRequestFramer();
  private readonly router: UnitRouter;
  private readonly handler: RequestHandler;
  /** Unit 0: a write executed on every bank served, never answered. */
  private readonly broadcastWrite: Broadcast;
  private readonly gapMs: number;
  private readonly resyncMs: number;
  private stats: SessionStats;
  private lastByteAt = 0;
  /** An unknown function code was seen: drop bytes until the line is quiet. */
  private discarding = false;
  private busy = false;
  private silence: NodeJS.Timeout | undefined;
  private ignored = 0;
  private broadcasts = 0;
  private dropped = 0;

  constructor(
    readonly config: SerialServerConfig,
    private readonly deps: ServerDeps,
    open: PortFactory = openSerialPort,
  ) {
    this.name = config.name;
    this.log = serverLogger(deps.log, config.name);
    const line = config.serial;
    this.gapMs = interFrameMs(line);
    this.resyncMs = Math.max(this.gapMs, RESYNC_FLOOR_MS);
    this.router = new UnitRouter(config.units, config.bank, deps.banks);
    this.handler = createRequestHandler(this.router, {
      readOnly: config.readOnly,
      identity: deps.identity,
      devices: deps.devices,
    });
    this.broadcastWrite = createBroadcast(this.router, this.handler, { readOnly: config.readOnly, log: this.log });
    this.stats = this.freshStats();
    this.line = new ReconnectingLine(serialOpener(line, open), new Backoff(REOPEN), this.log, {
      data: (chunk) => this.onData(chunk),
      state: (state) => this.onState(state),
      drain: () => undefined,
    });
  }

  get sessionCount(): number {
    return this.line.state === 'up' ? 1 : 0;
  }

  start(): Promise<void> {
    this.line.start();
    return Promise.resolve();
  }

  async stop(_reason: CloseReason, _graceMs: number): Promise<void> {
    clearTimeout(this.silence);
    await this.line.stop();
  }

  /** A serial server listens on no port. */
  ports(): PortStatus[] {
    return [];
  }

  /** The line, while it is open, as the server's one session. */
  sessionStats(): SessionStats[] {
    return this.line.state === 'up' ? [{ ...this.stats }] : [];
  }

  crcErrors(): number {
    return this.framer.crcErrors;
  }

  serialLine(): SerialLineStatus {
    const { ignored, broadcasts, dropped } = this;
    return {
      path: this.config.serial.path,
      state: this.line.state,
      lastError: this.line.lastError,
      ignored,
      broadcasts,
      dropped,
    };
  }

  private freshStats(): SessionStats {
    const id = this.deps.nextSessionId();
    return { id, remote: this.config.serial.path, since: new Date(), bytesIn: 0, bytesOut: 0, requests: 0 };
  }

  private onState(state: LineState): void {
    if (state === 'up') {
      this.stats = this.freshStats();
      this.framer.reset();
      this.discarding = false;
      this.log.info({ path: this.config.serial.path }, 'serial line open: serving as an RTU slave');
    }
  }

  private onData(chunk: Buffer): void {
    const now = performance.now();
    this.stats.bytesIn += chunk.length;
    if (now - this.lastByteAt >= this.resyncMs) this.lineWasQuiet();
    this.lastByteAt = now;
    clearTimeout(this.silence);
    this.silence = setTimeout(() => this.lineWasQuiet(), this.resyncMs);
    if (this.discarding) {
      this.dropped += chunk.length;
      return;
    }
    const error = this.framer.feed(chunk, (frame) => this.onFrame(frame));
    if (error) {
      this.discarding = true;
      this.dropped += error.bytes.length;
      this.log.debug(
        { reason: error.reason, bytes: error.bytes.toString('hex') },
        'bytes that make no request: dropped',
      );
    }
  }

  /** Silence: whatever was held is no frame; the next byte starts one. */
  private lineWasQuiet(): void {
    clearTimeout(this.silence);
    this.discarding = false;
    const held = this.framer.pendingBytes;
    if (held === 0) return;
    this.dropped += held;
    this.framer.reset();
  }

  private onFrame(frame: Buffer): void {
    const unit = frame[0] ?? 0;
    // the frame is a view into the read: the request keeps its own copy
    const pdu = Buffer.from(frame.subarray(1, frame.length - 2));
    if (unit === BROADCAST_UNIT) return this.broadcast(pdu);
    if (!this.router.resolve(unit)) {
      this.ignored++;
      return;
    }
    if (this.busy) {
      this.dropped += frame.length;
      return;
    }
    this.stats.requests++;
    const t0 = performance.now();
    let result: Reply | Promise<Reply>;
    try {
      result = this.handler(unit, pdu);
    } catch (err) {
      this.log.error({ err, unit, fc: pdu[0] }, 'request handler failed');
      return;
    }
    this.busy = true;
    void Promise.resolve(result)
      .then((reply) => this.answer(unit, reply, t0))
      .catch((err: unknown) => this.log.error({ err, unit, fc: pdu[0] }, 'request handler failed'))
      .finally(() => (this.busy = false));
  }

  /** A broadcast write is executed on every bank served (once each); nothing is sent back. */
  private broadcast(pdu: Buffer): void {
    if (!this.broadcastWrite(pdu)) {
      this.ignored++;
      return;
    }
    this.stats.requests++;
    this.broadcasts++;
  }

  /** Sends the reply no sooner than t3.5 after the request's last byte. */
  private async answer(unit: number, reply: Reply, t0: number): Promise<void> {
    if (!reply) return;
    await waitUntil(this.lastByteAt + this.gapMs);
    const fc = reply[MBAP_HEADER_LENGTH] ?? 0;
    const frame = encodeRtuFrame(unit, reply.subarray(MBAP_HEADER_LENGTH));
    if (this.line.write([frame]) === 'down') return;
    this.stats.bytesOut += frame.length;
    const exception = fc & 0x80 ? (reply[MBAP_HEADER_LENGTH + 1] ?? 0) : 0;
    this.deps.observer.request(this.name, fc & 0x7f, exception, (performance.now() - t0) / 1000);
  }
}
