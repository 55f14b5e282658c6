/**
 * Test certificates made with the `openssl` command line in a temp dir: a CA, a server certificate
 * for 127.0.0.1 and localhost, and a client certificate, all signed by the CA, all EC P-256 (fast).
 * Every call makes a new, unrelated CA (so a second call is "some other CA").
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openssl } from './tls-certs.js';

export interface CertPair {
  readonly cert: string;
  readonly key: string;
}

export interface TestCerts {
  readonly dir: string;
  /** The CA certificate (PEM file path) that signed the server and client certificates. */
  readonly ca: string;
  readonly caKey: string;
  /** CN=localhost, subjectAltName IP:127.0.0.1, DNS:localhost, extendedKeyUsage serverAuth. */
  readonly server: CertPair;
  /** CN=fieldgate-test-client, extendedKeyUsage clientAuth. */
  readonly client: CertPair;
}

// A config of its own, so nothing depends on the system's openssl.cnf (pki.ts adds its CA sections).
export const CONFIG = `[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[ca_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1,DNS:localhost
authorityKeyIdentifier = keyid
[client_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
`;

export { openssl };

export const newKey = (path: string) =>
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path]);

export async function makeCerts(days = 2): Promise<TestCerts> {
  const dir = mkdtempSync(join(tmpdir(), 'fieldgate-certs-'));
  const cnf = join(dir, 'openssl.cnf');
  writeFileSync(cnf, CONFIG);
  const p = (name: string) => join(dir, name);
  await Promise.all([newKey(p('ca.key')), newKey(p('server.key')), newKey(p('client.key'))]);
  await openssl(
    ['req', '-x509', '-new', '-key', p('ca.key'), '-subj', '/CN=fieldgate-test-ca', '-days', String(days)].concat([
      '-config',
      cnf,
      '-extensions',
      'ca_ext',
      '-out',
      p('ca.crt'),
    ]),
  );
  const sign = async (name: string, cn: string, ext: string) => {
    await openssl([
      'req',
      '-new',
      '-key',
      p(`${name}.key`),
      '-subj',
      `/CN=${cn}`,
      '-config',
      cnf,
      '-out',
      p(`${name}.csr`),
    ]);
    const serial = `0x${randomBytes(8).toString('hex')}`;
    await openssl(
      ['x509', '-req', '-in', p(`${name}.csr`), '-CA', p('ca.crt'), '-CAkey', p('ca.key')].concat([
        '-set_serial',
        serial,
        '-days',
        String(days),
        '-extfile',
        cnf,
        '-extensions',
        ext,
        '-out',
        p(`${name}.crt`),
      ]),
    );
  };
  await Promise.all([sign('server', 'localhost', 'server_ext'), sign('client', 'fieldgate-test-client', 'client_ext')]);
  return {
    dir,
    ca: p('ca.crt'),
    caKey: p('ca.key'),
    server: { cert: p('server.crt'), key: p('server.key') },
    client: { cert: p('client.crt'), key: p('client.key') },
  };
}
