/**
 * sd_notify for a Node program without native modules: each message is sent by running the
 * `systemd-notify` program (Debian package systemd) with VARIABLE=VALUE arguments. Nothing is sent
 * (and nothing is run) when NOTIFY_SOCKET is unset, i.e. when not started by systemd as Type=notify.
 *
 * systemd-notify waits until the service manager has processed the message (its BARRIER), so the
 * message is attributed to the service even when it cannot claim the main PID (User= is not root:
 * the unit sets NotifyAccess=all). Messages go out one at a time, in order; a message equal to one
 * still waiting is not queued twice (watchdog pings and status lines never pile up).
 */
import { spawn } from 'node:child_process';
import type { Logger } from '../log.js';

export type Notifier = (fields: readonly string[]) => void;

const MAX_WAITING = 8;

export class SdNotify {
  private readonly waiting: string[][] = [];
  private sending: Promise<void> | undefined;
  private failures = 0;

  private constructor(
    private readonly program: string,
    private readonly log: Logger,
  ) {}

  /** A notifier for this process, or undefined when systemd did not ask for notifications. */
  static fromEnv(env: NodeJS.ProcessEnv, log: Logger, program = 'systemd-notify'): SdNotify | undefined {
    return env['NOTIFY_SOCKET'] ? new SdNotify(program, log) : undefined;
  }

  /** Queues one message (several fields are sent together, as one datagram). */
  send(fields: readonly string[]): void {
    const key = fields.join('\n');
    if (this.waiting.some((w) => w.join('\n') === key)) return;
    if (this.waiting.length >= MAX_WAITING) this.waiting.shift();
    this.waiting.push([...fields]);
    this.sending ??= this.drain();
  }

  /** Resolves once every queued message is sent, or after `ms`. */
  async flush(ms: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)));
    await Promise.race([this.sending ?? Promise.resolve(), timeout]);
    clearTimeout(timer);
  }

  private async drain(): Promise<void> {
    for (let next = this.waiting.shift(); next; next = this.waiting.shift()) await this.run(next);
    this.sending = undefined;
  }

  private run(fields: readonly string[]): Promise<void> {
    return new Promise((resolve) => {
      const child = spawn(this.program, fields, { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      let done = false;
      const finish = (why?: string) => {
        if (done) return;
        done = true;
        if (why !== undefined) this.failed(fields, why);
        resolve();
      };
      child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-500)));
      child.on('error', (err) => finish(err.message));
      child.on('close', (code) => finish(code === 0 ? undefined : `exit ${code}: ${stderr.trim()}`));
    });
  }

  /** The first failure is an error (systemd may time the service out); repeats are debug. */
  private failed(fields: readonly string[], why: string): void {
    this.failures++;
    const level = this.failures === 1 ? 'error' : 'debug';
    this.log[level]({ fields, why, program: this.program }, 'cannot notify systemd');
  }
}
