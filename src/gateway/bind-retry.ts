/**
 * Binding again, with backoff, a server whose port was busy on reload: the port is often freed a
 * moment later (the old process exiting, another program restarting), and the server must not stay
 * down until someone reloads again. Which failures are worth retrying, and one retry's state.
 */
import type { ServerConfig } from '../config/types.js';
import type { ServerDeps } from '../servers/server.js';
import type { BindRetryView } from '../status/document.js';
import { Backoff, type BackoffOptions } from '../transport/backoff.js';

/** From 0.5 s, doubling to 30 s, each wait shortened by up to 20 % (servers do not retry in step). */
export const BIND_RETRY: BackoffOptions = { min: 500, max: 30_000, jitter: 0.2 };

/** Bind errors that go away by themselves: the port in use, the address not (yet) on this machine. */
const RETRIED = new Set(['EADDRINUSE', 'EADDRNOTAVAIL']);

/** Whether a start failure is a bind error worth retrying (the cause of a FG_ERR_BIND error). */
export function retriable(err: unknown): boolean {
  const cause = err instanceof Error ? (err.cause as NodeJS.ErrnoException | undefined) : undefined;
  return RETRIED.has(cause?.code ?? '');
}

/** One server waiting for its port. */
export class BindRetry implements BindRetryView {
  readonly since = new Date();
  nextAttemptAt = new Date();
  private readonly backoff: Backoff;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly config: ServerConfig,
    readonly deps: ServerDeps,
    options: BackoffOptions,
  ) {
    this.backoff = new Backoff(options);
  }

  get attempts(): number {
    // the backoff counts the waits it gave; the first wait follows the reload's own attempt
    return Math.max(0, this.backoff.attempts - 1);
  }

  /** Runs `attempt` after the next wait. */
  schedule(attempt: () => void): void {
    const wait = this.backoff.next();
    this.nextAttemptAt = new Date(Date.now() + wait);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      attempt();
    }, wait);
  }

  cancel(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }
}
