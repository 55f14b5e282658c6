/**
 * The one maker of test certificates: the `openssl` command line, as general as the tests need. A CA
 * (self-signed) or a certificate issued by one, with a subject, extensions (SANs, key usages, any OID
 * such as the Modbus/TCP Security role 1.3.6.1.4.1.50316.802.1 as a UTF8String or raw DER), a
 * validity in days from now (negative: already expired), EC P-256 keys (fast). Files land in one temp
 * dir. Leaves are signed with `openssl ca` (unlike `openssl x509 -req` it takes explicit start and
 * end dates: an expired certificate was valid the day before it expired), each with a database of its
 * own, so issuing in parallel is safe. certs.ts (`makeCerts`) and pki.ts (`makePki`) are presets over
 * this.
 *
 *   const pki = new TestPki();
 *   const ca = await pki.ca('plant-ca');
 *   const server = await pki.issue('server', ca, { san: 'IP:127.0.0.1', usage: 'serverAuth' });
 *   const op = await pki.issue('op', ca, { usage: 'clientAuth', extensions: roleExtension('Operator') });
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const OPENSSL = '/usr/bin/openssl';
const run = promisify(execFile);
const DAY = 86_400_000;

/** The Modbus/TCP Security role extension (a UTF8String in the client certificate). */
export const ROLE_OID = '1.3.6.1.4.1.50316.802.1';

/** The role extension written as the specification does (a UTF8String). */
export const roleExtension = (role: string) => ({ [ROLE_OID]: `ASN1:UTF8String:${role}` });

/** The role extension's value as raw DER (hex bytes "30:0a:..."), for malformed encodings. */
export const roleDerExtension = (der: string) => ({ [ROLE_OID]: `DER:${der}` });

/** A server certificate for this host: serverAuth, subjectAltName 127.0.0.1 and localhost. */
export const SERVER_CERT = { san: 'IP:127.0.0.1,DNS:localhost', usage: 'serverAuth' } as const;

export interface IssuedCert {
  /** PEM file paths. */
  readonly cert: string;
  readonly key: string;
  readonly subject: string;
}

export interface CertOptions {
  /** The subject as openssl writes it (`/CN=x/O=y`); default `/CN=<name>`. */
  readonly subject?: string;
  /**
   * Days from now until it expires; default 30. Negative (issued certificates only): expired
   * already, valid for the one day before.
   */
  readonly days?: number;
  /** subjectAltName, e.g. `IP:127.0.0.1,DNS:localhost`. */
  readonly san?: string;
  /** extendedKeyUsage: serverAuth, clientAuth (or both, comma-separated). */
  readonly usage?: string;
  /** More extension lines: OID or name -> openssl value (`ASN1:UTF8String:Operator`). */
  readonly extensions?: Readonly<Record<string, string>>;
}

/** Runs the openssl command line; fails with its stderr. */
export async function openssl(args: readonly string[]): Promise<void> {
  try {
    await run(OPENSSL, args, { timeout: 10_000 });
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr ?? '';
    throw new Error(`openssl ${args.join(' ')} failed: ${stderr || String(err)}`, { cause: err });
  }
}

export class TestPki {
  readonly dir: string;

  constructor(dir?: string) {
    this.dir = dir ?? mkdtempSync(join(tmpdir(), 'fieldgate-pki-'));
  }

  path(name: string): string {
    return join(this.dir, name);
  }

  /** A self-signed CA certificate. */
  async ca(name: string, o: CertOptions = {}): Promise<IssuedCert> {
    const days = o.days ?? 30;
    if (days < 0) throw new Error('TestPki.ca: an expired CA is not supported (openssl req -x509 takes no dates)');
    const ext = ['basicConstraints = critical,CA:TRUE', 'keyUsage = critical,keyCertSign,cRLSign'];
    return this.make(name, o, [...ext, 'subjectKeyIdentifier = hash'], (p, subject) => [
      ['req', '-x509', '-new', '-key', p.key, '-subj', subject, '-config', p.cnf, '-extensions', 'ext'].concat([
        '-days',
        String(days),
        '-out',
        p.cert,
      ]),
    ]);
  }

  /** A leaf certificate signed by `issuer`. */
  async issue(name: string, issuer: IssuedCert, o: CertOptions = {}): Promise<IssuedCert> {
    const ext = ['basicConstraints = CA:FALSE', 'keyUsage = critical,digitalSignature'];
    const end = Date.now() + (o.days ?? 30) * DAY;
    const start = o.days !== undefined && o.days < 0 ? end - DAY : Date.now() - 60_000;
    return this.make(name, o, [...ext, 'authorityKeyIdentifier = keyid'], (p, subject) => [
      ['req', '-new', '-key', p.key, '-subj', subject, '-config', p.cnf, '-out', `${p.cert}.csr`],
      ['ca', '-batch', '-notext', '-preserveDN', '-rand_serial', '-config', p.cnf, '-name', 'own'].concat(
        ['-cert', issuer.cert, '-keyfile', issuer.key, '-in', `${p.cert}.csr`, '-out', p.cert],
        ['-extfile', p.cnf, '-extensions', 'ext', '-startdate', utc(start), '-enddate', utc(end)],
      ),
    ]);
  }

  /** Writes the certificates' PEM one after the other into `name` (a bundle). */
  bundle(name: string, ...certs: readonly IssuedCert[]): string {
    const path = this.path(name);
    writeFileSync(path, certs.map((c) => readFileSync(c.cert, 'utf8')).join(''));
    return path;
  }

  /** A key, the certificate's config file (with a CA database of its own), then `steps`. */
  private async make(
    name: string,
    o: CertOptions,
    ext: readonly string[],
    steps: (p: { cert: string; key: string; cnf: string }, subject: string) => string[][],
  ): Promise<IssuedCert> {
    const p = { cert: this.path(`${name}.crt`), key: this.path(`${name}.key`), cnf: this.path(`${name}.cnf`) };
    const db = this.path(`${name}.db`);
    mkdirSync(db);
    writeFileSync(join(db, 'index.txt'), '');
    writeFileSync(join(db, 'serial'), '01\n');
    writeFileSync(p.cnf, config(ext, o, db));
    const subject = o.subject ?? `/CN=${name}`;
    await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', p.key]);
    for (const step of steps(p, subject)) await openssl(step);
    return { cert: p.cert, key: p.key, subject };
  }
}

/** `openssl ca`'s dates: UTCTime, YYMMDDHHMMSSZ. */
const utc = (ms: number) => new Date(ms).toISOString().replace(/[-:T]/g, '').slice(2, 14) + 'Z';

/**
 * An openssl config of its own (nothing depends on the system's openssl.cnf): the `ext` section and
 * the `own` CA section `openssl ca` signs with (database in `db`, any subject kept as requested).
 */
function config(base: readonly string[], o: CertOptions, db: string): string {
  const ext = [...base];
  if (o.san !== undefined) ext.push(`subjectAltName = ${o.san}`);
  if (o.usage !== undefined) ext.push(`extendedKeyUsage = ${o.usage}`);
  for (const [k, v] of Object.entries(o.extensions ?? {})) ext.push(`${k} = ${v}`);
  const ca = [`database = ${join(db, 'index.txt')}`, `serial = ${join(db, 'serial')}`, `new_certs_dir = ${db}`];
  const policy = ['default_md = sha256', 'policy = any', 'unique_subject = no', 'copy_extensions = none'];
  return `[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = unused\n[ext]\n${ext.join('\n')}
[own]\n${[...ca, ...policy].join('\n')}\n[any]\ncommonName = supplied\n`;
}
