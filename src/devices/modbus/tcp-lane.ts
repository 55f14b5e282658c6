/**
 * One lane of a Modbus TCP device: one connection to one port of the device, with at most `depth`
 * requests in flight on it (1 by default: Omron-style server blocks serve one peer and one request
 * at a time per port). Connected with backoff; every reply's transaction id and function are
 * checked: a late reply to a request that timed out is dropped, and any other reply that does not
 * match resets the connection (every request in flight on it fails), so one client's reply can never
 * be handed to another.
 */
import net from 'node:net';
import { encodeAdu, MbapFramer } from '../../codec/mbap.js';
import type { Logger } from '../../log.js';
import type { DeviceState } from '../device.js';
import { Backoff } from '../../transport/backoff.js';
import type { ExchangeResult } from './master.js';

export interface TcpLaneOptions {
  readonly host: string;
  readonly port: number;
  readonly log: Logger;
  readonly onChange: () => void;
  readonly backoff?: Backoff;
  /** ms a connection attempt may take. */
  readonly connectTimeout?: number;
  /** Requests in flight at once on this connection. */
  readonly depth?: number;
}

interface Pending {
  readonly tid: number;
  readonly fc: number;
  readonly resolve: (r: ExchangeResult) => void;
  readonly timer: NodeJS.Timeout;
}

/** Transaction ids of timed-out requests remembered, so their late replies are recognised. */
const STALE_TIDS = 16;

export class TcpLane {
  state: DeviceState = 'down';
  mismatched = 0;
  private socket: net.Socket | undefined;
  private framer = new MbapFramer();
  private tid = 0;
  private readonly pending = new Map<number, Pending>();
  private readonly stale: number[] = [];
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private readonly backoff: Backoff;
  private readonly log: Logger;

  constructor(private readonly o: TcpLaneOptions) {
    this.backoff = o.backoff ?? new Backoff({ min: 250, max: 5000, jitter: 0.2 });
    this.log = o.log.child({ lane: o.port });
    this.depth = o.depth ?? 1;
  }

  readonly depth: number;

  get free(): boolean {
    return this.state === 'up' && this.pending.size < this.depth;
  }

  get inFlight(): number {
    return this.pending.size;
  }

  start(): void {
    this.stopped = false;
    this.connect();
  }

  stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    const socket = this.socket;
    if (!socket || socket.destroyed) {
      this.setState('down');
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      socket.once('close', () => resolve());
      socket.destroy();
    });
  }

  exchange(unit: number, pdu: Buffer, timeoutMs: number): Promise<ExchangeResult> {
    const socket = this.socket;
    if (!socket || !this.free) return Promise.resolve({ kind: 'down', error: `lane ${this.o.port} is not free` });
    do this.tid = (this.tid + 1) & 0xffff;
    while (this.pending.has(this.tid) || this.stale.includes(this.tid));
    const tid = this.tid;
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.onTimeout(tid), timeoutMs);
      this.pending.set(tid, { tid, fc: pdu[0] ?? 0, resolve, timer });
      socket.write(encodeAdu(tid, unit, pdu));
    });
  }

  private connect(): void {
    if (this.stopped) return;
    this.setState('connecting');
    this.framer = new MbapFramer();
    const socket = net.connect({ host: this.o.host, port: this.o.port });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.setTimeout(this.o.connectTimeout ?? 3000, () => socket.destroy(new Error('connect timed out')));
    socket.once('connect', () => {
      socket.setTimeout(0);
      socket.setKeepAlive(true, 10_000);
      this.backoff.reset();
      this.log.info({ host: this.o.host, port: this.o.port }, 'device connected');
      this.setState('up');
    });
    socket.on('data', (chunk: Buffer) => this.onData(socket, chunk));
    socket.on('error', (err: Error) => this.log.debug({ error: err.message }, 'device socket error'));
    socket.on('close', () => this.onClose(socket));
  }

  private onData(socket: net.Socket, chunk: Buffer): void {
    if (socket !== this.socket) return;
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
    this.socket?.destroy();
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

  private onClose(socket: net.Socket): void {
    if (socket !== this.socket) return;
    this.socket = undefined;
    this.stale.length = 0;
    // sent, and the connection is gone: whether the device executed them is unknown (0B, not 0A)
    this.settleAll({ kind: 'lost', error: `connection to ${this.o.host}:${this.o.port} closed` });
    if (this.stopped) return this.setState('down');
    const delay = this.backoff.next();
    this.log.warn({ host: this.o.host, port: this.o.port, retryMs: delay }, 'device unreachable');
    this.setState('down');
    this.timer = setTimeout(() => this.connect(), delay);
  }

  private setState(state: DeviceState): void {
    if (this.state === state) return;
    this.state = state;
    this.o.onChange();
  }
}
