/**
 * One lane of a Modbus TCP device: one connection to one port of the device, with at most `depth`
 * requests in flight on it (1 by default: Omron-style server blocks serve one peer and one request at
 * a time per port). Kept connected by a ReconnectingLine (the device's `reconnect:`); every reply's
 * transaction id and function are checked: a late reply to a request that timed out is dropped, and
 * any other reply that does not match resets the connection (every request in flight on it fails), so
 * one client's reply can never be handed to another.
 */
import { encodeAdu, MbapFramer } from '../../codec/mbap.js';
import type { Logger } from '../../log.js';
import type { Backoff } from '../../transport/backoff.js';
import { ReconnectingLine, type LineState } from '../../transport/line.js';
import { tcpOpener } from '../../transport/tcp-opener.js';
import { tlsOpener, type ClientTlsFiles, type PemReader } from '../../transport/tls-opener.js';
import type { ExchangeResult } from './master.js';

export interface TcpLaneOptions {
  readonly host: string;
  readonly port: number;
  readonly log: Logger;
  readonly onChange: () => void;
  /** Waits between connection attempts (the device's `reconnect:`). */
  readonly backoff: Backoff;
  /** ms a connection attempt may take. */
  readonly connectTimeout?: number;
  /** Requests in flight at once on this connection. */
  readonly depth?: number;
  /** TLS (Modbus/TCP Security): the device's `tls:` files and how they are read at each connect. */
  readonly tls?: LaneTls | undefined;
}

export interface LaneTls {
  readonly files: ClientTlsFiles;
  readonly read: PemReader;
  /** `devices.NAME.tls`, for messages. */
  readonly owner: string;
}

interface Pending {
  readonly tid: number;
  readonly fc: number;
  readonly resolve: (r: ExchangeResult) => void;
  readonly timer: NodeJS.Timeout;
}

/** Transaction ids of timed-out requests remembered, so their late replies are recognised. */
const STALE_TIDS = 16;
const CONNECT_TIMEOUT_MS = 3000;
const KEEPALIVE_MS = 10_000;

export class TcpLane {
  mismatched = 0;
  readonly depth: number;
  private readonly line: ReconnectingLine;
  private framer = new MbapFramer();
  private tid = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly stale: number[] = [];
  private readonly log: Logger;

  constructor(private readonly o: TcpLaneOptions) {
    this.log = o.log.child({ lane: o.port });
    this.depth = o.depth ?? 1;
    const target = {
      host: o.host,
      port: o.port,
      connectTimeout: o.connectTimeout ?? CONNECT_TIMEOUT_MS,
      keepAlive: KEEPALIVE_MS,
    };
    const opener = o.tls
      ? tlsOpener({ ...target, tls: o.tls.files, read: o.tls.read, owner: o.tls.owner })
      : tcpOpener(target);
    this.line = new ReconnectingLine(opener, o.backoff, this.log, {
      data: (chunk) => this.onData(chunk),
      state: (state) => this.onState(state),
      drain: () => undefined,
    });
  }

  get state(): LineState {
    return this.line.state;
  }

  /** Why the connection is down (null while up). */
  get error(): string | null {
    return this.line.lastError;
  }

  get free(): boolean {
    return this.state === 'up' && this.pending.size < this.depth;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  start(): void {
    this.line.start();
  }

  stop(): Promise<void> {
    return this.line.stop();
  }

  exchange(unit: number, pdu: Buffer, timeoutMs: number): Promise<ExchangeResult> {
    if (!this.free) return Promise.resolve({ kind: 'down', error: `lane ${this.o.port} is not free` });
    do this.tid = (this.tid + 1) & 0xffff;
    while (this.pending.has(this.tid) || this.stale.includes(this.tid));
    const tid = this.tid;
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.onTimeout(tid), timeoutMs);
      this.pending.set(tid, { tid, fc: pdu[0] ?? 0, resolve, timer });
      this.line.write([encodeAdu(tid, unit, pdu)]);
    });
  }

  /** `chunk` is a view of a reused read buffer: the framer copies what it keeps, replies are copied. */
  private onData(chunk: Buffer): void {
    const error = this.framer.feed(chunk, (frame) => this.onFrame(frame));
    if (error) this.reset(`invalid MBAP from the device: ${error.reason}`);
  }

  private onFrame(frame: Buffer): void {
    const tid = frame.readUInt16BE(0);
    const fc = frame[7] ?? 0;
    const pending = this.pending.get(tid);
    if (pending && (fc & 0x7f) === pending.fc) {
      this.settle(tid, { kind: 'reply', pdu: Buffer.from(frame.subarray(7)) });
      return;
    }
    const late = this.stale.indexOf(tid);
    if (late >= 0) {
      this.stale.splice(late, 1);
      this.log.debug({ tid }, 'late reply dropped');
      return;
    }
    this.mismatched++;
    const expected = [...this.pending.values()].map((p) => `${p.tid} fc ${p.fc}`).join(', ') || 'none';
    this.reset(`reply with transaction id ${tid} fc ${fc} matches no request in flight (${expected})`);
  }

  private onTimeout(tid: number): void {
    if (!this.pending.has(tid)) return;
    this.stale.push(tid);
    if (this.stale.length > STALE_TIDS) this.stale.shift();
    this.settle(tid, { kind: 'timeout' });
  }

  /** Drops the connection (it will be reconnected); the requests in flight get `mismatch`. */
  private reset(reason: string): void {
    this.log.warn({ reason }, 'device connection reset');
    this.settleAll({ kind: 'mismatch' });
    this.line.drop(reason);
  }

  private settle(tid: number, result: ExchangeResult): void {
    const pending = this.pending.get(tid);
    if (!pending) return;
    this.pending.delete(tid);
    clearTimeout(pending.timer);
    pending.resolve(result);
    this.o.onChange();
  }

  private settleAll(result: ExchangeResult): void {
    for (const tid of [...this.pending.keys()]) this.settle(tid, result);
  }

  private onState(state: LineState): void {
    if (state === 'up')
      this.framer = new MbapFramer(); // nothing of the last connection leaks into this one
    else {
      this.stale.length = 0;
      // sent, and the connection is gone: whether the device executed them is unknown (0B, not 0A)
      this.settleAll({ kind: 'lost', error: `connection to ${this.o.host}:${this.o.port} closed` });
    }
    this.o.onChange();
  }
}
