/**
 * The gateway's servers: those running, in config order, and those configured but down (a port that
 * could not be bound on reload), with why. Starts and stops them by name, for start, stop and reload.
 */
import type { ServerConfig } from '../config/types.js';
import type { Logger } from '../log.js';
import { createServer } from '../servers/factory.js';
import type { GatewayServer, ServerDeps } from '../servers/server.js';
import type { ServerView } from '../status/document.js';
import type { CloseReason } from '../transport/session-stream.js';

export const errorText = (err: unknown): string => (err instanceof Error ? err.message : String(err));

export class ServerSet {
  /** Running servers, in config order. */
  readonly running: GatewayServer[] = [];
  /** Configured servers that are not running, and why. */
  readonly down = new Map<string, string>();

  constructor(private readonly log: Logger) {}

  find(name: string): GatewayServer | undefined {
    return this.running.find((s) => s.name === name);
  }

  /**
   * Builds and starts each server. `failFast` (the first start): the first that cannot listen is
   * thrown (and stays in `running`, for stop() to clean up). Otherwise (reload) it is left down and
   * logged, and the names of those left down are returned.
   */
  async start(configs: readonly ServerConfig[], deps: ServerDeps, failFast: boolean): Promise<string[]> {
    const failed: string[] = [];
    for (const config of configs) {
      this.down.delete(config.name);
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
        this.log.error({ server: config.name, err: errorText(err) }, 'server down: it could not be started on reload');
      }
    }
    return failed;
  }

  /** Stops these servers (their sessions close with `reason`) and forgets them, down or not. */
  async stop(names: ReadonlySet<string>, reason: CloseReason, graceMs: number): Promise<void> {
    const going = this.running.filter((s) => names.has(s.name));
    for (const name of names) this.down.delete(name);
    await Promise.all(going.map((s) => s.stop(reason, graceMs)));
    const kept = this.running.filter((s) => !names.has(s.name));
    this.running.splice(0, this.running.length, ...kept);
  }

  /** Stops every server, last started first. */
  async stopAll(graceMs: number): Promise<void> {
    for (const server of [...this.running].reverse()) {
      await server.stop('shutdown', graceMs);
      this.log.debug({ server: server.name }, 'server stopped');
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
      return { config, server, error: server ? null : (this.down.get(config.name) ?? 'not running') };
    });
  }
}
