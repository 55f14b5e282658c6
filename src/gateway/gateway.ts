/**
 * The composition root: builds the parts of a gateway from a validated config, starts them in order
 * (banks, devices, polls, servers, status endpoint), stops them in reverse, and applies a reload
 * (validate, diff, apply: docs/ARCHITECTURE.md, "A reload"). A start that fails part-way stops what it had started and
 * rethrows. A reload never throws and never stops the gateway: what cannot be applied (a port that
 * cannot be bound) is left down, logged, and shown in the status document; a port that was busy is
 * bound again with backoff until it frees (gateway/server-set.ts). Reloads, stop and those bind
 * attempts run one at a time. Every step is logged. No signals and no process.exit here (cli.ts).
 *
 * Servers and polls find devices by name in `devices` (a live map) when they use them, so a device
 * replaced on reload does not restart the servers that route to it.
 */
import { Bank } from '../bank/bank.js';
import type { CommandStatus } from '../commands/command.js';
import type { RunningCommands } from '../commands/commands.js';
import { CertificateWatch } from '../config/certificate-watch.js';
import type { CertificateEntry } from '../config/certificates.js';
import { describePlan, diffConfig, planFields, type BankChanges, type ReloadPlan } from '../config/diff.js';
import { formatIssue } from '../config/load.js';
import type { ConfigIssue, GatewayConfig, LoadResult, StatusConfig } from '../config/types.js';
import type { DeviceLink } from '../devices/device.js';
import { startPolls, type RunningPolls } from '../devices/polls/polls.js';
import { DeviceSet } from './device-set.js';
import { errorText, ServerSet } from './server-set.js';
import { StopSteps } from './stop-steps.js';
import type { Logger } from '../log.js';
import { deviceIdentity } from '../modbus/device-identity.js';
import type { ServerObserver } from '../servers/observer.js';
import type { GatewayServer, ServerDeps } from '../servers/server.js';
import type { MqttStatus } from '../mqtt/mqtt-status.js';
import type { Northbound } from '../mqtt/northbound.js';
import { bankAlive } from './bank-sources.js';
import { checkClientTlsFiles, ServerTlsFiles } from './server-tls-files.js';
import type { GatewayView, ReloadRecord, ServerView, StatusDocument } from '../status/document.js';
import type { StatusEndpoint } from '../status/endpoint.js';
import { ObserverHub } from '../status/observer-hub.js';
import type { BackoffOptions } from '../transport/backoff.js';

export interface GatewayOptions {
  readonly log: Logger;
  /** ms that sessions get to finish requests in flight on stop (and on a server restart by reload). */
  readonly stopGraceMs?: number;
  /** Told about sessions and requests, besides the status endpoint's own observers. */
  readonly observer?: ServerObserver;
  /** Waits between attempts to bind a port that was busy on reload (default: 0.5 s doubling to 30 s). */
  readonly bindRetry?: BackoffOptions;
}

export interface ReloadOutcome {
  readonly result: 'applied' | 'refused';
  readonly summary: string;
  /** Servers left down by this reload (they could not be started). */
  readonly down: readonly string[];
}

