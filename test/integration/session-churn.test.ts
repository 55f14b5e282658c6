/**
 * Routine connection churn at info: a source connecting again and again gets its first connections of
 * a minute logged in full, the rest at debug (transport/connection-churn.ts), so a pool whose clients
 * replace each other does not write megabytes an hour. Counting (status, metrics) is unchanged.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, until, type RunningGateway } from '../helpers/gateway.js';
import { connectPeer, freePorts } from '../helpers/raw-peers.js';
import { Totals } from '../../src/status/totals.js';
import { CHURN_BURST } from '../../src/transport/connection-churn.js';

let gw: RunningGateway | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

const atInfo = (msg: string) => gw!.captured.lines.filter((l) => l['msg'] === msg && l['level'] === 30);
const atDebug = (msg: string) => gw!.captured.lines.filter((l) => l['msg'] === msg && l['level'] === 20);

describe('session churn', () => {
  it('a pool port taken over and over from one address: the first connections at info, the rest at debug', async () => {
    const [p1] = await freePorts(1);
    const totals = new Totals();
    gw = await startGateway(
      `
servers:
  - name: pool
    protocol: raw
    listen: 127.0.0.1
    handler: echo
    onBusy: replace
    ports:
      ${p1}: {}
`,
      { observer: totals },
    );
    const total = 12;
    for (let i = 0; i < total; i++) {
      const peer = await connectPeer(p1!);
      await until(() => gw!.captured.events('port allocated').length === i + 1);
      peer.socket.destroy();
      await peer.closed;
      await until(() => gw!.captured.events('port released').length === i + 1);
    }
    await until(() => gw!.captured.events('session closed').length === total);
    for (const msg of ['session opened', 'port allocated', 'session closed', 'port released']) {
      expect(atInfo(msg), msg).toHaveLength(CHURN_BURST);
      expect(atDebug(msg), msg).toHaveLength(total - CHURN_BURST);
    }
    // the counters see every session
    expect(totals.of('pool')?.sessionsOpened).toBe(total);
    // the summary comes when the minute ends, or when the server stops
    await gw.stop();
    expect(gw.captured.events('sessions (summary)')).toEqual([
      expect.objectContaining({ address: '127.0.0.1', sessions: total, atDebug: total - CHURN_BURST }),
    ]);
    gw = undefined;
  });
});
