/**
 * Role `stream` (an FPGA board): frames of the profile, built from the simulated values, sent every
 * `every` ms, or with `every` 0 as fast as the peer takes them (written in batches, waiting for
 * 'drain' whenever the socket's buffer is full: backpressure, never an unbounded queue). A frame due
 * while the peer has not taken the earlier ones (more than SEND_LIMIT bytes waiting) is skipped, as
 * a board with a full send buffer would.
 */
import type net from 'node:net';
import { encodeFrame } from '../codec/profile/encode.js';
import { Tally, type Conversation, type PlaySettings } from './types.js';
import { SimulatedValues } from './values.js';

const SEND_LIMIT = 1024 * 1024;
/** Frames per write when streaming as fast as possible. */
const BATCH = 64;

export type StreamSettings = PlaySettings;

/**
 * A connection's stream. A board that dials out goes on with its sequence after a reconnection
 * (`perClient` false); a board that accepts clients gives each its own sequence. The count is shared.
 */
export function streamConversation(s: StreamSettings, perClient: boolean): Conversation {
  const shared = new SimulatedValues(s.values);
  return (socket) => {
    const values = perClient ? new SimulatedValues(s.values) : shared;
    const frame = () => encodeFrame(s.profile, values.next());
    return s.every > 0 ? paced(socket, frame, s.every, s.tally) : flooded(socket, frame, s.tally);
  };
}

function paced(socket: net.Socket, frame: () => Buffer, every: number, tally: Tally): () => void {
  const tick = () => {
    if (!tally.open || socket.writableLength > SEND_LIMIT) return;
    socket.write(frame());
    tally.add();
  };
  tick();
  const timer = setInterval(tick, every);
  return () => clearInterval(timer);
}

function flooded(socket: net.Socket, frame: () => Buffer, tally: Tally): () => void {
  let stopped = false;
  let immediate: NodeJS.Immediate | undefined;
  const pump = () => {
    immediate = undefined;
    if (stopped || !tally.open) return;
    const n = tally.limit === undefined ? BATCH : Math.min(BATCH, tally.limit - tally.value);
    const frames: Buffer[] = [];
    for (let i = 0; i < n; i++) frames.push(frame());
    const more = socket.write(frames.length === 1 ? (frames[0] as Buffer) : Buffer.concat(frames));
    tally.add(n);
    // wait for the peer when the socket is full; else let the event loop breathe between batches
    if (!more) socket.once('drain', pump);
    else immediate = setImmediate(pump);
  };
  pump();
  return () => {
    stopped = true;
    if (immediate) clearImmediate(immediate);
    socket.off('drain', pump);
  };
}
