/**
 * The daemon's side of a systemd Type=notify service: READY=1 once every listener is bound, STATUS=
 * lines (servers, sessions, devices up), RELOADING=1 / READY=1 around a reload, STOPPING=1 on stop,
 * and WATCHDOG=1 at half of WATCHDOG_USEC. The watchdog timer runs on the main event loop, so a
 * stalled loop stops the pings and systemd restarts the service. Does nothing at all when systemd
 * did not ask for notifications (NOTIFY_SOCKET unset).
 */
import type { Logger } from '../log.js';
import { SdNotify } from './sd-notify.js';

/** How often the STATUS= line is refreshed at most (sent only when it changed; more often with a short watchdog). */
const STATUS_EVERY_MS = 5000;

export interface ServiceOptions {
  readonly env: NodeJS.ProcessEnv;
  readonly log: Logger;
  /** The current one-line state. */
  readonly statusText: () => string;
  /** The notify program (tests); default `systemd-notify` from PATH. */
  readonly program?: string;
}

/** Half of WATCHDOG_USEC in ms, or undefined when no watchdog is asked for this process. */
export function watchdogIntervalMs(env: NodeJS.ProcessEnv, pid = process.pid): number | undefined {
  const usec = Number(env['WATCHDOG_USEC']);
  if (!Number.isInteger(usec) || usec <= 0) return undefined;
  const forPid = env['WATCHDOG_PID'];
  if (forPid !== undefined && forPid !== '' && Number(forPid) !== pid) return undefined;
  return Math.max(1, Math.floor(usec / 2000));
}

export class ServiceNotifier {
  private readonly notify: SdNotify | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private lastStatus = '';
  /** How the last reload went, kept on the STATUS= line until the next one. */
  private reloadNote = '';

  constructor(private readonly options: ServiceOptions) {
    this.notify = SdNotify.fromEnv(options.env, options.log, options.program);
  }

  /** True when systemd asked for notifications. */
  get active(): boolean {
    return this.notify !== undefined;
  }

  /** Every listener is bound: READY=1 with the first STATUS=, then the watchdog and status timers. */
  ready(): void {
    if (!this.notify) return;
    this.lastStatus = this.text();
    this.notify.send(['READY=1', `STATUS=${this.lastStatus}`]);
    const every = watchdogIntervalMs(this.options.env);
    if (every !== undefined) {
      this.options.log.info({ everyMs: every }, 'systemd watchdog armed');
      this.timers.push(setInterval(() => this.notify?.send(['WATCHDOG=1']), every).unref());
    }
    const statusEvery = Math.min(STATUS_EVERY_MS, every ?? STATUS_EVERY_MS);
    this.timers.push(setInterval(() => this.refreshStatus(), statusEvery).unref());
  }

  reloading(): void {
    this.notify?.send(['RELOADING=1', 'STATUS=reloading the configuration']);
  }

  /** After a reload (applied or refused): READY=1 again, with the state and how the reload went. */
  reloaded(outcome: string): void {
    if (!this.notify) return;
    this.reloadNote = `; last reload: ${outcome}`;
    this.lastStatus = this.text();
    this.notify.send(['READY=1', `STATUS=${this.lastStatus}`]);
  }

  stopping(): void {
    for (const t of this.timers.splice(0)) clearInterval(t);
    this.notify?.send(['STOPPING=1', 'STATUS=stopping']);
  }

  /** Waits (at most `ms`) for the queued messages to go out. */
  async flush(ms: number): Promise<void> {
    await this.notify?.flush(ms);
  }

  private text(): string {
    return `${this.options.statusText()}${this.reloadNote}`;
  }

  private refreshStatus(): void {
    const text = this.text();
    if (text === this.lastStatus) return;
    this.lastStatus = text;
    this.notify?.send([`STATUS=${text}`]);
  }
}
