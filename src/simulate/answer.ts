/**
 * Role `answer` (a camera): lines cut by the profile's framing; a line that matches
 * simulate.request (`T{value}`) is answered with simulate.reply filled with the simulated values
 * (or, without a reply template, the profile's own text frame of them); any other non-empty line is
 * answered `ER`, as cameras answer a command they do not know. Empty lines are ignored.
 */
import type net from 'node:net';
import { createFramer } from '../codec/framers/index.js';
import { encodeFrame } from '../codec/profile/encode.js';
import type { ProfileConfig } from '../config/types.js';
import { compileRequest, renderReply } from './templates.js';
import type { Conversation, Say, Tally } from './types.js';
import { SimulatedValues } from './values.js';

export const UNKNOWN_REPLY = 'ER';

export function answerConversation(profile: ProfileConfig, tally: Tally, say: Say): Conversation {
  const sim = profile.simulate;
  const matches = compileRequest(sim?.request);
  const delimiter = profile.framing.type === 'line' ? profile.framing.delimiter : '\r\n';
  const values = new SimulatedValues(sim?.values ?? new Map());
  const answer = (line: string): Buffer | undefined => {
    if (line === '') return undefined;
    const value = matches(line);
    if (value === undefined) return Buffer.from(UNKNOWN_REPLY + delimiter, 'latin1');
    const current = values.next();
    if (sim?.reply === undefined) return encodeFrame(profile, current);
    return Buffer.from(renderReply(sim.reply, current, value) + delimiter, 'latin1');
  };
  return (socket: net.Socket) => {
    const framer = createFramer(profile.framing);
    const onData = (chunk: Buffer) => {
      const error = framer.feed(chunk, (buf, start, end) => {
        if (!tally.open) return;
        const reply = answer(stripEnd(buf.toString('latin1', start, end), delimiter));
        if (reply === undefined) return;
        socket.write(reply);
        tally.add();
      });
      if (error) {
        say('bad request, closing the connection', { reason: error.reason, bytes: error.bytes.toString('hex') });
        socket.destroy();
      }
    };
    socket.on('data', onData);
    return () => socket.off('data', onData);
  };
}

function stripEnd(line: string, delimiter: string): string {
  const text = line.endsWith(delimiter) ? line.slice(0, -delimiter.length) : line;
  return text.replace(/[\r\n]+$/, '');
}
