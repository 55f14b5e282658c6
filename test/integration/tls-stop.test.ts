/**
 * A server with TLS stops at once even while a client sits in the handshake (a connection that
 * never sends its ClientHello would otherwise hold the listener's close until the handshake timeout).
 */
import net from 'node:net';
import { describe, expect, it } from 'vitest';
import { HANDSHAKE_TIMEOUT_MS } from '../../src/transport/tls-accept.js';
import { startGateway } from '../helpers/gateway.js';
import { makePki } from '../helpers/pki.js';

describe('TLS server stop', () => {
  it('does not wait for handshakes in progress', async () => {
    const pki = await makePki();
    const server = await pki.issue('server', { cn: 'localhost', server: true });
    const gw = await startGateway(`
banks: { plant: { holding: 10 } }
servers:
  - { name: secure, protocol: modbus, listen: "127.0.0.1:0", bank: plant, tls: { cert: ${server.cert}, key: ${server.key}, ca: ${pki.ca} } }
`);
    const raw = net.connect(gw.port('secure'), '127.0.0.1');
    raw.on('error', () => undefined);
    await new Promise((resolve) => raw.once('connect', resolve));
    const closed = new Promise((resolve) => raw.once('close', resolve));
    const t0 = performance.now();
    await gw.stop();
    await closed;
    expect(performance.now() - t0).toBeLessThan(HANDSHAKE_TIMEOUT_MS / 2);
    expect(gw.captured.events('connection refused')).toEqual([]);
  }, 20_000);
});
