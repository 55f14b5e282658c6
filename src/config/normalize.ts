/** The validated top-level values -> GatewayConfig (defaults applied, durations in ms, maps built). */
import { parseEndpoint } from './address.js';
import { must } from './issues.js';
import { finishCommands } from './items/command.js';
import { checkBankMap, checkCommands, checkDevices, checkPolls, checkServers, type TopProps } from './schema.js';
import type { BankConfig, GatewayConfig } from './types.js';

export function normalize(p: TopProps, file: string | undefined): GatewayConfig {
  const listen = p.status.listen === undefined ? undefined : parseEndpoint(p.status.listen).value;
  const banks = p.banks === null ? new Map<string, BankConfig>() : must(checkBankMap(p.banks));
  return {
    ...(file !== undefined ? { file } : {}),
    gateway: { name: p.gateway.name },
    log: { level: p.log.level },
    ...(listen !== undefined ? { status: { listen } } : {}),
    banks,
    servers: must(checkServers(p.servers ?? [])),
    devices: must(checkDevices(p.devices ?? [])),
    polls: must(checkPolls(p.polls ?? [])),
    commands: finishCommands(must(checkCommands(p.commands ?? [])), banks),
    profiles: new Map(),
  };
}
