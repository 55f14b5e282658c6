/**
 * GET /events: the status document as server-sent events, one stream per open console page.
 *
 * One shared timer runs while at least one stream is open: every `intervalMs` (500 ms) it builds the
 * document once and serializes it once without the fields that move only with the clock
 * (`uptimeSeconds`, every point's `ageSeconds`). When that differs from the last one, the full
 * document plus `serverTime` (ms since the epoch when it was built, so the page can age values
 * itself) is serialized once and sent as `event: status` to every stream (so at most 2 events a
 * second, and none while only the clock moves). A new stream gets the document at once. A stream
 * sent nothing for `heartbeatMs` (15 s) gets a `: ping` comment, which keeps proxies and NAT from
 * closing it.
 *
 * Bounded: at most `maxStreams` (16) streams (past it: 503 with the reason); a stream whose unsent
 * output exceeds `maxBufferedBytes` (512 KiB: a tab that stopped reading) is closed, counted and
 * logged (rate-limited), never buffered further. `close()` ends every stream (endpoint closed or
 * reloaded); a client that goes away is forgotten at once, and the timer stops with the last stream.
 */
import type http from 'node:http';
import type { Logger } from '../log.js';
import { LogLimit } from '../log-limit.js';
import type { StatusDocument } from './document.js';

export interface EventHubOptions {
  /** ms between document builds while a stream is open (at most one event per stream per interval). */
  readonly intervalMs?: number;
  /** ms without output after which a stream gets a `: ping` comment. */
  readonly heartbeatMs?: number;
  /** Open streams at most; past it a request gets 503. */
  readonly maxStreams?: number;
  /** Unsent bytes a stream may hold before it is closed as stalled. */
  readonly maxBufferedBytes?: number;
}

export const EVENT_LIMITS: Required<EventHubOptions> = {
  intervalMs: 500,
  heartbeatMs: 15_000,
  maxStreams: 16,
  maxBufferedBytes: 512 * 1024,
};

const PING = ': ping\n\n';

const SSE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Type': 'text/event-stream; charset=utf-8',
  'Cache-Control': 'no-cache, no-store',
  Connection: 'keep-alive',
  'X-Accel-Buffering': 'no',
  'X-Content-Type-Options': 'nosniff',
};

/** An event's data: the status document and when it was built (ms since the epoch). */
export type StatusEvent = StatusDocument & { readonly serverTime: number };

/**
 * The document without what moves only with the clock (uptime, points' ages): what decides whether
 * an event is sent. Everything else is compared as served.
 */
export function withoutClock(doc: StatusDocument): unknown {
  const { uptimeSeconds: _uptime, banks, ...rest } = doc;
  return {
    ...rest,
    banks: banks.map((b) => ({ ...b, points: b.points.map(({ ageSeconds: _age, ...p }) => p) })),
  };
}

interface Stream {
  readonly res: http.ServerResponse;
  readonly peer: string;
  /** The version of the document last sent (0: none yet). */
  sent: number;
  /** Ticks since anything was written. */
  idleTicks: number;
}

export class EventHub {
  private readonly open = new Set<Stream>();
  private readonly limits: Required<EventHubOptions>;
  private readonly logLimit: LogLimit;
  private timer: NodeJS.Timeout | undefined;
  /** The last document without its clock fields, serialized: a new one gets a new version. */
  private key = '';
  /** The last serialized event (the full document and its serverTime) and its version. */
  private text = '';
  private version = 0;
  private droppedCount = 0;
  private refusedCount = 0;

  constructor(
    private readonly document: () => StatusDocument,
    private readonly log: Logger,
    options: EventHubOptions = {},
  ) {
    this.limits = { ...EVENT_LIMITS, ...options };
    this.logLimit = new LogLimit(log);
  }

  /** Streams open now. */
  get streams(): number {
    return this.open.size;
  }

  /** Streams closed because their client stopped reading, since start. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Requests refused with 503 (too many streams), since start. */
  get refused(): number {
    return this.refusedCount;
  }

