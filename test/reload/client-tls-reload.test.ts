/**
 * A reload checks the client `tls:` files (a modbus-tcp device's, mqtt's) although they are read
 * at every connect: a file that cannot be read or used refuses the reload, naming it, and the
 * running configuration stays; fixed files are accepted.
 */
import { copyFileSync, writeFileSync } from 'node:fs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { SERVER_CERT, TestPki, type IssuedCert } from '../helpers/tls-certs.js';

let gw: RunningGateway | undefined;
afterEach(async () => {
  await gw?.stop();
  gw = undefined;
});

let pki: TestPki;
let ca: IssuedCert;
let client: IssuedCert;
let other: IssuedCert;
beforeAll(async () => {
  pki = new TestPki();
  ca = await pki.ca('plant-ca');
  client = await pki.issue('scada', ca, { usage: 'clientAuth' });
  other = await pki.issue('other', ca, SERVER_CERT);
}, 30_000);

const yaml = (readOnly: boolean, tls: { ca: string; cert: string; key: string }) => `
banks: { b: { holding: 4 } }
devices:
  - { name: plc, type: modbus-tcp, host: 127.0.0.1, port: 1, tls: { ca: ${tls.ca}, cert: ${tls.cert}, key: ${tls.key} } }
servers:
  - { name: scada, protocol: modbus, listen: 127.0.0.1:0, bank: b, readOnly: ${readOnly} }
`;
const load = (text: string) => loadConfigText(text, 'reload.yaml');

describe('reload with client TLS files', () => {
  it('a broken, missing or mismatched device certificate file refuses the reload, naming it; fixed, it is applied', async () => {
    const cert = pki.path('device.crt');
    const key = pki.path('device.key');
    copyFileSync(client.cert, cert);
    copyFileSync(client.key, key);
    const files = { ca: ca.cert, cert, key };
    gw = await startGateway(yaml(false, files));
    const server = () => gw!.gateway.findServer('scada')!;

    writeFileSync(cert, 'not a certificate\n');
    const broken = await gw.gateway.reload(load(yaml(true, files)));
    expect(broken.result).toBe('refused');
    expect(broken.summary).toContain(cert);
    expect(broken.summary).toContain('the running configuration and certificates stay');
    expect(server().config).toMatchObject({ readOnly: false });

    const missing = await gw.gateway.reload(load(yaml(true, { ...files, ca: pki.path('nowhere.pem') })));
    expect(missing.result).toBe('refused');
    expect(missing.summary).toContain('nowhere.pem');

    copyFileSync(other.cert, cert); // another certificate than the key's
    const mismatched = await gw.gateway.reload(load(yaml(true, files)));
    expect(mismatched.result).toBe('refused');
    expect(mismatched.summary).toContain(`${cert} / ${key}`);

    copyFileSync(client.cert, cert);
    const fixed = await gw.gateway.reload(load(yaml(true, files)));
    expect(fixed.result).toBe('applied');
    expect(server().config).toMatchObject({ readOnly: true });
  }, 20_000);
});
