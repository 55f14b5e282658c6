/**
 * Test certificates for TLS tests that need one ready-made set (a preset over tls-certs.ts's
 * `TestPki`): a CA, a server certificate for 127.0.0.1 and localhost, and a client certificate, all
 * signed by the CA, all EC P-256. Every call makes a new, unrelated CA (so a second call is "some
 * other CA").
 */
import { SERVER_CERT, TestPki } from './tls-certs.js';

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

export async function makeCerts(days = 2): Promise<TestCerts> {
  const pki = new TestPki();
  const ca = await pki.ca('ca', { subject: '/CN=fieldgate-test-ca', days });
  const [server, client] = await Promise.all([
    pki.issue('server', ca, { ...SERVER_CERT, subject: '/CN=localhost', days }),
    pki.issue('client', ca, { usage: 'clientAuth', subject: '/CN=fieldgate-test-client', days }),
  ]);
  const pair = (c: CertPair): CertPair => ({ cert: c.cert, key: c.key });
  return { dir: pki.dir, ca: ca.cert, caKey: ca.key, server: pair(server), client: pair(client) };
}
