/**
 * The status endpoint as one part of the gateway: totals and metrics (observers the servers report
 * to) and the HTTP server that serves /health, /status and /metrics. The gateway loads this module
 * only when `status.listen` is configured, so a daemon without it never loads prom-client.
 */
import type { Endpoint } from '../config/types.js';
import type { Logger } from '../log.js';
import type { ServerObserver } from '../servers/observer.js';
import { VERSION } from '../version.js';
import { buildDocument, healthProblems, type GatewayView, type StatusDocument } from './document.js';
import { StatusHttpServer, type Reply, type Route } from './http.js';
import { Metrics } from './metrics.js';
import { Totals } from './totals.js';

const JSON_TYPE = 'application/json; charset=utf-8';

export class StatusEndpoint {
  readonly totals = new Totals();
  readonly metrics: Metrics;
  private http: StatusHttpServer | undefined;
  private readonly routes: ReadonlyMap<string, Route>;

  constructor(
    private readonly view: GatewayView,
    private readonly log: Logger,
  ) {
    this.metrics = new Metrics(view, this.totals, VERSION);
    this.routes = new Map<string, Route>([
      ['/health', () => this.health()],
      ['/status', () => ({ status: 200, type: JSON_TYPE, body: `${JSON.stringify(this.document(), null, 2)}\n` })],
      ['/metrics', async () => ({ status: 200, type: this.metrics.contentType, body: await this.metrics.render() })],
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
    return buildDocument(this.view, VERSION, this.totals);
  }

  /** Listens on `listen` (closing a previous listener first). Rejects with FG_ERR_BIND. */
  async open(listen: Endpoint): Promise<void> {
    await this.close();
    const http = new StatusHttpServer(this.routes, this.log);
    await http.listen(listen.host, listen.port);
    this.http = http;
  }

  async close(): Promise<void> {
    const http = this.http;
    this.http = undefined;
    await http?.close();
  }

  private health(): Reply {
    const problems = healthProblems(this.view);
    const body = { ok: problems.length === 0, problems };
    return { status: problems.length === 0 ? 200 : 503, type: JSON_TYPE, body: `${JSON.stringify(body)}\n` };
  }
}
