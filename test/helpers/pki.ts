/**
 * A small PKI made with the `openssl` command line for Modbus/TCP Security tests (server and client
 * side alike): a CA of its own, then leaf certificates issued with `openssl ca` (which, unlike
 * `openssl x509 -req`, takes explicit start and end dates: an expired certificate), each with
 * options: a server certificate (serverAuth, subjectAltName 127.0.0.1 / localhost), a client one
 * (clientAuth) carrying a Modbus role (extension 1.3.6.1.4.1.50316.802.1 as `ASN1:UTF8String`, or
 * any raw DER for malformed cases). EC P-256 keys (fast). Leaves are issued one at a time (the CA's
 * database is a file).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONFIG, newKey, openssl, type CertPair } from './certs.js';

export type { CertPair } from './certs.js';

export const ROLE_OID = '1.3.6.1.4.1.50316.802.1';

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
  readonly days?: number;
}

export interface Pki {
  readonly dir: string;
  /** The CA certificate (PEM file). */
  readonly ca: string;
  issue(name: string, options: LeafOptions): Promise<CertPair>;
}

const utc = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';

/** A new CA (`cn`) in a temp dir, with its `issue`. */
export async function makePki(cn = 'fieldgate-test-ca'): Promise<Pki> {
  const dir = mkdtempSync(join(tmpdir(), 'fieldgate-pki-'));
  const p = (name: string) => join(dir, name);
  mkdirSync(p('issued'));
  writeFileSync(p('index.txt'), '');
  writeFileSync(p('serial'), '01\n');
  writeFileSync(
    p('ca.cnf'),
    `${CONFIG}[ca]
default_ca = own
[own]
database = ${p('index.txt')}
new_certs_dir = ${p('issued')}
serial = ${p('serial')}
default_md = sha256
policy = any
unique_subject = no
copy_extensions = none
[any]
commonName = supplied
`,
  );
  await newKey(p('ca.key'));
  await openssl(
    ['req', '-x509', '-new', '-key', p('ca.key'), '-subj', `/CN=${cn}`, '-days', '30'].concat([
      '-config',
      p('ca.cnf'),
      '-extensions',
      'ca_ext',
      '-out',
      p('ca.crt'),
    ]),
  );
  let queue: Promise<unknown> = Promise.resolve();
  const issueOne = async (name: string, o: LeafOptions): Promise<CertPair> => {
    const ext = [
      'basicConstraints = CA:FALSE',
      'keyUsage = critical,digitalSignature',
      o.server ? 'extendedKeyUsage = serverAuth' : 'extendedKeyUsage = clientAuth',
      ...(o.server ? ['subjectAltName = IP:127.0.0.1,DNS:localhost'] : []),
      ...(o.role !== undefined ? [`${ROLE_OID} = ASN1:UTF8String:${o.role}`] : []),
      ...(o.roleDer !== undefined ? [`${ROLE_OID} = DER:${o.roleDer}`] : []),
    ];
    writeFileSync(p(`${name}.ext`), `[leaf]\n${ext.join('\n')}\n`);
    await newKey(p(`${name}.key`));
    await openssl(
      ['req', '-new', '-key', p(`${name}.key`), '-subj', `/CN=${o.cn}`, '-config', p('ca.cnf')].concat([
        '-out',
        p(`${name}.csr`),
      ]),
    );
    const now = Date.now();
    const day = 86_400_000;
    const dates = o.expired
      ? ['-startdate', utc(new Date(now - 2 * day)), '-enddate', utc(new Date(now - day))]
      : ['-startdate', utc(new Date(now - 60_000)), '-enddate', utc(new Date(now + (o.days ?? 2) * day))];
    await openssl(
      ['ca', '-batch', '-notext', '-config', p('ca.cnf'), '-cert', p('ca.crt'), '-keyfile', p('ca.key')].concat(
        ['-in', p(`${name}.csr`), '-out', p(`${name}.crt`), '-extfile', p(`${name}.ext`), '-extensions', 'leaf'],
        ['-rand_serial', ...dates],
      ),
    );
    return { cert: p(`${name}.crt`), key: p(`${name}.key`) };
  };
  return {
    dir,
    ca: p('ca.crt'),
    issue(name, options) {
      const next = queue.then(() => issueOne(name, options));
      queue = next.catch(() => undefined);
      return next;
    },
  };
}
