/**
 * The composition root: builds the parts of a gateway from a validated config, starts them in order
 * (banks, devices, servers), and stops them in reverse. A start that fails part-way stops what it
 * had started and rethrows. Every step is logged. No signals and no process.exit here (cli.ts).
 */
import { Bank } from './bank/bank.js';
import type { GatewayConfig } from './config/types.js';
import type { DeviceLink } from './devices/device.js';
import { createDevice } from './devices/factory.js';
import { deviceLogger, type Logger } from './log.js';
import { deviceIdentity } from './modbus/device-identity.js';
import { createServer, type ServerDeps } from './servers/factory.js';
import { NULL_OBSERVER, type ServerObserver } from './servers/observer.js';
import type { GatewayServer } from './servers/server.js';

export interface GatewayOptions {
  readonly log: Logger;
  /** ms that sessions get to finish requests in flight on stop. */
  readonly stopGraceMs?: number;
  readonly observer?: ServerObserver;
}

export class Gateway {
  readonly banks = new Map<string, Bank>();
  readonly devices = new Map<string, DeviceLink>();
  readonly servers: GatewayServer[] = [];
  readonly startedAt = new Date();
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
    try {
      this.buildBanks();
      await this.startDevices();
      await this.startServers();
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.started = true;
    this.log.info(
      { servers: this.servers.length, banks: this.banks.size, devices: this.devices.size, ms: Math.round(performance.now() - t0) },
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
    for (const device of [...this.devices.values()].reverse()) {
      await device.stop();
      this.log.debug({ device: device.name }, 'device stopped');
    }
    this.devices.clear();
    if (this.started) this.log.info('stopped');
    this.started = false;
  }

  findServer(name: string): GatewayServer | undefined {
    return this.servers.find((s) => s.name === name);
  }

  /** What every server is built with. */
  serverDeps(): ServerDeps {
    return {
      banks: this.banks,
      devices: this.devices,
      identity: deviceIdentity(this.config.gateway.name),
      log: this.log,
      observer: this.options.observer ?? NULL_OBSERVER,
      nextSessionId: () => ++this.sessionSeq,
    };
  }

  private buildBanks(): void {
    for (const [name, config] of this.config.banks) this.banks.set(name, new Bank(config));
    this.log.debug({ banks: [...this.banks.keys()] }, 'banks built');
  }

  private async startDevices(): Promise<void> {
    const unsupported: string[] = [];
    for (const config of this.config.devices) {
      const device = createDevice(config, { log: deviceLogger(this.log, config.name) });
      if (!device) {
        unsupported.push(`${config.name} (${config.type})`);
        continue;
      }
      this.devices.set(config.name, device);
      await device.start();
    }
    if (unsupported.length > 0) {
      this.log.warn({ devices: unsupported }, 'these device types do not run in this version: units routed to them answer exception 0A');
    }
  }

  private async startServers(): Promise<void> {
    const deps = this.serverDeps();
    for (const config of this.config.servers) {
      const server = createServer(config, deps);
      this.servers.push(server);
      await server.start();
    }
  }
}
