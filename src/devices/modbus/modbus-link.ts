/**
 * A Modbus device link (modbus-rtu or modbus-tcp): the device's one bounded queue, in front of its
 * master (an RTU transport, or TCP lanes). A request is raw PDU bytes for a unit; the answer is the
 * device's reply PDU (exceptions from the device pass through unchanged), or the gateway's own
 * exception: 0A the request could not be sent (the device is down), 0B it was sent and no valid
 * answer came (after the retries, which only reads get), or the unit is offline, 06 the queue is
 * full; a broadcast on an RTU bus (unit 0) is answered by the gateway (see broadcast.ts). Never
 * rejects. Only silence counts towards a unit's offline rule: a unit that sent something that did not
 * fit is alive.
 *
 * Identical reads (FC 1-4, same unit and PDU) in flight to one unit are sent once and every asker
 * gets its own copy of the answer, and a route's `cache` answers from a reply that young
 * (read-sharing.ts). Ordering rule: a read may be joined while it is queued or on the wire, but only
 * by askers that arrived in the epoch it was queued in; anything else for that unit (a write) starts
 * a new epoch when it is queued and again when it is answered, and drops the unit's cached replies
 * before it is sent. So a client that wrote and then read never gets data read before its write.
 */
import type { RequestOrigin } from '../../bank/bank-overlay.js';
import { encodeException, ExceptionCode } from '../../codec/pdu/exception.js';
import { BROADCAST_UNIT } from '../../codec/rtu/frame.js';
import type { ModbusRtuDeviceConfig, ModbusTcpDeviceConfig } from '../../config/types.js';
import type { Logger } from '../../log.js';
import type { LineState } from '../../transport/line.js';
import type { DeviceLink } from '../device.js';
import { broadcastReply } from './broadcast.js';
import { FairQueue, type Abandoned, type QueuedJob } from './fair-queue.js';
import type { ExchangeResult, ModbusMaster } from './master.js';
import type { ModbusDeviceStatus, PollStatusSource } from './modbus-status.js';
import { isRetriableRead } from './read-retry.js';
import { isDataReply, readKey, ReplyCache, UnitEpochs, type ReadKey } from './read-sharing.js';
import { OfflineLog } from './offline-log.js';
import { UnitHealth } from './unit-health.js';

export type ModbusDeviceConfig = ModbusRtuDeviceConfig | ModbusTcpDeviceConfig;

export type { RequestOrigin } from '../../bank/bank-overlay.js';

interface Job extends QueuedJob {
  readonly unit: number;
  readonly pdu: Buffer;
  /** Date.now() past which the request is answered 0B without being sent (it waited for a connection). */
  readonly deadline: number;
  readonly resolve: (reply: Buffer | null) => void;
  /** Date.now() when its last attempt was sent (what a cached reply's age counts from). */
  sentAt: number;
}

/** What a route adds to a request. */
export interface RequestOptions {
  /** ms: a read may be answered from a reply read at most this long ago (0: never). */
  readonly cacheMs?: number;
}

/** One read on the queue or the wire and everyone waiting for its answer. */
interface SharedRead {
  readonly key: ReadKey;
  readonly unit: number;
  /** The unit's epoch when it was queued: joinable, and its reply cacheable, while it is current. */
  readonly epoch: number;
  readonly askers: { readonly resolve: (reply: Buffer | null) => void; readonly signal?: Abandoned }[];
  /** The longest `cache` of its askers: its reply is kept when above 0. */
  cacheMs: number;
}

/** A reply that is never sent (the client went away). */
const DROPPED = null;

export class ModbusLink implements DeviceLink {
  readonly name: string;
  readonly kind = 'modbus' as const;
  private readonly queue: FairQueue<Job>;
  private readonly health = new UnitHealth();
  private readonly offlineLog: OfflineLog;
  private requests = 0;
  private timeouts = 0;
  /** Answers given from another asker's read, and from the cache. */
  private coalesced = 0;
  private cacheHits = 0;
  private readonly shared = new Map<ReadKey, SharedRead>();
  private readonly epochs = new UnitEpochs();
  private readonly cache = new ReplyCache();
  /** The longest `cache` asked for: older entries make room first. */
  private cacheKeepMs = 0;
  private lastError: string | null = null;
  private stopped = false;
  /** Requests being exchanged now (at most the master's capacity). */
  private running = 0;
  private polls: PollStatusSource | undefined;
  private expiry: NodeJS.Timeout | undefined;

  constructor(
    readonly config: ModbusDeviceConfig,
    private readonly master: ModbusMaster,
    private readonly log: Logger,
  ) {
    this.name = config.name;
    this.queue = new FairQueue<Job>(config.queue);
    this.offlineLog = new OfflineLog(log);
  }