  /** Serves one GET /events: refuses it past the limit, else keeps it open as a stream. */
  attach(req: http.IncomingMessage, res: http.ServerResponse): void {
    const peer = `${req.socket.remoteAddress ?? '?'}:${req.socket.remotePort ?? 0}`;
    if (this.open.size >= this.limits.maxStreams) {
      this.refusedCount++;
      this.logLimit.hit('event stream refused: too many streams', {
        reason: `${this.limits.maxStreams} open`,
        peer,
      });
      const body = `too many event streams open (${this.limits.maxStreams}): close a console page, or poll /status\n`;
      res.writeHead(503, {
        'Content-Type': 'text/plain; charset=utf-8',
        'Cache-Control': 'no-store',
        'Retry-After': '10',
        'Content-Length': Buffer.byteLength(body),
      });
      res.end(body);
      return;
    }
    if (req.method === 'HEAD') {
      res.writeHead(200, SSE_HEADERS);
      res.end();
      return;
    }
    const text = this.refresh(true);
    if (text === undefined) {
      res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end('internal error (logged)\n');
      return;
    }
    res.writeHead(200, SSE_HEADERS);
    req.socket.setNoDelay(true);
    const stream: Stream = { res, peer, sent: 0, idleTicks: 0 };
    this.open.add(stream);
    this.log.debug({ peer, streams: this.open.size }, 'event stream opened');
    res.once('close', () => {
      if (this.forget(stream)) this.log.debug({ peer, streams: this.open.size }, 'event stream closed');
    });
    this.send(stream, text);
    this.timer ??= setInterval(() => this.tick(), this.limits.intervalMs);
  }

  /** Ends every stream cleanly and stops the timer; the hub takes new streams again afterwards. */
  close(): void {
    for (const s of [...this.open]) {
      this.forget(s);
      s.res.end();
    }
    this.logLimit.stop();
  }

  /** True when it was open. */
  private forget(stream: Stream): boolean {
    if (!this.open.delete(stream)) return false;
    if (this.open.size === 0 && this.timer !== undefined) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
    return true;
  }

  /**
   * Builds the document once and serializes it without its clock fields; when that changed (or
   * `fresh`: a new stream wants the current serverTime) the event text is made again, and a change
   * gets a new version. Undefined when it failed.
   */
  private refresh(fresh = false): string | undefined {
    try {
      const serverTime = Date.now();
      const doc = this.document();
      const key = JSON.stringify(withoutClock(doc));
      const changed = key !== this.key;
      if (changed || fresh) {
        const event: StatusEvent = { ...doc, serverTime };
        this.text = `event: status\ndata: ${JSON.stringify(event)}\n\n`;
      }
      if (changed) {
        this.key = key;
        this.version++;
      }
    } catch (err) {
      this.logLimit.hit('event stream: the status document failed', { reason: String(err) });
      return undefined;
    }
    return this.text;
  }

  private tick(): void {
    const text = this.refresh() ?? this.text;
    const heartbeatTicks = Math.max(1, Math.round(this.limits.heartbeatMs / this.limits.intervalMs));
    for (const s of [...this.open]) {
      if (s.sent !== this.version) this.send(s, text);
      else if (++s.idleTicks >= heartbeatTicks) this.write(s, PING);
    }
  }

  private send(stream: Stream, text: string): void {
    stream.sent = this.version;
    this.write(stream, text);
  }

  /** Writes unless the client has stopped reading (then the stream is closed and counted). */
  private write(stream: Stream, text: string): void {
    const buffered = stream.res.writableLength;
    if (buffered > this.limits.maxBufferedBytes) {
      this.droppedCount++;
      this.logLimit.hit('event stream dropped: the client does not read', {
        reason: `${buffered} bytes unsent`,
        limit: this.limits.maxBufferedBytes,
        peer: stream.peer,
      });
      this.forget(stream);
      stream.res.destroy();
      return;
    }
    stream.idleTicks = 0;
    stream.res.write(text);
  }
}
