/**
 * Role `plc` (an Omron-style PLC pushing its tag block): every `every` ms, the register layout
 * built from the simulated values is written with FC16 to `unit` at the layout's own addresses, one
 * request in flight; each reply is checked. A tick that finds the previous write still unanswered is skipped;
 * no reply within the deadline, or a stream that is not Modbus, closes the connection (the dialer
 * connects again with backoff). Refusals (exceptions) are reported once per change, not per write.
 */
import type net from 'node:net';
import { MbapFramer } from '../codec/mbap.js';
import { encodeRegisters } from '../codec/profile/encode.js';
import type { ProfileConfig, SignalConfig } from '../config/types.js';
import { checkWriteReply, writeRequests, type WriteRequest } from './fc16.js';
import type { Conversation, Say, Tally } from './types.js';
import { SimulatedValues } from './values.js';

export interface PlcSettings {
  readonly profile: ProfileConfig;
  readonly values: ReadonlyMap<string, SignalConfig>;
  readonly every: number;
  readonly unit: number;
  readonly address: number;
  readonly tally: Tally;
}

const MIN_DEADLINE_MS = 2000;

export function plcConversation(s: PlcSettings, say: Say): Conversation {
  // one PLC: its counters go on across reconnections
  const values = new SimulatedValues(s.values);
  let nextId = 0;
  let lastProblem: string | undefined;
  const outcome = (problem: string | undefined) => {
    if (problem === lastProblem) return;
    lastProblem = problem;
    say(problem === undefined ? 'writes accepted' : 'write refused', problem === undefined ? { unit: s.unit } : { unit: s.unit, reason: problem });
  };
  return (socket: net.Socket) => {
    const framer = new MbapFramer();
    let queue: WriteRequest[] = [];
    let deadline: NodeJS.Timeout | undefined;
    let immediate: NodeJS.Immediate | undefined;
    const send = () => {
      const req = queue[0];
      if (!req) return;
      socket.write(req.adu);
      deadline = setTimeout(() => {
        say('no reply, connecting again', { unit: s.unit, waitedMs: Math.max(MIN_DEADLINE_MS, s.every) });
        socket.destroy();
      }, Math.max(MIN_DEADLINE_MS, s.every));
    };
    const tick = () => {
      if (queue.length > 0 || !s.tally.open) return;
      queue = writeRequests(encodeRegisters(s.profile, values.next()), s.address, s.unit, nextId);
      nextId = (nextId + queue.length) & 0xffff;
      send();
    };
    const onFrame = (frame: Buffer) => {
      const req = queue.shift();
      clearTimeout(deadline);
      if (!req) return;
      const problem = checkWriteReply(frame, req);
      outcome(problem);
      if (problem !== undefined) queue = [];
      else if (queue.length > 0) send();
      else {
        s.tally.add();
        if (s.every === 0) immediate = setImmediate(tick); // as fast as the gateway acknowledges
      }
    };
    const onData = (chunk: Buffer) => {
      const error = framer.feed(chunk, onFrame);
      if (error) {
        say('the peer does not speak Modbus TCP, closing', { reason: error.reason, bytes: error.bytes.toString('hex') });
        socket.destroy();
      }
    };
    socket.on('data', onData);
    tick();
    const timer = s.every > 0 ? setInterval(tick, s.every) : undefined;
    return () => {
      clearInterval(timer);
      if (immediate) clearImmediate(immediate);
      clearTimeout(deadline);
      socket.off('data', onData);
    };
  };
}
