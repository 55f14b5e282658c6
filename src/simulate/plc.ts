/**
 * Role `plc` (an Omron-style PLC pushing its tag block): every `every` ms, the register layout
 * built from the simulated values is written with FC16 to `unit` at the layout's own addresses, one
 * request in flight; each reply is checked. A tick that finds the previous write still unanswered is
 * skipped; no reply within the deadline, or a stream that is not Modbus, closes the connection (the
 * dialer connects again with backoff). Refusals (exceptions) are reported once per change, not per
 * write. `every` 0: the next write as soon as the last one is acknowledged.
 */
import type net from 'node:net';
import { MbapFramer } from '../codec/mbap.js';
import { encodeRegisters } from '../codec/profile/encode.js';
import { checkWriteReply, writeRequests, type WriteRequest } from './fc16.js';
import type { Conversation, PlaySettings, Say } from './types.js';
import { SimulatedValues } from './values.js';

export interface PlcSettings extends PlaySettings {
  readonly unit: number;
  readonly address: number;
}

const MIN_DEADLINE_MS = 2000;

/** What lives as long as the PLC, across its connections: its values, transaction ids, last outcome. */
class Plc {
  readonly values: SimulatedValues;
  nextId = 0;
  private lastProblem: string | undefined;

  constructor(
    readonly s: PlcSettings,
    readonly say: Say,
  ) {
    this.values = new SimulatedValues(s.values);
  }

  /** The requests of one write of the whole block. */
  block(): WriteRequest[] {
    const requests = writeRequests(
      encodeRegisters(this.s.profile, this.values.next()),
      this.s.address,
      this.s.unit,
      this.nextId,
    );
    this.nextId = (this.nextId + requests.length) & 0xffff;
    return requests;
  }

  outcome(problem: string | undefined): void {
    if (problem === this.lastProblem) return;
    this.lastProblem = problem;
    this.say(problem === undefined ? 'writes accepted' : 'write refused', {
      unit: this.s.unit,
      ...(problem ? { reason: problem } : {}),
    });
  }
}

/** One connection: writes on the clock, replies checked in order. */
class PlcConnection {
  private readonly framer = new MbapFramer();
  private queue: WriteRequest[] = [];
  private deadline: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private readonly timer: NodeJS.Timeout | undefined;
  private readonly deadlineMs: number;

  constructor(
    private readonly plc: Plc,
    private readonly socket: net.Socket,
  ) {
    this.deadlineMs = Math.max(MIN_DEADLINE_MS, plc.s.every);
    socket.on('data', this.onData);
    this.tick();
    this.timer = plc.s.every > 0 ? setInterval(() => this.tick(), plc.s.every) : undefined;
  }

  end(): void {
    clearInterval(this.timer);
    clearTimeout(this.deadline);
    if (this.immediate) clearImmediate(this.immediate);
    this.socket.off('data', this.onData);
  }

  private tick(): void {
    this.immediate = undefined;
    if (this.queue.length > 0 || !this.plc.s.tally.open || this.socket.destroyed) return;
    this.queue = this.plc.block();
    this.send();
  }

  private send(): void {
    const req = this.queue[0];
    if (!req) return;
    this.socket.write(req.adu);
    this.deadline = setTimeout(() => {
      this.plc.say('no reply, connecting again', { unit: this.plc.s.unit, waitedMs: this.deadlineMs });
      this.socket.destroy();
    }, this.deadlineMs);
  }

  private readonly onData = (chunk: Buffer): void => {
    const error = this.framer.feed(chunk, (frame) => this.onReply(frame));
    if (!error) return;
    this.plc.say('the peer does not speak Modbus TCP, closing', {
      reason: error.reason,
      bytes: error.bytes.toString('hex'),
    });
    this.socket.destroy();
  };

  private onReply(frame: Buffer): void {
    const req = this.queue.shift();
    clearTimeout(this.deadline);
    if (!req) return;
    const problem = checkWriteReply(frame, req);
    this.plc.outcome(problem);
    if (problem !== undefined) this.queue = [];
    else if (this.queue.length > 0) this.send();
    else {
      this.plc.s.tally.add();
      if (this.plc.s.every === 0) this.immediate = setImmediate(() => this.tick());
    }
  }
}

export function plcConversation(s: PlcSettings, say: Say): Conversation {
  const plc = new Plc(s, say);
  return (socket) => {
    const connection = new PlcConnection(plc, socket);
    return () => connection.end();
  };
}
