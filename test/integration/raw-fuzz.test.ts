/**
 * Property: whatever bytes peers send to raw servers of every framing, nothing throws out of a
 * session, the daemon keeps running, and a well-behaved client on the same server is still served.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { connectPeer } from '../helpers/raw-peers.js';

const FRAMINGS = {
  line: '{ type: line, delimiter: "\\r\\n", max: 64 }',
  length: '{ type: length, size: 2, counts: frame, max: 64 }',
  fixed: '{ type: fixed, size: 7 }',
  none: 'none',
};

let gw: RunningGateway;
beforeAll(async () => {
  const servers = Object.entries(FRAMINGS).flatMap(([name, framing]) => [
    `  - { name: echo-${name}, protocol: raw, listen: "127.0.0.1:0", handler: echo, framing: ${framing}, maxClients: 200 }`,
    `  - { name: hub-${name}, protocol: raw, listen: "127.0.0.1:0", handler: hub, framing: ${framing}, maxClients: 200 }`,
  ]);
  gw = await startGateway(`servers:\n${servers.join('\n')}\n`);
});
afterAll(() => gw.stop());

/** A frame that is valid for the framing, and the bytes of it. */
const goodFrame: Record<keyof typeof FRAMINGS, Buffer> = {
  line: Buffer.from('ping\r\n'),
  length: Buffer.from([0, 6, 0x70, 0x69, 0x6e, 0x67]),
  fixed: Buffer.from('pingpng'),
  none: Buffer.from('ping'),
};

describe('random bytes to raw servers over loopback', () => {
  it.each(Object.keys(FRAMINGS) as (keyof typeof FRAMINGS)[])(
    '%s framing: garbage never disturbs a well-behaved client',
    async (framing) => {
      const good = await connectPeer(gw.port(`echo-${framing}`));
      const listener = await connectPeer(gw.port(`hub-${framing}`));
      let rounds = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.uint8Array({ minLength: 1, maxLength: 200 }), { minLength: 1, maxLength: 6 }),
          async (chunks) => {
            const echo = await connectPeer(gw.port(`echo-${framing}`));
            const hub = await connectPeer(gw.port(`hub-${framing}`));
            for (const c of chunks) {
              echo.send(Buffer.from(c));
              hub.send(Buffer.from(c));
            }
            rounds++;
            const want = Buffer.concat(Array.from({ length: rounds }, () => goodFrame[framing]));
            good.send(goodFrame[framing]);
            await good.untilBytes(want.length);
            expect(good.bytes().equals(want)).toBe(true);
            echo.socket.destroy();
            hub.socket.destroy();
          },
        ),
        { numRuns: 40 },
      );
      expect(gw.gateway.findServer(`echo-${framing}`)).toBeDefined();
      listener.socket.destroy();
      good.socket.destroy();
    },
  );
});
