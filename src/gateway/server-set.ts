/**
 * The gateway's servers: those running, in config order, and those configured but down (a port that
 * could not be bound on reload), with why. Starts and stops them by name, for start, stop and reload.
 * A server down because its port was busy (or its address missing) is bound again with backoff
 * (bind-retry.ts) until it listens, its config changes or it is removed by a reload, or the gateway
 * stops. Only changes are logged: down, listening again, and a different reason; not each attempt.
 */
import type { ServerConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import { createServer } from '../servers/factory.js';
import type { GatewayServer, ServerDeps } from '../servers/server.js';
import type { ServerView } from '../status/document.js';
import type { BackoffOptions } from '../transport/backoff.js';
import type { CloseReason } from '../transport/session-stream.js';
import { BIND_RETRY, BindRetry, retriable } from './bind-retry.js';
import type { StopSteps } from './stop-steps.js';

export const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export interface ServerSetOptions {
  /** Waits between bind attempts (default BIND_RETRY). */
  readonly retry?: BackoffOptions;
  /** Runs a bind attempt in turn with reloads and stop (never at the same time as one). */
  readonly serialize: (task: () => Promise<void>) => Promise<void>;
  /** The configured servers now, in config order. */
  readonly order: () => readonly ServerConfig[];
}

export class ServerSet {
  /** Running servers, in config order. */
  readonly running: GatewayServer[] = [];
  /** Configured servers that are not running, and why. */
  readonly down = new Map<string, string>();
  /** Servers down whose port is being bound again. */
  private readonly retries = new Map<string, BindRetry>();

  constructor(
    private readonly log: Logger,
    private readonly options: ServerSetOptions,
  ) {}

  find(name: string): GatewayServer | undefined {
    return this.running.find((s) => s.name === name);
  }

  /**
   * Builds and starts each server. `failFast` (the first start): the first that cannot listen is
   * thrown (and stays in `running`, for stop() to clean up). Otherwise (reload) it is left down and
   * logged, its port retried if it was busy, and the names of those left down are returned.
   */
  async start(configs: readonly ServerConfig[], deps: ServerDeps, failFast: boolean): Promise<string[]> {
    const failed: string[] = [];
    for (const config of configs) {
      this.forget(config.name);
      const server = createServer(config, deps);
      if (failFast) this.running.push(server);
      try {
        await server.start();
        if (!failFast) this.running.push(server);
      } catch (err) {
        if (failFast) throw err;
        await server.stop('reload', 0).catch(() => undefined);
        this.down.set(config.name, errorText(err));
        failed.push(config.name);
        const retry = retriable(err);
        this.log.error(
          { server: config.name, err: errorText(err), retry },
          'server down: it could not be started on reload',
        );
        if (retry) this.retry(new BindRetry(config, deps, this.options.retry ?? BIND_RETRY));
      }
    }
    return failed;
  }

  /** Stops these servers (their sessions close with `reason`) and forgets them, down or not. */
  async stop(names: ReadonlySet<string>, reason: CloseReason, graceMs: number): Promise<void> {
    const going = this.running.filter((s) => names.has(s.name));
    for (const name of names) this.forget(name);
    const failed = (s: GatewayServer) => (err: unknown) =>
      this.log.error({ server: s.name, err }, 'server failed to stop');
    await Promise.all(going.map((s) => s.stop(reason, graceMs).catch(failed(s))));
    const kept = this.running.filter((s) => !names.has(s.name));
    this.running.splice(0, this.running.length, ...kept);
  }

  /** Stops every server, last started first; one that fails to stop is logged and the others still stop. */
  async stopAll(graceMs: number, steps: StopSteps): Promise<void> {
    for (const name of [...this.retries.keys()]) this.forget(name);
    for (const server of [...this.running].reverse()) {
      if (await steps.run(() => server.stop('shutdown', graceMs), 'server failed to stop', { server: server.name })) {
        this.log.debug({ server: server.name }, 'server stopped');
      }
    }
    this.running.length = 0;
    this.down.clear();
  }

  /** Puts the running servers in the order of `configs`. */
  sort(configs: readonly ServerConfig[]): void {
    const order = new Map(configs.map((s, i) => [s.name, i]));
    this.running.sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0));
  }

  /** Every configured server, running or down, in config order. */
  views(configs: readonly ServerConfig[]): ServerView[] {
    const byName = new Map(this.running.map((s) => [s.name, s]));
    return configs.map((config) => {
      const server = byName.get(config.name);
      const retry = server ? undefined : this.retries.get(config.name);
      return {
        config,
        server,
        error: server ? null : (this.down.get(config.name) ?? 'not running'),
        ...(retry ? { retry } : {}),
      };
    });
  }

  /** Forgets a server down (and cancels its retry). */
  private forget(name: string): void {
    this.retries.get(name)?.cancel();
    this.retries.delete(name);
    this.down.delete(name);
  }

  private retry(retry: BindRetry): void {
    this.retries.set(retry.config.name, retry);
    retry.schedule(() => void this.options.serialize(() => this.attempt(retry)));
  }

  /** One attempt; a retry cancelled meanwhile (reload, stop) is not attempted. */
  private async attempt(retry: BindRetry): Promise<void> {
    const name = retry.config.name;
    if (this.retries.get(name) !== retry) return;
    const server = createServer(retry.config, retry.deps);
    try {
      await server.start();
    } catch (err) {
      await server.stop('reload', 0).catch(() => undefined);
      if (this.retries.get(name) !== retry) return;
      const why = errorText(err);
      if (!retriable(err)) {
        this.retries.delete(name);
        this.down.set(name, why);
        this.log.error(
          { server: name, err: why, attempts: retry.attempts + 1 },
          'server down: its port is no longer retried',
        );
        return;
      }
      if (why !== this.down.get(name)) this.log.warn({ server: name, err: why }, 'server still down: another reason');
      this.down.set(name, why);
      this.retry(retry);
      return;
    }
    if (this.retries.get(name) !== retry) return server.stop('reload', 0);
    this.retries.delete(name);
    this.down.delete(name);
    this.running.push(server);
    this.sort(this.options.order());
    this.log.info(
      {
        server: name,
        attempts: retry.attempts + 1,
        downSeconds: Math.round((Date.now() - retry.since.getTime()) / 100) / 10,
      },
      'server listening again: its port is free',
    );
  }
}
