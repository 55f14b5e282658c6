/**
 * One scheduled read (a ReadBlock: one poll, or several merged) and where its values go. Reads never
 * overlap: the next one is scheduled when the current one is done. A failed read leaves the bank as
 * it was and marks every poll of the block stale. A merged read the device refuses with 02 (a gap
 * in its address map) is split back into one read per poll from then on.
 */
import type { Bank } from '../../bank/bank.js';
import {
  decodeReadBitsResponse,
  decodeReadRegistersResponse,
  encodeReadRequest,
  exceptionName,
} from '../../codec/pdu/index.js';
import type { Logger } from '../../log.js';
import type { DeviceLink } from '../device.js';
import { isModbusLink } from '../modbus/modbus-link.js';
import { kindOf, type PollMember, type ReadBlock } from './plan.js';
import type { PollState } from './poll-state.js';

const FC = { coils: 1, discrete: 2, holding: 3, input: 4 } as const;

interface Part {
  readonly address: number;
  readonly count: number;
  readonly members: readonly PollMember[];
}

export interface PollBlockDeps {
  readonly devices: ReadonlyMap<string, DeviceLink>;
  readonly banks: ReadonlyMap<string, Bank>;
  readonly states: ReadonlyMap<number, PollState>;
  readonly log: Logger;
  /** Queue client id of this block (negative: not a session). */
  readonly client: number;
}

export class PollBlock {
  private parts: Part[];
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    readonly block: ReadBlock,
    private readonly deps: PollBlockDeps,
  ) {
    this.parts = [{ address: block.address, count: block.count, members: block.members }];
  }

  start(): void {
    this.stopped = false;
    void this.tick();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private async tick(): Promise<void> {
    const t0 = performance.now();
    for (const part of [...this.parts]) {
      if (this.stopped) return;
      await this.read(part);
    }
    if (this.stopped) return;
    const wait = Math.max(0, this.block.every - (performance.now() - t0));
    this.timer = setTimeout(() => void this.tick(), wait);
  }

  private async read(part: Part): Promise<void> {
    const { device, unit, table } = this.block;
    const link = this.deps.devices.get(device);
    if (!isModbusLink(link)) return this.fail(part, `device ${device} is not running`, null);
    const fc = FC[table];
    const t0 = performance.now();
    const { address, count: quantity } = part;
    const request =
      fc <= 2
        ? encodeReadRequest({ fc: fc as 1 | 2, address, quantity })
        : encodeReadRequest({ fc: fc as 3 | 4, address, quantity });
    const reply = await link.request(unit, request, { client: this.deps.client });
    const ms = Math.round((performance.now() - t0) * 1000) / 1000;
    if (this.stopped) return;
    if (!reply) return this.fail(part, 'no reply', ms);
    if ((reply[0] ?? 0) & 0x80) {
      const code = reply[1] ?? 0;
      if (code === 2 && part.members.length > 1) this.split(part);
      return this.fail(part, `exception ${code.toString(16).padStart(2, '0')} (${exceptionName(code)})`, ms);
    }
    const values =
      kindOf(table) === 'bits'
        ? decodeReadBitsResponse(reply, part.count)
        : decodeReadRegistersResponse(reply, part.count);
    if (!values) return this.fail(part, `malformed reply ${reply.subarray(0, 16).toString('hex')}`, ms);
    for (const m of part.members) this.store(m, part.address, values, ms);
  }

  private store(m: PollMember, partAddress: number, values: Uint16Array | Uint8Array, ms: number): void {
    const { read, into } = m.config;
    const bank = this.deps.banks.get(into.bank);
    const target = bank?.table(into.table);
    const index = bank?.indexOf(into.table, into.address, read.count) ?? -1;
    const state = this.deps.states.get(m.index);
    if (!target || index < 0) {
      state?.failed(`bank ${into.bank} has no ${into.table} range ${into.address}+${read.count}`, ms);
      return;
    }
    const from = read.address - partAddress;
    target.set(values.subarray(from, from + read.count), index);
    bank?.stamp(into.table, into.address, read.count);
    state?.succeeded(ms);
  }

  private fail(part: Part, error: string, ms: number | null): void {
    for (const m of part.members) {
      const state = this.deps.states.get(m.index);
      if (state && state.lastError === null)
        this.deps.log.warn({ poll: m.index, error }, 'poll failed: range is stale');
      state?.failed(error, ms);
    }
  }

  private split(part: Part): void {
    this.deps.log.warn(
      { address: part.address, count: part.count, polls: part.members.map((m) => m.index) },
      'merged poll refused with 02: reading each poll on its own',
    );
    this.parts = this.parts.flatMap((p) =>
      p === part
        ? p.members.map((m) => ({ address: m.config.read.address, count: m.config.read.count, members: [m] }))
        : [p],
    );
  }
}
