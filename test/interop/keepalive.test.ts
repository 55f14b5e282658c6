/**
 * TCP keepalive, seen from outside the process: `ss` (iproute2) shows the kernel's keepalive timer
 * on a session's accepted socket and on a raw device's outgoing connection, and none when the
 * config says keepAlive: 0. Half-open sessions on pool ports are found by these probes.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startGateway, until, type RunningGateway } from '../helpers/gateway.js';
import { freePorts } from '../helpers/raw-peers.js';
import { requireTool, run } from './tools.js';

const SS = '/usr/bin/ss';
let gw: RunningGateway | undefined;
const open: net.Socket[] = [];
const servers: net.Server[] = [];
afterEach(async () => {
  for (const s of open.splice(0)) s.destroy();
  await gw?.stop();
  gw = undefined;
  for (const s of servers.splice(0)) s.close();
});

/** ss's line for the established socket whose local port is `port` (and remote `peerPort`, if given). */
async function socketLine(filter: string): Promise<string> {
  requireTool(SS, 'iproute2');
  const r = await run(SS, ['-tnoH', 'state', 'established', filter]);
  expect(r.code).toBe(0);
  return r.stdout.trim();
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s)).once('error', reject);
    open.push(s);
  });
}

describe('TCP keepalive on sessions and device connections', () => {
  it('a pool port session and a raw device connection carry a keepalive timer; keepAlive: 0 turns it off', async () => {
    const device = net.createServer((s) => open.push(s));
    servers.push(device);
    await new Promise<void>((r) => device.listen(0, '127.0.0.1', r));
    const devicePort = (device.address() as net.AddressInfo).port;
    const [poolPort] = (await freePorts(1)) as [number];
    gw = await startGateway(`
devices:
  - { name: cam, type: tcp, host: 127.0.0.1, port: ${devicePort}, keepAlive: 5s }
servers:
  - { name: pool, protocol: raw, listen: 127.0.0.1, ports: { ${poolPort}: {} }, keepAlive: 2s, handler: echo }
  - { name: plain, protocol: raw, listen: 127.0.0.1:0, keepAlive: 0, handler: echo }
`);
    const client = await connect(poolPort);
    await until(() => gw!.gateway.findServer('pool')!.sessionCount === 1);
    const session = await socketLine(`( sport = :${poolPort} and dport = :${client.localPort} )`);
    expect(session).toMatch(/timer:\(keepalive,/);

    await until(() => gw!.gateway.devices.get('cam')?.status().state === 'up');
    const outgoing = await socketLine(`( dport = :${devicePort} )`);
    expect(outgoing).toMatch(/timer:\(keepalive,/);

    const plain = await connect(gw.port('plain'));
    await until(() => gw!.gateway.findServer('plain')!.sessionCount === 1);
    const off = await socketLine(`( sport = :${gw.port('plain')} and dport = :${plain.localPort} )`);
    expect(off).not.toBe('');
    expect(off).not.toMatch(/keepalive/);
  });
});
