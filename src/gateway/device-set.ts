/**
 * The gateway's device links, by name (a live map: servers look devices up in it when they use
 * them, so a device replaced on reload is found without rebuilding the servers).
 */
import type { Bank } from '../bank/bank.js';
import { readFileTextSync } from '../config/read-file.js';
import type { DeviceConfig, ProfileConfig } from '../config/types.js';
import type { DeviceLink } from '../devices/device.js';
import { createDevice } from '../devices/factory.js';
import { deviceLogger, type Logger } from '../log.js';
import type { StopSteps } from './stop-steps.js';

export class DeviceSet {
  readonly links = new Map<string, DeviceLink>();

  constructor(
    private readonly log: Logger,
    private readonly banks: ReadonlyMap<string, Bank>,
  ) {}

  /** On start a device that fails to start fails the start (`failFast`); on reload it is logged and kept. */
  async start(
    configs: readonly DeviceConfig[],
    profiles: ReadonlyMap<string, ProfileConfig>,
    failFast: boolean,
  ): Promise<void> {
    for (const config of configs) {
      const device = await createDevice(config, {
        log: deviceLogger(this.log, config.name),
        banks: this.banks,
        profiles,
        readPem,
      });
      this.links.set(config.name, device);
      try {
        await device.start();
      } catch (err) {
        if (failFast) throw err;
        this.log.error({ device: config.name, err }, 'device failed to start');
      }
    }
  }

  /** Stops and forgets these devices (a failure to stop is logged). */
  async stop(names: ReadonlySet<string>): Promise<void> {
    for (const name of names) {
      const device = this.links.get(name);
      this.links.delete(name);
      await device?.stop().catch((err: unknown) => this.log.error({ device: name, err }, 'device failed to stop'));
    }
  }

  /** Stops every device, last started first; one that fails to stop is logged and the others still stop. */
  async stopAll(steps: StopSteps): Promise<void> {
    for (const device of [...this.links.values()].reverse()) {
      if (await steps.run(() => device.stop(), 'device failed to stop', { device: device.name })) {
        this.log.debug({ device: device.name }, 'device stopped');
      }
    }
    this.links.clear();
  }

  /** The links of `configs`, in that order. */
  ordered(configs: readonly DeviceConfig[]): DeviceLink[] {
    return configs.flatMap((d) => this.links.get(d.name) ?? []);
  }
}

/** TLS files of devices, read at each connect: a few KiB, regular files only (a FIFO is refused unopened). */
function readPem(path: string): string {
  const read = readFileTextSync(path);
  if (!read.ok) throw new Error(read.reason);
  return read.text;
}
