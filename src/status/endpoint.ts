/**
 * The status endpoint as one part of the gateway: totals and metrics (observers the servers report
 * to) and the HTTP(S) server: /health (always open), /status, /metrics, /events (the console's live
 * stream), the web console (/ and /console/...), and the register and point API (/banks/...). The
 * token and the certificate are read at open and again on every reload (`reloadFiles`); a file that
 * cannot be read on reload keeps the running one. The gateway loads this module only when
 * `status.listen` is configured, so a daemon without it never loads prom-client.
 */
import type { StatusConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import { deviceIdentity } from '../modbus/device-identity.js';
import type { ServerObserver } from '../servers/observer.js';
import { VERSION } from '../version.js';
import { StatusAccess } from './access.js';
import { buildDocument, healthProblems, type GatewayView, type StatusDocument } from './document.js';
import { defineConsoleMetrics } from './console-metrics.js';
import { EventHub } from './events.js';
import { StatusHttpServer, type Reply, type Route, type StatusLimits } from './http.js';
import { Metrics } from './metrics.js';
import { PointApi } from './point-api.js';
import { readTls, readToken } from './secrets.js';
import { StaticFiles } from './static-files.js';
import { Totals } from './totals.js';

const JSON_TYPE = 'application/json; charset=utf-8';

export interface StatusEndpointOptions {
  /** Where the console's files are (default: the package's console/ directory). */
  readonly consoleDir?: string;
  readonly limits?: Partial<StatusLimits>;
}

export class StatusEndpoint {
  readonly totals = new Totals();
  readonly metrics: Metrics;
  private http: StatusHttpServer | undefined;
  private config: StatusConfig | undefined;
  private access: StatusAccess | undefined;
  private readonly routes: ReadonlyMap<string, Route>;
  private readonly files: StaticFiles;
  private readonly points: PointApi;
  /** GET /events: the console's live stream (events.ts). */
  readonly events: EventHub;

  constructor(
    private readonly view: GatewayView,
    private readonly log: Logger,
    private readonly options: StatusEndpointOptions = {},
  ) {
    this.metrics = new Metrics(view, this.totals, VERSION);
    this.files = new StaticFiles(options.consoleDir);
    this.points = new PointApi({
      banks: () => view.banks,
      identity: () => deviceIdentity(view.name),
      log,
      writes: () => this.writes,
    });
    this.events = new EventHub(() => this.document(), log);
    defineConsoleMetrics(this.metrics.registry, this.events);
    this.routes = new Map<string, Route>([
      ['/health', { open: true, answer: () => this.health() }],
      ['/status', { answer: () => this.json(this.document(), 2) }],
      ['/events', { stream: (req, res) => this.events.attach(req, res) }],
      [
        '/metrics',
        { answer: async () => ({ status: 200, type: this.metrics.contentType, body: await this.metrics.render() }) },
      ],
    ]);
  }

  /** What the servers report to. */
  get observers(): readonly ServerObserver[] {
    return [this.totals, this.metrics];
  }

  /** The bound port (0 when not listening). */
  get port(): number {
    return this.http?.port ?? 0;
  }

  document(): StatusDocument {
    return buildDocument(this.view, VERSION, this.totals, new Date(), { writes: this.writes });
  }

  /** Point writes are accepted: `writes: true` and a token. */
  private get writes(): boolean {
    return this.config?.writes === true && this.access !== undefined;
  }

  /**
   * Listens as `config` says (closing a previous listener first), with its token and certificate.
   * Rejects with FG_ERR_CONFIG_READ (a file that cannot be read), FG_ERR_START (a certificate that
   * cannot be used) or FG_ERR_BIND; the files are read before the previous listener is closed.
   */
  async open(config: StatusConfig): Promise<void> {
    const token = config.tokenFile !== undefined ? await readToken(config.tokenFile) : undefined;
    if (token instanceof Error) throw token;
    const tls = config.tls ? await readTls(config.tls) : undefined;
    if (tls instanceof Error) throw tls;
    await this.close();
    const access = token !== undefined ? new StatusAccess(token) : undefined;
    const http = new StatusHttpServer((path) => this.route(path), this.log, {
      ...(this.options.limits ? { limits: this.options.limits } : {}),
      ...(tls ? { tls } : {}),
      ...(access ? { access } : {}),
    });
    await http.listen(config.listen.host, config.listen.port);
    this.http = http;
    this.config = config;
    this.access = access;
  }

  /**
   * A reload that left the status section as it was: the token and the certificate are read again
   * (a renewed certificate is used for new connections); one that cannot be read is logged and the
   * running one stays.
   */
  async reloadFiles(): Promise<void> {
    const { http, config, access } = this;
    if (!http || !config) return;
    if (config.tokenFile !== undefined && access) {
      const token = await readToken(config.tokenFile);
      if (token instanceof Error)
        this.log.error(
          { err: token.message },
          'status endpoint: the token file cannot be read; the running token stays',
        );
      else access.replace(token);
    }
    if (config.tls) {
      const tls = await readTls(config.tls);
      if (tls instanceof Error)
        this.log.error({ err: tls.message }, 'status endpoint: the certificate cannot be used; the running one stays');
      else {
        http.reloadTls(tls);
        this.log.info({ cert: config.tls.cert }, 'status endpoint: certificate read again');
      }
    }
  }

  async close(): Promise<void> {
    const http = this.http;
    this.http = undefined;
    this.config = undefined;
    this.access = undefined;
    this.events.close();
    this.points.stop();
    await http?.close();
  }

  private route(path: string): Route | undefined {
    const fixed = this.routes.get(path);
    if (fixed) return fixed;
    if (StaticFiles.handles(path)) return { answer: (req) => this.files.answer(req) };
    return this.points.route(path);
  }

  private json(body: unknown, indent?: number): Reply {
    return { status: 200, type: JSON_TYPE, body: `${JSON.stringify(body, null, indent)}\n` };
  }

  private health(): Reply {
    const problems = healthProblems(this.view);
    const body = { ok: problems.length === 0, problems };
    return { status: problems.length === 0 ? 200 : 503, type: JSON_TYPE, body: `${JSON.stringify(body)}\n` };
  }
}