  async start(): Promise<void> {
    this.stopped = false;
    this.master.start();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.expiry);
    this.offlineLog.stop();
    this.failQueued(ExceptionCode.GatewayPathUnavailable);
    await this.master.stop();
  }

  /** The master's state or capacity changed (a port opened, a lane connected or went down). */
  readonly onMasterChange = (state: LineState, error?: string): void => {
    if (error) this.lastError = error;
    if (state === 'down') this.failQueued(ExceptionCode.GatewayPathUnavailable);
    else this.pump();
  };

  /** Forwards one request PDU; resolves with the reply PDU, or null when none is to be sent. */
  request(
    unit: number,
    pdu: Buffer,
    origin: RequestOrigin = { client: 0 },
    options: RequestOptions = {},
  ): Promise<Buffer | null> {
    const fc = pdu[0] ?? 0;
    if (this.stopped || this.master.state === 'down')
      return Promise.resolve(encodeException(fc, ExceptionCode.GatewayPathUnavailable));
    const broadcast = unit === BROADCAST_UNIT && this.config.type === 'modbus-rtu';
    if (broadcast) {
      const reply = broadcastReply(pdu);
      if (typeof reply === 'number') return Promise.resolve(encodeException(fc, reply));
    }
    if (this.health.isOffline(unit)) return Promise.resolve(encodeException(fc, ExceptionCode.GatewayTargetFailed));
    const key = broadcast ? undefined : readKey(unit, pdu);
    if (key === undefined) return this.change(broadcast ? undefined : unit, unit, pdu, origin);
    return this.read(key, unit, pdu, origin, options.cacheMs ?? 0);
  }

  /** A shareable read: from the cache, joined to the same read pending in this epoch, or queued. */
  private read(key: ReadKey, unit: number, pdu: Buffer, origin: RequestOrigin, cacheMs: number) {
    if (cacheMs > 0) {
      const hit = this.cache.get(key, cacheMs, Date.now());
      if (hit) {
        this.cacheHits++;
        return Promise.resolve(hit);
      }
    }
    return new Promise<Buffer | null>((resolve) => {
      const asker = { resolve, ...(origin.signal ? { signal: origin.signal } : {}) };
      const pending = this.shared.get(key);
      if (pending && pending.epoch === this.epochs.of(unit)) {
        pending.askers.push(asker);
        pending.cacheMs = Math.max(pending.cacheMs, cacheMs);
        return;
      }
      const group: SharedRead = { key, unit, epoch: this.epochs.of(unit), askers: [asker], cacheMs };
      const job = this.job(unit, pdu, origin.client, (reply) => this.settle(group, job, reply), {
        get aborted() {
          return group.askers.every((a) => a.signal?.aborted === true);
        },
      });
      // Registered first: the queue may answer it at once (offline unit) and must then find it.
      this.shared.set(key, group);
      if (!this.enqueue(job)) {
        if (this.shared.get(key) === group) this.shared.delete(key);
        resolve(encodeException(pdu[0] ?? 0, ExceptionCode.ServerBusy));
      }
    });
  }

  /** Anything but a shareable read: it may change `target`'s data (undefined: every unit's). */
  private change(target: number | undefined, unit: number, pdu: Buffer, origin: RequestOrigin) {
    this.changed(target);
    return new Promise<Buffer | null>((resolve) => {
      const job = this.job(
        unit,
        pdu,
        origin.client,
        (reply) => {
          this.changed(target);
          resolve(reply);
        },
        origin.signal,
      );
      if (!this.enqueue(job)) resolve(encodeException(pdu[0] ?? 0, ExceptionCode.ServerBusy));
    });
  }

  /** A new epoch for `unit` (undefined: every unit) and its cached replies gone. */
  private changed(unit: number | undefined): void {
    this.epochs.bump(unit);
    this.cache.drop(unit);
  }

  /** Answers every asker of a shared read (each its own copy) and keeps a data reply if asked to. */
  private settle(group: SharedRead, job: Job, reply: Buffer | null): void {
    if (this.shared.get(group.key) === group) this.shared.delete(group.key);
    if (group.cacheMs > 0 && isDataReply(reply) && group.epoch === this.epochs.of(group.unit)) {
      this.cacheKeepMs = Math.max(this.cacheKeepMs, group.cacheMs);
      this.cache.put(group.key, reply, job.sentAt, Date.now(), this.cacheKeepMs);
    }
    const [first, ...rest] = group.askers;
    if (reply !== null) this.coalesced += rest.length;
    first?.resolve(reply);
    for (const asker of rest) asker.resolve(reply === null ? null : Buffer.from(reply));
  }

  private job(
    unit: number,
    pdu: Buffer,
    client: number,
    resolve: (reply: Buffer | null) => void,
    signal: Abandoned | undefined,
  ): Job {
    const deadline = Date.now() + this.config.timeout * this.attempts(pdu);
    return { unit, pdu, resolve, deadline, client, sentAt: 0, ...(signal ? { signal } : {}) };
  }

  /** Queues a job (false: the queue is full, the job is not answered). */
  private enqueue(job: Job): boolean {
    if (!this.queue.push(job, (j) => j.resolve(DROPPED))) {
      this.log.debug({ unit: job.unit, fc: job.pdu[0], queue: this.queue.size }, 'queue full');
      return false;
    }
    this.pump();
    if (this.queue.size > 0 && this.master.state !== 'up') this.armExpiry();
    return true;
  }

  /**
   * While the device is connecting, queued requests wait for it no longer than they would wait for
   * a reply: past their deadline they answer 0B without being sent.
   */
  private armExpiry(): void {
    if (this.expiry) return;
    this.expiry = setTimeout(() => {
      this.expiry = undefined;
      const now = Date.now();
      this.queue.removeWhere(
        (j) => j.deadline <= now,
        (j) => j.resolve(encodeException(j.pdu[0] ?? 0, ExceptionCode.GatewayTargetFailed)),
      );
      if (this.queue.size > 0 && this.master.state !== 'up') this.armExpiry();
    }, this.config.timeout);
    this.expiry.unref();
  }

  /** Lets the pollers of this device show their status with the device's (undefined: detach). */
  attachPolls(source: PollStatusSource | undefined): void {
    this.polls = source;
  }

  status(): ModbusDeviceStatus {
    const counters = this.master.counters();
    return {
      name: this.name,
      type: this.config.type,
      state: this.master.state,
      queue: this.queue.size,
      requests: this.requests,
      timeouts: this.timeouts,
      coalesced: this.coalesced,
      cacheHits: this.cacheHits,
      crcErrors: counters.crcErrors,
      lastError: this.lastError,
      offlineUnits: this.health.offline(),
      ...(this.polls ? { polls: this.polls() } : {}),
    };
  }

  private pump(): void {
    while (!this.stopped && this.running < this.master.capacity()) {
      const job = this.queue.shift((j) => j.resolve(DROPPED));
      if (!job) return;
      if (this.health.isOffline(job.unit)) {
        job.resolve(encodeException(job.pdu[0] ?? 0, ExceptionCode.GatewayTargetFailed));
        continue;
      }
      this.running++;
      void this.run(job)
        .then(job.resolve, (err: unknown) => {
          this.log.error({ err, unit: job.unit }, 'device request failed');
          job.resolve(encodeException(job.pdu[0] ?? 0, ExceptionCode.ServerDeviceFailure));
        })
        .finally(() => {
          this.running--;
          this.pump();
        });
    }
  }

  /** Reads are tried 1 + `retries` times; everything else once. */
  private attempts(pdu: Buffer): number {
    return isRetriableRead(pdu) ? this.config.retries + 1 : 1;
  }

  /** One request, with its retries (reads only). */
  private async run(job: Job): Promise<Buffer | null> {
    const { unit, pdu } = job;
    const fc = pdu[0] ?? 0;
    this.requests++;
    let last: ExchangeResult = { kind: 'timeout' };
    /** It reached the device at least once (a later 'down' is then 0B, not 0A). */
    let sent = false;
    /** The unit sent something, if nothing that fits: it is alive. */
    let heard = false;
    const attempts = this.attempts(pdu);
    for (let attempt = 0; attempt < attempts; attempt++) {
      job.sentAt = Date.now();
      last = await this.master.exchange(unit, pdu, this.config.timeout);
      if (last.kind === 'reply') {
        this.answered(unit);
        return last.pdu;
      }
      if (last.kind === 'sent') {
        const reply = broadcastReply(pdu);
        return typeof reply === 'number' ? encodeException(fc, reply) : reply;
      }
      if (last.kind === 'down') break;
      sent = true;
      if (last.kind === 'crc' || last.kind === 'invalid' || last.kind === 'mismatch') heard = true;
      this.noteFailure(unit, fc, last, attempt);
      if (job.signal?.aborted) return DROPPED;
    }
    if (last.kind === 'down') {
      this.lastError = last.error;
      if (!sent) return encodeException(fc, ExceptionCode.GatewayPathUnavailable);
    }
    if (heard) this.answered(unit);
    else if (last.kind === 'timeout' && this.health.timedOut(unit)) {
      this.offlineLog.offline(unit, { timeouts: this.timeouts, reason: this.lastError });
    }
    return encodeException(fc, ExceptionCode.GatewayTargetFailed);
  }

  private answered(unit: number): void {
    this.health.answered(unit);
    this.offlineLog.answered(unit);
  }

  private noteFailure(unit: number, fc: number, result: ExchangeResult, attempt: number): void {
    const what =
      result.kind === 'timeout'
        ? `no reply within ${this.config.timeout} ms`
        : result.kind === 'crc'
          ? 'reply with a bad CRC'
          : result.kind === 'invalid'
            ? `no reply that fits: ${result.reason}`
            : result.kind === 'lost'
              ? `sent, then the connection was lost (${result.error}): its fate is unknown`
              : 'reply did not match the request (connection reset)';
    if (result.kind === 'timeout') this.timeouts++;
    this.lastError = `unit ${unit} fc ${fc}: ${what}`;
    this.log.debug({ unit, fc, attempt, result: result.kind }, 'device attempt failed');
  }

  private failQueued(code: ExceptionCode): void {
    for (const job of this.queue.drain()) job.resolve(encodeException(job.pdu[0] ?? 0, code));
  }
}

export function isModbusLink(link: DeviceLink | undefined): link is ModbusLink {
  return link instanceof ModbusLink;
}