export class Gateway implements GatewayView {
  readonly banks = new Map<string, Bank>();
  readonly startedAt = new Date();
  readonly reloads: { applied: number; refused: number; last: ReloadRecord | null } = {
    applied: 0,
    refused: 0,
    last: null,
  };
  private readonly serverSet: ServerSet;
  private readonly deviceSet: DeviceSet;
  /** The certificates of servers with `tls:`, read at start and on every reload. */
  private readonly tlsFiles = new ServerTlsFiles();
  private current: GatewayConfig;
  private readonly log: Logger;
  private readonly hub = new ObserverHub();
  private status: StatusEndpoint | undefined;
  /** The running polls (reads from devices into banks). */
  private polls: RunningPolls | undefined;
  /** The running commands (client writes that send frames to raw devices). */
  private commands: RunningCommands | undefined;
  /** The northbound MQTT publisher (Sparkplug B or JSON), when the config has `mqtt:`. */
  private northbound: Northbound | undefined;
  /** The config's certificates: read at start and on reload, expiry warnings in the log. */
  private readonly certificates: CertificateWatch;
  private sessionSeq = 0;
  private started = false;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    config: GatewayConfig,
    private readonly options: GatewayOptions,
  ) {
    this.current = config;
    this.log = options.log;
    this.serverSet = new ServerSet(options.log, {
      ...(options.bindRetry ? { retry: options.bindRetry } : {}),
      serialize: (task) => this.serialize(task),
      order: () => this.current.servers,
    });
    this.deviceSet = new DeviceSet(options.log, this.banks);
    this.certificates = new CertificateWatch(options.log);
    if (options.observer) this.hub.attach(options.observer);
  }

  /** The configuration running now (replaced by each applied reload). */
  get config(): GatewayConfig {
    return this.current;
  }

  /** Running servers, in config order. */
  get servers(): readonly GatewayServer[] {
    return this.serverSet.running;
  }

  /** Device links by name (live: replaced devices are swapped in place on reload). */
  get devices(): ReadonlyMap<string, DeviceLink> {
    return this.deviceSet.links;
  }

  /**
   * Configured servers that are not running, and why (bind failures on reload; a busy port is retried with backoff, any
   * on the next reload).
   */
  get down(): ReadonlyMap<string, string> {
    return this.serverSet.down;
  }

  get name(): string {
    return this.current.gateway.name;
  }

  get configFile(): string | undefined {
    return this.current.file;
  }

  /** The status endpoint's bound port, 0 when it is not listening. */
  get statusPort(): number {
    return this.status?.port ?? 0;
  }

  async start(): Promise<void> {
    const t0 = performance.now();
    try {
      this.buildBanks();
      await this.certificates.refresh(this.current);
      if (this.current.status) await this.loadStatus();
      await this.deviceSet.start(this.current.devices, this.current.profiles, true);
      this.startPolls();
      await this.startCommands();
      await this.tlsFiles.load(this.current.servers);
      await this.serverSet.start(this.current.servers, this.serverDeps(), true);
      await this.startMqtt();
      await this.openStatus(this.current.status, true);
    } catch (err) {
      // What failed to stop is logged; the start's own error is the one to report.
      await this.stopAll().catch(() => undefined);
      throw err;
    }
    this.started = true;
    this.log.info(
      {
        servers: this.servers.length,
        banks: this.banks.size,
        devices: this.devices.size,
        ms: Math.round(performance.now() - t0),
      },
      'started',
    );
  }

  /** Stops everything, in the reverse order of start (after a reload in progress has finished). */
  stop(): Promise<void> {
    return this.serialize(() => this.stopAll());
  }

  /**
   * Applies a newly loaded configuration. An invalid one (`ok: false`) is refused: every problem is
   * logged and the running configuration stays. Never throws.
   */
  reload(loaded: LoadResult): Promise<ReloadOutcome> {
    return this.serialize(async () => {
      if (!loaded.ok) return this.refuse(loaded.issues);
      if (!this.started) return this.refuse([], 'the gateway is not running');
      const tls = await this.tlsFiles.read(loaded.config.servers);
      const broken = tls instanceof Error ? tls : await checkClientTlsFiles(loaded.config);
      if (broken || tls instanceof Error) {
        const why = (broken ?? tls) as Error;
        return this.refuse([], `${why.message}; the running configuration and certificates stay`);
      }
      try {
        this.tlsFiles.keep(tls);
        return await this.apply(loaded.config);
      } catch (err) {
        this.log.error({ err }, 'reload failed part-way; what could not be applied is down (see the status)');
        return this.record('applied', `failed part-way: ${errorText(err)}`, [...this.down.keys()]);
      }
    });
  }

  findServer(name: string): GatewayServer | undefined {
    return this.serverSet.find(name);
  }

  /** Every configured server, running or down, in config order. */
  serverViews(): ServerView[] {
    return this.serverSet.views(this.current.servers);
  }

  deviceLinks(): DeviceLink[] {
    return this.deviceSet.ordered(this.current.devices);
  }

  /** Every certificate the config names, as read at start or at the last reload. */
  certificateEntries(): readonly CertificateEntry[] {
    return this.certificates.entries;
  }

  /** The status document (status/document.ts); undefined when the status endpoint is not configured. */
  statusDocument(): StatusDocument | undefined {
    return this.status?.document();
  }

  /** What every server is built with. */
  serverDeps(): ServerDeps {
    return {
      banks: this.banks,
      devices: this.devices,
      profiles: this.current.profiles,
      identity: deviceIdentity(this.current.gateway.name),
      log: this.log,
      observer: this.hub,
      nextSessionId: () => ++this.sessionSeq,
      tls: (server) => this.tlsFiles.get(server),
    };
  }

  private serialize<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task, task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Every step runs even when one fails (logged); the first failure is thrown at the end. */
  private async stopAll(): Promise<void> {
    this.log.info({ servers: this.servers.length }, 'stopping');
    const steps = new StopSteps(this.log);
    await steps.run(() => this.status?.close(), 'status endpoint failed to stop');
    await steps.run(() => this.stopMqtt(), 'mqtt failed to stop');
    await this.serverSet.stopAll(this.options.stopGraceMs ?? 2000, steps);
    await steps.run(() => this.stopCommands(), 'commands failed to stop');
    await steps.run(() => this.stopPolls(), 'polls failed to stop');
    await this.deviceSet.stopAll(steps);
    this.certificates.stop();
    if (this.started) this.log.info('stopped');
    this.started = false;
    steps.report();
  }

  private buildBanks(): void {
    for (const [name, config] of this.current.banks) this.banks.set(name, new Bank(config));
    this.log.debug({ banks: [...this.banks.keys()] }, 'banks built');
  }

  private applyBanks(banks: BankChanges): void {
    for (const name of banks.removed) this.banks.delete(name);
    for (const config of [...banks.reshaped, ...banks.added]) this.banks.set(config.name, new Bank(config));
    for (const config of banks.repointed) this.banks.get(config.name)?.definePoints(config.points);
  }

  private startPolls(): void {
    const { polls, devices } = this.current;
    this.polls = startPolls(polls, { banks: this.banks, devices: this.devices, deviceConfigs: devices, log: this.log });
  }

  private stopPolls(): void {
    this.polls?.stop();
    this.polls = undefined;
  }

  /** Each command's counters (triggers, sent, replies, timeouts, dropped, ...), in config order. */
  commandStatus(): CommandStatus[] {
    return this.commands?.status() ?? [];
  }

  /** The commands module is loaded only when the config has commands (memory on a small board). */
  private async startCommands(): Promise<void> {
    const { commands, profiles } = this.current;
    if (commands.length === 0) return;
    const { startCommands } = await import('../commands/commands.js');
    this.commands = startCommands(commands, { banks: this.banks, devices: this.devices, profiles, log: this.log });
  }

  private stopCommands(): void {
    this.commands?.stop();
    this.commands = undefined;
  }

  /** The MQTT link's status; undefined when the config has no `mqtt:`. */
  mqttStatus(): MqttStatus | undefined {
    return this.northbound?.status();
  }

  /** The MQTT modules are loaded only when the config has `mqtt:` (memory on a small board). */
  private async startMqtt(): Promise<void> {
    const config = this.current.mqtt;
    if (config === undefined) return;
    const { createNorthbound } = await import('../mqtt/start-mqtt.js');
    const northbound = createNorthbound(config, {
      banks: this.banks,
      identity: deviceIdentity(this.current.gateway.name),
      log: this.log,
      bankAlive: (bank) => bankAlive(bank, this.current, this.polls?.status() ?? [], this.devices),
      nodeInfo: () => {
        const links = [...this.devices.values()];
        return {
          sessions: this.servers.reduce((n, s) => n + s.sessionCount, 0),
          devicesUp: links.filter((d) => d.status().state === 'up').length,
          devices: links.length,
        };
      },
    });
    this.northbound = northbound;
    await northbound.start();
  }

  private async stopMqtt(): Promise<void> {
    const northbound = this.northbound;
    this.northbound = undefined;
    await northbound?.stop();
  }

  /** Polls hold device links and bank objects: they restart when either set changes, or the polls do. */
  private pollsTouched(plan: ReloadPlan): boolean {
    const d = plan.devices;
    const b = plan.banks;
    return (
      plan.polls ||
      d.added.length + d.removed.length + d.changed.length + b.added.length + b.removed.length + b.reshaped.length > 0
    );
  }

  private async apply(next: GatewayConfig): Promise<ReloadOutcome> {
    const t0 = performance.now();
    const plan = diffConfig(this.current, next);
    const retry = next.servers.filter((s) => this.down.has(s.name) && plan.servers.unchanged.includes(s.name));
    const restartPolls = this.pollsTouched(plan);
    // Commands hold bank objects and reply stores compiled against their points, and subscribe to device links.
    const restartCommands =
      plan.commands || plan.banks.repointed.length > 0 || this.pollsTouched({ ...plan, polls: false });
    if (plan.logLevel !== undefined) this.log.level = plan.logLevel;
    this.current = next;
    await this.certificates.refresh(next);
    await this.serverSet.stop(
      new Set([...plan.servers.removed, ...plan.servers.changed.map((s) => s.name)]),
      'reload',
      this.options.stopGraceMs ?? 2000,
    );
    if (restartCommands) this.stopCommands();
    if (restartPolls) this.stopPolls();
    await this.deviceSet.stop(new Set([...plan.devices.removed, ...plan.devices.changed.map((d) => d.name)]));
    this.applyBanks(plan.banks);
    await this.deviceSet.start([...plan.devices.changed, ...plan.devices.added], next.profiles, false);
    if (restartPolls) this.startPolls();
    if (restartCommands) await this.startCommands();
    const built = [...plan.servers.changed, ...plan.servers.added, ...retry];
    const failed = await this.serverSet.start(built, this.serverDeps(), false);
    this.tlsFiles.renew(this.serverSet.running, new Set(built.map((s) => s.name)), this.log);
    this.serverSet.sort(next.servers);
    await this.applyMqtt(plan);
    // A changed status section opens the endpoint again; an unchanged one reads its token and certificate again.
    if (plan.status) await this.openStatus(next.status, false);
    else await this.status?.reloadFiles();
    const retried = retry.map((s) => s.name).filter((n) => !failed.includes(n));
    const summary = this.summarize(plan, retried, failed);
    this.log.info(
      { ...planFields(plan), retried, down: failed, ms: Math.round(performance.now() - t0), summary },
      'reload applied',
    );
    return this.record('applied', summary, failed);
  }

  /** A changed `mqtt:` opens the session again; changed banks are born again on the running one. */
  private async applyMqtt(plan: ReloadPlan): Promise<void> {
    if (plan.mqtt) {
      await this.stopMqtt();
      try {
        await this.startMqtt();
      } catch (err) {
        this.log.error({ err: errorText(err) }, 'mqtt down: it could not be started on reload');
      }
      return;
    }
    const b = plan.banks;
    const touched = [...b.added, ...b.reshaped, ...b.repointed].map((x) => x.name);
    if (touched.length > 0 || b.removed.length > 0) this.northbound?.banksChanged(touched);
  }

  private summarize(plan: ReloadPlan, retried: readonly string[], failed: readonly string[]): string {
    const parts = plan.empty && retried.length > 0 ? [] : [describePlan(plan)];
    if (retried.length > 0) parts.push(`started again: ${retried.join(', ')}`);
    if (failed.length > 0) parts.push(`DOWN: ${failed.map((n) => `${n} (${this.down.get(n)})`).join(', ')}`);
    return parts.join('; ');
  }

  private refuse(issues: readonly ConfigIssue[], why?: string): ReloadOutcome {
    for (const issue of issues) this.log.error({ problem: formatIssue(issue) }, 'reload: configuration problem');
    const summary =
      why ?? `the configuration is not valid (${issues.length} problem(s)); the running configuration stays`;
    this.log.error({ problems: issues.length }, `reload refused: ${summary}`);
    return this.record('refused', summary, []);
  }

  private record(result: 'applied' | 'refused', summary: string, down: readonly string[]): ReloadOutcome {
    this.reloads[result]++;
    this.reloads.last = { at: new Date(), result, summary };
    return { result, summary, down };
  }

  /** Loads the status module (and prom-client) only when the endpoint is configured. */
  private async loadStatus(): Promise<StatusEndpoint> {
    if (!this.status) {
      const { StatusEndpoint } = await import('../status/endpoint.js');
      this.status = new StatusEndpoint(this, this.log);
      for (const observer of this.status.observers) this.hub.attach(observer);
    }
    return this.status;
  }

  private async openStatus(config: StatusConfig | undefined, failFast: boolean): Promise<void> {
    if (!config) return this.status?.close();
    const status = await this.loadStatus();
    try {
      await status.open(config);
    } catch (err) {
      if (failFast) throw err;
      // Its files are read before the running listener is closed: a bad one keeps that listener.
      this.log.error(
        { err: errorText(err) },
        status.port > 0
          ? 'status endpoint: the new settings could not be applied; it runs as before'
          : 'status endpoint down: it could not be started on reload',
      );
    }
  }
}
