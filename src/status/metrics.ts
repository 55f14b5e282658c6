/**
 * GET /metrics: Prometheus text through prom-client, on a registry of our own (no default process
 * metrics: they cost memory and timers on a Pi; two process gauges are enough). Per-request figures
 * are counted as they happen (this is a ServerObserver); everything else is read from the gateway
 * when scraped. Labels are bounded: server, device, function code, result, reason, state, the
 * config's certificate files; never a client address or a register.
 */
import { Counter, Gauge, Histogram, Registry } from './prom.js';
import { ExceptionCode } from '../codec/pdu/exception.js';
import type { DeviceStatus } from '../devices/device.js';
import type { ServerObserver } from '../servers/observer.js';
import { readBufferFallbacks } from '../transport/accepted-socket.js';
import type { CloseReason } from '../transport/session-stream.js';
import { certificateStatus, type GatewayView } from './document.js';
import type { Totals } from './totals.js';
import { defineMqttMetrics } from './mqtt-metrics.js';

/** Status fields that some device types add (Modbus links); a device without them shows none. */
type DeviceExtras = DeviceStatus & {
  readonly crcErrors?: number;
  readonly coalesced?: number;
  readonly cacheHits?: number;
  /** Raw devices: frames dropped while the device was not up. */
  readonly dropped?: number;
  readonly polls?: readonly { readonly lastSuccess: string | null; readonly stale?: boolean }[];
};

const RESULT_NAMES = new Map<number, string>([
  [0, 'ok'],
  [ExceptionCode.IllegalFunction, 'illegal-function'],
  [ExceptionCode.IllegalDataAddress, 'illegal-data-address'],
  [ExceptionCode.IllegalDataValue, 'illegal-data-value'],
  [ExceptionCode.ServerDeviceFailure, 'server-device-failure'],
  [ExceptionCode.Acknowledge, 'acknowledge'],
  [ExceptionCode.ServerBusy, 'server-busy'],
  [ExceptionCode.GatewayPathUnavailable, 'gateway-path-unavailable'],
  [ExceptionCode.GatewayTargetFailed, 'gateway-target-failed'],
]);
const DEVICE_STATES = ['connecting', 'up', 'down'] as const;
const LATENCY_BUCKETS = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

export class Metrics implements ServerObserver {
  readonly registry = new Registry();
  private readonly opened: Counter<'server'>;
  private readonly closed: Counter<'server' | 'reason'>;
  private readonly refused: Counter<'server' | 'reason'>;
  private readonly requests: Counter<'server' | 'function' | 'result'>;
  private readonly latency: Histogram<'server'>;
  /** Per server: its request counters by (function << 8 | exception), and its latency series. */
  private readonly requestSeries = new Map<
    string,
    { readonly counters: Map<number, { inc(): void }>; readonly latency: { observe(value: number): void } }
  >();

