/**
 * Starts the configured commands against the gateway's banks and devices, and stops them. Built
 * after the devices and banks, stopped before the devices; a reload that changes the commands, a
 * device or a bank builds them anew (they hold bank objects and compiled reply stores).
 */
import type { Bank } from '../bank/bank.js';
import type { CommandConfig, ProfileConfig } from '../config/types.js';
import type { DeviceLink } from '../devices/device.js';
import type { Logger } from '../log.js';
import { Command, type CommandStatus } from './command.js';
import { replyStore } from './reply-store.js';

export interface CommandsDeps {
  readonly banks: ReadonlyMap<string, Bank>;
  /** Looked up at every send, so a device replaced on reload is used at once. */
  readonly devices: ReadonlyMap<string, DeviceLink>;
  readonly profiles: ReadonlyMap<string, ProfileConfig>;
  readonly log: Logger;
}

export interface RunningCommands {
  readonly commands: readonly Command[];
  status(): CommandStatus[];
  stop(): void;
}

function build(config: CommandConfig, deps: CommandsDeps, log: Logger): Command | undefined {
  const bank = deps.banks.get(config.bank);
  if (!bank) {
    log.error({ bank: config.bank }, 'command bank is not running: the command is off');
    return undefined;
  }
  const reply = config.reply;
  const store = reply ? replyStore(deps.profiles.get(reply.profile), reply.profile, bank) : undefined;
  if (reply && !deps.profiles.has(reply.profile))
    log.error({ profile: reply.profile }, 'command reply profile is not loaded: replies are refused');
  return new Command(config, { bank, devices: deps.devices, log, ...(store ? { store } : {}) });
}

export function startCommands(configs: readonly CommandConfig[], deps: CommandsDeps): RunningCommands {
  const commands: Command[] = [];
  for (const config of configs) {
    const log = deps.log.child({ command: config.name });
    const command = build(config, deps, log);
    if (!command) continue;
    command.start();
    commands.push(command);
  }
  if (commands.length > 0) deps.log.info({ commands: commands.map((c) => c.config.name) }, 'commands started');
  return {
    commands,
    status: () => commands.map((c) => c.status()),
    stop: () => {
      for (const c of commands) c.stop();
    },
  };
}
