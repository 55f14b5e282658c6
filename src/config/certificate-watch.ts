/**
 * The running gateway's certificate inventory (certificates.ts): read at start and on every reload,
 * shown in /status and /metrics, and a warning in the log when a certificate has expired or expires
 * within 30 days: once at start and at each reload, then at most once a day while it lasts (a
 * `Condition` with a day's window, checked every hour so a certificate that crosses the line while
 * the gateway runs is noticed), and `certificates renewed` when a reload ends it.
 */
import { Condition } from '../log-limit.js';
import type { Logger } from '../log.js';
import { certificateWarnings, isProblem, readCertificates, type CertificateEntry } from './certificates.js';
import type { GatewayConfig } from './types.js';

export const CERTIFICATE_WARNING_WINDOW_MS = 86_400_000;
const CHECK_EVERY_MS = 3_600_000;

export class CertificateWatch {
  private list: readonly CertificateEntry[] = [];
  private readonly expiring: Condition;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    log: Logger,
    private readonly read: (config: GatewayConfig) => Promise<CertificateEntry[]> = readCertificates,
  ) {
    this.expiring = new Condition(log, 'certificate expires soon', {
      reasonField: 'certificates',
      endMessage: 'certificates renewed',
      windowMs: CERTIFICATE_WARNING_WINDOW_MS,
    });
  }

  /** The inventory as last read. */
  get entries(): readonly CertificateEntry[] {
    return this.list;
  }

  /** Reads the config's certificates (start, reload) and warns at once when one expires soon. */
  async refresh(config: GatewayConfig): Promise<void> {
    this.list = await this.read(config);
    if (this.warnings().length > 0) this.expiring.stop(); // a start or a reload warns afresh
    this.check();
    this.timer ??= setInterval(() => this.check(), CHECK_EVERY_MS).unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.expiring.stop();
  }

  /** Expired or expiring certificates (an unreadable file is its user's business: a device stays down saying why). */
  private warnings(): string[] {
    return certificateWarnings(
      this.list.filter((e) => !isProblem(e)),
      Date.now(),
    );
  }

  private check(): void {
    const warnings = this.warnings();
    if (warnings.length > 0) this.expiring.hit({ certificates: warnings });
    else this.expiring.end();
  }
}
