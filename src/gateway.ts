/**
 * The composition root: builds the parts of a gateway from a validated config, starts them in order
 * (banks, then servers), and stops them in reverse. A start that fails part-way stops what it had
 * started and rethrows. Every step is logged. No signals and no process.exit here (that is cli.ts).
 */
import { Bank } from './bank/bank.js';
import type { GatewayConfig } from './config/types.js';
import { FieldgateError } from './errors.js';
import type { Logger } from './log.js';
import { deviceIdentity } from './modbus/device-identity.js';
import { ModbusServer } from './modbus/modbus-server.js';

export interface GatewayOptions {
  readonly log: Logger;
  /** ms that sessions get to finish requests in flight on stop. */
  readonly stopGraceMs?: number;
}

export class Gateway {
  readonly banks = new Map<string, Bank>();
  readonly servers: ModbusServer[] = [];
  private readonly log: Logger;
  private sessionSeq = 0;
  private started = false;

  constructor(
    readonly config: GatewayConfig,
    private readonly options: GatewayOptions,
  ) {
    this.log = options.log;
  }

  async start(): Promise<void> {
    const t0 = performance.now();
    this.buildBanks();
    this.warnUnsupported();
    try {
      await this.startServers();
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.started = true;
    this.log.info(
      { servers: this.servers.length, banks: this.banks.size, ms: Math.round(performance.now() - t0) },
      'started',
    );
  }

  async stop(): Promise<void> {
    const grace = this.options.stopGraceMs ?? 2000;
    this.log.info({ servers: this.servers.length }, 'stopping');
    for (const server of [...this.servers].reverse()) {
      await server.stop('shutdown', grace);
      this.log.debug({ server: server.name }, 'server stopped');
    }
    this.servers.length = 0;
    if (this.started) this.log.info('stopped');
    this.started = false;
  }

  findServer(name: string): ModbusServer | undefined {
    return this.servers.find((s) => s.name === name);
  }

  private buildBanks(): void {
    for (const [name, config] of this.config.banks) this.banks.set(name, new Bank(config));
    this.log.debug({ banks: [...this.banks.keys()] }, 'banks built');
  }

  private async startServers(): Promise<void> {
    const identity = deviceIdentity(this.config.gateway.name);
    for (const config of this.config.servers) {
      const server = new ModbusServer(config, {
        banks: this.banks,
        identity,
        log: this.log,
        nextSessionId: () => ++this.sessionSeq,
      });
      this.servers.push(server);
      await server.start();
    }
  }

  private warnUnsupported(): void {
    if (this.config.devices.length === 0) return;
    this.log.warn(
      { devices: this.config.devices.map((d) => d.name) },
      'device links are not supported by this version: units routed to them answer exception 0A',
    );
  }
}

export function isBindError(err: unknown): boolean {
  return err instanceof FieldgateError && err.code === 'FG_ERR_BIND';
}
