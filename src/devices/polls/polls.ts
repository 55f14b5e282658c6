/**
 * Starts the configured polls against the gateway's banks and devices: plans the reads (merging
 * neighbours), runs one PollBlock per read, puts a PollOverlay on every bank a poll writes into
 * (stale ranges, write-through), and shows each poll's status with its device's.
 */
import type { Bank } from '../../bank/bank.js';
import type { DeviceConfig, PollConfig } from '../../config/types.js';
import type { Logger } from '../../log.js';
import type { DeviceLink } from '../device.js';
import { isModbusLink, type ModbusLink } from '../modbus/modbus-link.js';
import type { PollStatus } from '../modbus/modbus-status.js';
import { planReads, type PollMember } from './plan.js';
import { PollBlock } from './poll-block.js';
import { PollOverlay } from './poll-overlay.js';
import { PollState } from './poll-state.js';

export interface PollDeps {
  readonly banks: ReadonlyMap<string, Bank>;
  /** Looked up on every read and write, so a device replaced on reload is used at once. */
  readonly devices: ReadonlyMap<string, DeviceLink>;
  readonly deviceConfigs: readonly DeviceConfig[];
  readonly log: Logger;
}

export interface RunningPolls {
  readonly blocks: readonly PollBlock[];
  status(): PollStatus[];
  stop(): void;
}

/** The unit a poll reads: its own, else the modbus-tcp device's, else 1. */
function unitOf(poll: PollConfig, devices: readonly DeviceConfig[]): number {
  if (poll.unit !== undefined) return poll.unit;
  const device = devices.find((d) => d.name === poll.device);
  return device?.type === 'modbus-tcp' ? device.unit : 1;
}

export function startPolls(polls: readonly PollConfig[], deps: PollDeps): RunningPolls {
  const log = deps.log.child({ component: 'polls' });
  const members: PollMember[] = polls.map((config, index) => ({
    index,
    config,
    unit: unitOf(config, deps.deviceConfigs),
  }));
  const states = new Map(members.map((m) => [m.index, new PollState(m.config, m.unit)]));
  const blocks = planReads(members).map(
    (block, i) => new PollBlock(block, { devices: deps.devices, banks: deps.banks, states, log, client: -(i + 1) }),
  );
  const banks = new Set<Bank>();
  for (const [name, bank] of deps.banks) {
    const into = members.filter((m) => m.config.into.bank === name);
    if (into.length === 0) continue;
    bank.overlay = new PollOverlay(into, states, deps.devices);
    banks.add(bank);
  }
  const links: ModbusLink[] = [];
  for (const [name, link] of deps.devices) {
    if (!isModbusLink(link)) continue;
    const own = members.filter((m) => m.config.device === name).map((m) => states.get(m.index) as PollState);
    if (own.length === 0) continue;
    link.attachPolls(() => own.map((s) => s.status()));
    links.push(link);
  }
  if (polls.length > 0) log.info({ polls: polls.length, reads: blocks.length }, 'polls started');
  for (const block of blocks) block.start();
  return {
    blocks,
    status: () => [...states.values()].map((s) => s.status()),
    stop: () => {
      for (const block of blocks) block.stop();
      for (const bank of banks) bank.overlay = undefined;
      for (const link of links) link.attachPolls(undefined);
    },
  };
}
