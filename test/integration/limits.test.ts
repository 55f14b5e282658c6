/** maxClients, allow, idleTimeout and output backpressure, over loopback. */
import { afterEach, describe, expect, it } from 'vitest';
import { encodeAdu } from '../../src/codec/mbap.js';
import { closeClient, modbusClient, rawConnect } from '../helpers/clients.js';
import { startGateway, until, type RunningGateway } from '../helpers/gateway.js';
import { hex } from '../helpers/hex.js';

let gw: RunningGateway | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

const server = (extra: string) => `
banks: { b: { holding: 10 } }
servers:
  - name: s
    protocol: modbus
    listen: 127.0.0.1:0
    bank: b
${extra}`;

describe('limits', () => {
  it('maxClients: the connection past the limit is closed at once and logged', async () => {
    gw = await startGateway(server('    maxClients: 2'));
    const a = await modbusClient(gw.port('s'));
    const b = await modbusClient(gw.port('s'));
    const c = await rawConnect(gw.port('s'));
    await c.closed;
    expect(gw.captured.events('connection refused').at(-1)).toMatchObject({ why: 'max-clients' });
    expect((await a.readHoldingRegisters(0, 1)).data).toEqual([0]);
    await closeClient(a);
    await until(() => gw!.gateway.findServer('s')!.sessionCount === 1);
    const d = await modbusClient(gw.port('s'));
    expect((await d.readHoldingRegisters(0, 1)).data).toEqual([0]);
    await Promise.all([closeClient(b), closeClient(d)]);
  });

  it('allow: a source outside the list is refused; one inside is served', async () => {
    gw = await startGateway(server('    allow: [10.0.0.0/8]'));
    const c = await rawConnect(gw.port('s'));
    await c.closed;
    expect(gw.captured.events('connection refused').at(-1)).toMatchObject({ why: 'not-allowed' });
    await gw.stop();
    gw = await startGateway(server('    allow: [10.0.0.0/8, 127.0.0.0/8]'));
    const ok = await modbusClient(gw.port('s'));
    expect((await ok.readHoldingRegisters(0, 1)).data).toEqual([0]);
    await closeClient(ok);
  });

  it('idleTimeout closes a silent session and logs the reason', async () => {
    gw = await startGateway(server('    idleTimeout: 150ms'));
    const c = await rawConnect(gw.port('s'));
    const t0 = Date.now();
    await c.closed;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    await until(() => gw!.captured.events('session closed').length > 0);
    expect(gw.captured.events('session closed').at(-1)).toMatchObject({ reason: 'idle' });
  });

  it('a client that sends but never reads is paused, then closed; memory stays bounded', async () => {
    gw = await startGateway(server('    sendTimeout: 300ms'));
    const c = await rawConnect(gw.port('s'));
    c.socket.pause(); // never read the replies
    const req = encodeAdu(1, 1, hex('03 0000 000a'));
    const burst = Buffer.concat(Array.from({ length: 1000 }, () => req)); // 12 kB of requests, 29 kB of replies
    let sent = 0;
    const t0 = Date.now();
    while (!c.socket.destroyed && sent < 2000 && Date.now() - t0 < 10_000) {
      if (!c.socket.write(burst))
        await new Promise((r) => {
          c.socket.once('drain', r);
          setTimeout(r, 50);
        });
      sent++;
    }
    await c.closed;
    await until(() => gw!.captured.events('session closed').length > 0);
    expect(gw.captured.events('session closed').at(-1)).toMatchObject({ reason: 'send-timeout' });
    const served = gw.captured.events('session closed').at(-1)?.['requests'] as number;
    // The server stopped reading long before the client stopped writing.
    expect(served).toBeLessThan(sent * 1000);
    expect(gw.captured.events('peer does not read its replies')).toHaveLength(1);
  });
});