  constructor(
    private readonly view: GatewayView,
    private readonly totals: Totals,
    version: string,
  ) {
    const registers = [this.registry];
    const counter = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new Counter<L>({ name, help, labelNames, registers });
    this.opened = counter('fieldgate_sessions_opened_total', 'Sessions accepted, per server', ['server']);
    this.closed = counter('fieldgate_sessions_closed_total', 'Sessions closed, per server and reason', [
      'server',
      'reason',
    ]);
    this.refused = counter(
      'fieldgate_connections_refused_total',
      'Connections refused, per server and reason (max-clients, not-allowed, busy, ...)',
      ['server', 'reason'],
    );
    this.requests = counter(
      'fieldgate_requests_total',
      'Requests answered, per server, function code and result (ok or the exception)',
      ['server', 'function', 'result'],
    );
    this.latency = new Histogram({
      name: 'fieldgate_request_duration_seconds',
      help: 'Time from a complete request to its reply, per server',
      labelNames: ['server'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.defineGatewayGauges(version);
    this.defineServerGauges();
    this.defineDeviceGauges();
    this.definePointGauges();
    defineMqttMetrics(this.registry, () => this.view.mqttStatus?.());
  }

  /** Age of each bank point, decoded frames, commands (labels come from the config: bounded). */
  private definePointGauges(): void {
    const view = this.view;
    const registers = [this.registry];
    new Counter({
      name: 'fieldgate_frames_decoded_total',
      help: 'Frames decoded into banks (result stored) or refused (bad checksum, sync, length), per raw server or device',
      labelNames: ['source', 'result'],
      registers,
      collect() {
        this.reset();
        const add = (source: string, d: { stored: number; refused: number } | undefined) => {
          if (!d) return;
          this.inc({ source, result: 'stored' }, d.stored);
          this.inc({ source, result: 'refused' }, d.refused);
        };
        for (const v of view.serverViews()) add(v.config.name, v.server?.decoded?.());
        for (const d of view.deviceLinks())
          add(d.name, (d.status() as { decoded?: { stored: number; refused: number } }).decoded);
      },
    });
    new Counter({
      name: 'fieldgate_commands_total',
      help: 'Commands per outcome: sent, replies, refused (reply not stored), timeouts, dropped (device down), failed',
      labelNames: ['command', 'outcome'],
      registers,
      collect() {
        this.reset();
        for (const c of view.commandStatus?.() ?? []) {
          for (const outcome of ['sent', 'replies', 'refused', 'timeouts', 'dropped', 'failed'] as const)
            this.inc({ command: c.name, outcome }, c[outcome]);
        }
      },
    });
    new Gauge({
      name: 'fieldgate_point_age_seconds',
      help: 'Seconds since a bank point was last updated (points never updated are absent)',
      labelNames: ['bank', 'point'],
      registers: [this.registry],
      collect() {
        this.reset();
        const now = Date.now();
        for (const bank of view.banks?.values() ?? []) {
          for (const p of bank.points.values())
            if (p.updatedAt > 0) this.set({ bank: bank.name, point: p.name }, (now - p.updatedAt) / 1000);
        }
      },
    });
    new Gauge({
      name: 'fieldgate_certificate_expiry_seconds',
      help: 'Seconds until a certificate file the config names expires (the soonest of a bundle; negative: expired; unreadable files are absent)',
      labelNames: ['owner', 'file'],
      registers: [this.registry],
      collect() {
        this.reset();
        const soonest = new Map<string, { owner: string; file: string; seconds: number }>();
        for (const c of certificateStatus(view.certificateEntries?.() ?? [], Date.now())) {
          if (c.expiresInSeconds === null) continue;
          const key = `${c.owner}\n${c.file}`;
          const seen = soonest.get(key);
          if (!seen || c.expiresInSeconds < seen.seconds)
            soonest.set(key, { owner: c.owner, file: c.file, seconds: c.expiresInSeconds });
        }
        for (const { owner, file, seconds } of soonest.values()) this.set({ owner, file }, seconds);
      },
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  render(): Promise<string> {
    return this.registry.metrics();
  }

  sessionOpened(server: string): void {
    this.opened.inc({ server });
  }

  sessionClosed(server: string, reason: CloseReason): void {
    this.closed.inc({ server, reason });
  }

  connectionRefused(server: string, why: string): void {
    this.refused.inc({ server, reason: why });
  }

  /** Called per request: the labelled series are looked up in plain maps, not hashed from labels each time. */
  request(server: string, fc: number, exception: number, seconds: number): void {
    let series = this.requestSeries.get(server);
    if (!series) {
      series = { counters: new Map(), latency: this.latency.labels({ server }) };
      this.requestSeries.set(server, series);
    }
    // bounded: servers of the config x 128 function codes x 256 exception codes
    const code = ((fc & 0x7f) << 8) | (exception & 0xff);
    let counter = series.counters.get(code);
    if (!counter) {
      const result = RESULT_NAMES.get(exception) ?? 'other-exception';
      counter = this.requests.labels({ server, function: String(fc & 0x7f), result });
      series.counters.set(code, counter);
    }
    counter.inc();
    series.latency.observe(seconds);
  }

  bytes(): void {} // read at scrape time from Totals (closed sessions) and the live sessions

  private defineGatewayGauges(version: string): void {
    const view = this.view;
    const registers = [this.registry];
    new Gauge({
      name: 'fieldgate_info',
      help: 'Always 1; labels tell the version and the gateway name',
      labelNames: ['version', 'gateway'],
      registers,
      collect() {
        this.reset();
        this.set({ version, gateway: view.name }, 1);
      },
    });
    new Gauge({
      name: 'process_start_time_seconds',
      help: 'Start time of the process since unix epoch in seconds',
      registers,
      collect() {
        this.set(Math.round(Date.now() / 1000 - process.uptime()));
      },
    });
    new Gauge({
      name: 'process_resident_memory_bytes',
      help: 'Resident memory size in bytes',
      registers,
      collect() {
        this.set(process.memoryUsage.rss());
      },
    });
    new Counter({
      name: 'fieldgate_read_buffer_fallbacks_total',
      help: "Accepted connections read into Node's own buffers instead of a reused one (this Node's socket internals are not as expected: raw streams cost more CPU)",
      registers,
      collect() {
        this.reset();
        this.inc(readBufferFallbacks());
      },
    });
    new Counter({
      name: 'fieldgate_reloads_total',
      help: 'Configuration reloads (SIGHUP), per result: applied or refused',
      labelNames: ['result'],
      registers,
      collect() {
        this.reset();
        this.inc({ result: 'applied' }, view.reloads.applied);
        this.inc({ result: 'refused' }, view.reloads.refused);
      },
    });
  }

  private defineServerGauges(): void {
    const { view, totals } = this;
    const registers = [this.registry];
    new Gauge({
      name: 'fieldgate_sessions_open',
      help: 'Sessions open now, per server',
      labelNames: ['server'],
      registers,
      collect() {
        this.reset();
        for (const v of view.serverViews()) this.set({ server: v.config.name }, v.server?.sessionCount ?? 0);
      },
    });
    new Gauge({
      name: 'fieldgate_server_up',
      help: '1 when the server is listening, 0 when it is down (a port that could not be bound)',
      labelNames: ['server'],
      registers,
      collect() {
        this.reset();
        for (const v of view.serverViews()) this.set({ server: v.config.name }, v.server ? 1 : 0);
      },
    });
    const bytes = (name: string, help: string, pick: (t: { bytesIn: number; bytesOut: number }) => number) =>
      new Counter({
        name,
        help,
        labelNames: ['server'],
        registers,
        collect() {
          this.reset();
          for (const v of view.serverViews()) {
            const live = (v.server?.sessionStats() ?? []).reduce((n, s) => n + pick(s), 0);
            const closed = totals.of(v.config.name);
            this.inc({ server: v.config.name }, live + (closed ? pick(closed) : 0));
          }
        },
      });
    new Counter({
      name: 'fieldgate_server_crc_errors_total',
      help: 'Requests dropped for a bad CRC, per server that takes RTU frames (frame: rtu, serial)',
      labelNames: ['server'],
      registers,
      collect() {
        this.reset();
        for (const v of view.serverViews()) {
          const n = v.server?.crcErrors?.();
          if (n !== undefined) this.inc({ server: v.config.name }, n);
        }
      },
    });
    bytes('fieldgate_received_bytes_total', 'Bytes received from clients, per server', (t) => t.bytesIn);
    bytes('fieldgate_sent_bytes_total', 'Bytes sent to clients, per server', (t) => t.bytesOut);
  }

  private defineDeviceGauges(): void {
    const view = this.view;
    const registers = [this.registry];
    const each = (fn: (s: DeviceExtras) => void) => {
      for (const d of view.deviceLinks()) fn(d.status());
    };
    new Gauge({
      name: 'fieldgate_device_up',
      help: '1 when the device link is up',
      labelNames: ['device'],
      registers,
      collect() {
        this.reset();
        each((s) => this.set({ device: s.name }, s.state === 'up' ? 1 : 0));
      },
    });
    new Gauge({
      name: 'fieldgate_device_state',
      help: '1 for the state the device link is in (connecting, up, down)',
      labelNames: ['device', 'state'],
      registers,
      collect() {
        this.reset();
        each((s) => {
          for (const st of DEVICE_STATES) this.set({ device: s.name, state: st }, s.state === st ? 1 : 0);
        });
      },
    });
    new Gauge({
      name: 'fieldgate_device_queue_depth',
      help: 'Requests waiting in the device queue',
      labelNames: ['device'],
      registers,
      collect() {
        this.reset();
        each((s) => this.set({ device: s.name }, s.queue));
      },
    });
    const counter = (name: string, help: string, pick: (s: DeviceExtras) => number | undefined) =>
      new Counter({
        name,
        help,
        labelNames: ['device'],
        registers,
        collect() {
          this.reset();
          each((s) => {
            const v = pick(s);
            if (v !== undefined) this.inc({ device: s.name }, v);
          });
        },
      });
    counter(
      'fieldgate_device_requests_total',
      'Requests sent to the device (since its link started)',
      (s) => s.requests,
    );
    counter('fieldgate_device_timeouts_total', 'Requests the device did not answer in time', (s) => s.timeouts);
    counter(
      'fieldgate_device_coalesced_total',
      'Reads answered from an identical read another client had in flight (sent to the device once)',
      (s) => s.coalesced,
    );
    counter(
      'fieldgate_device_cache_hits_total',
      "Reads answered from a route's reply cache (cache:) without going to the device",
      (s) => s.cacheHits,
    );
    counter('fieldgate_device_crc_errors_total', 'Replies dropped for a bad CRC (serial devices)', (s) => s.crcErrors);
    counter(
      'fieldgate_device_dropped_frames_total',
      'Frames for a raw device dropped because it was not up',
      (s) => s.dropped,
    );
    const polls = (fn: (s: DeviceExtras, poll: string, p: NonNullable<DeviceExtras['polls']>[number]) => void) =>
      each((s) => s.polls?.forEach((p, i) => fn(s, String(i), p)));
    new Gauge({
      name: 'fieldgate_poll_age_seconds',
      help: 'Seconds since the last successful read of each poll (poll = its index under the device)',
      labelNames: ['device', 'poll'],
      registers,
      collect() {
        this.reset();
        polls((s, poll, p) => {
          if (p.lastSuccess) this.set({ device: s.name, poll }, (Date.now() - Date.parse(p.lastSuccess)) / 1000);
        });
      },
    });
    new Gauge({
      name: 'fieldgate_poll_stale',
      help: '1 when the poll has not succeeded recently (its bank range is stale)',
      labelNames: ['device', 'poll'],
      registers,
      collect() {
        this.reset();
        polls((s, poll, p) => {
          if (p.stale !== undefined) this.set({ device: s.name, poll }, p.stale ? 1 : 0);
        });
      },
    });
  }
}
