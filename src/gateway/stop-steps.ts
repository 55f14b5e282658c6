/**
 * A stop made of steps that all run: a step that fails (a server or device whose stop() throws) is
 * logged and the next one runs anyway, so one failure does not leave the rest running; the first
 * failure is reported once every step was tried.
 */
import type { Logger } from '../log.js';

export class StopSteps {
  private readonly failures: unknown[] = [];

  constructor(private readonly log: Logger) {}

  /** Runs one step; a failure is logged with `fields` and `message`, and kept for report(). */
  async run(step: () => Promise<void> | void, message: string, fields: Record<string, unknown> = {}): Promise<boolean> {
    try {
      await step();
      return true;
    } catch (err) {
      this.failures.push(err);
      this.log.error({ ...fields, err }, message);
      return false;
    }
  }

  /** Throws the first failure, if a step failed. */
  report(): void {
    if (this.failures.length > 0) throw this.failures[0];
  }
}
