/**
 * The decode handler decodes each read on the next turn of the event loop, from its own copy: the
 * session's read buffer may be reused at once, requests that came in meanwhile go first, and a stop
 * stores what is still waiting.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DecodeHandler } from '../../src/raw/handlers/decode.js';
import type { HoldReason, RawSession } from '../../src/raw/raw-session.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { fpgaBankYaml, fpgaFrame, fpgaProfile } from '../integration/decode-helpers.js';

const profile = fpgaProfile();
let gw: RunningGateway | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

function fakeSession(): { session: RawSession; events: string[] } {
  const events: string[] = [];
  const session = {
    pool: undefined,
    hold: (r: HoldReason) => events.push(`hold ${r}`),
    release: (r: HoldReason) => events.push(`release ${r}`),
  } as unknown as RawSession;
  return { session, events };
}

async function handler(): Promise<{ h: DecodeHandler; seq: () => unknown }> {
  gw = await startGateway(`banks:\n${fpgaBankYaml('b')}\n`);
  const { banks } = gw.gateway;
  const h = new DecodeHandler({
    profileName: 'fpga-telemetry',
    profile,
    bank: 'b',
    framing: profile.framing,
    banks,
    log: gw.captured.log,
  });
  await h.start();
  return { h, seq: () => banks.get('b')?.point('seq')?.get() };
}

describe('decode handler', () => {
  it('decodes a read on the next turn, from a copy: the read buffer may be overwritten at once', async () => {
    const { h, seq } = await handler();
    const { session, events } = fakeSession();
    const readBuffer = Buffer.concat([fpgaFrame(profile, 1), fpgaFrame(profile, 2)]);
    h.received(session, [readBuffer], 2, [readBuffer.length / 2, readBuffer.length]);
    expect(seq()).toBe(0); // not yet: the loop serves others first
    expect(events).toEqual(['hold turn']);
    Buffer.concat([fpgaFrame(profile, 98), fpgaFrame(profile, 99)]).copy(readBuffer); // the next read
    await new Promise((r) => setImmediate(r));
    expect(seq()).toBe(2);
    expect(h.decoded()).toEqual({ stored: 2, refused: 0 });
    expect(events).toEqual(['hold turn', 'release turn']);
  });

  it('stop stores what is still waiting for its turn', async () => {
    const { h, seq } = await handler();
    const { session } = fakeSession();
    const frame = fpgaFrame(profile, 7);
    h.received(session, [frame], 1, [frame.length]);
    h.closed(session);
    await h.stop();
    expect(seq()).toBe(7);
    expect(h.decoded().stored).toBe(1);
  });
});
