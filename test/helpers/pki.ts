/**
 * A small PKI for Modbus/TCP Security tests (a preset over tls-certs.ts's `TestPki`): a CA of its
 * own, then leaf certificates named by their options: a server certificate (serverAuth,
 * subjectAltName 127.0.0.1 / localhost) or a client one (clientAuth) carrying a Modbus role
 * (extension 1.3.6.1.4.1.50316.802.1 as a UTF8String, or any raw DER for malformed cases), or
 * expired. EC P-256 keys.
 */
import type { CertPair } from './certs.js';
import { roleDerExtension, roleExtension, SERVER_CERT, TestPki } from './tls-certs.js';

export type { CertPair } from './certs.js';

export interface LeafOptions {
  readonly cn: string;
  /** serverAuth + subjectAltName for 127.0.0.1 and localhost; default: a client certificate. */
  readonly server?: boolean;
  /** The Modbus role, as the specification writes it (a UTF8String). */
  readonly role?: string;
  /** The role extension's value as raw DER (hex bytes "30:0a:..."), for malformed encodings. */
  readonly roleDer?: string;
  /** Valid from two days ago to yesterday. */
  readonly expired?: boolean;
  /** Days from now until it expires; default 2. */
  readonly days?: number;
}

export interface Pki {
  readonly dir: string;
  /** The CA certificate (PEM file). */
  readonly ca: string;
  issue(name: string, options: LeafOptions): Promise<CertPair>;
}

/** A new CA (`cn`, 30 days) in a temp dir, with its `issue`. */
export async function makePki(cn = 'fieldgate-test-ca'): Promise<Pki> {
  const pki = new TestPki();
  const ca = await pki.ca('ca', { subject: `/CN=${cn}` });
  return {
    dir: pki.dir,
    ca: ca.cert,
    async issue(name, o) {
      const extensions = {
        ...(o.role !== undefined ? roleExtension(o.role) : {}),
        ...(o.roleDer !== undefined ? roleDerExtension(o.roleDer) : {}),
      };
      const kind = o.server ? SERVER_CERT : { usage: 'clientAuth' };
      const days = o.expired ? -1 : (o.days ?? 2);
      const leaf = await pki.issue(name, ca, { ...kind, subject: `/CN=${o.cn}`, days, extensions });
      return { cert: leaf.cert, key: leaf.key };
    },
  };
}
