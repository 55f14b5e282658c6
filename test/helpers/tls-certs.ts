/**
 * Certificates made with the `openssl` command line for TLS tests, as general as the tests need: a
 * CA (self-signed) or a certificate issued by one, with a subject, extensions (SANs, key usages, any
 * OID such as the Modbus/TCP Security role 1.3.6.1.4.1.50316.802.1 as a UTF8String), a validity in
 * days from now (negative: already expired), EC P-256 keys (fast). Files land in one temp dir.
 *
 *   const pki = new TestPki();
 *   const ca = await pki.ca('plant-ca');
 *   const server = await pki.issue('server', ca, { san: 'IP:127.0.0.1', usage: 'serverAuth' });
 *   const role = { [ROLE_OID]: 'ASN1:UTF8String:Operator' };
 *   const op = await pki.issue('op', ca, { usage: 'clientAuth', extensions: role });
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const OPENSSL = '/usr/bin/openssl';
const run = promisify(execFile);

/** The Modbus/TCP Security role extension (a UTF8String in the client certificate). */
export const ROLE_OID = '1.3.6.1.4.1.50316.802.1';

export interface IssuedCert {
  /** PEM file paths. */
  readonly cert: string;
  readonly key: string;
  readonly subject: string;
}

export interface CertOptions {
  /** The subject as openssl writes it (`/CN=x/O=y`); default `/CN=<name>`. */
  readonly subject?: string;
  /** Days from now until it expires (negative: expired already); default 30. */
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
    const ext = ['basicConstraints = critical,CA:TRUE', 'keyUsage = critical,keyCertSign,cRLSign'];
    return this.make(name, o, [...ext, 'subjectKeyIdentifier = hash'], (p, subject) => [
      ['req', '-x509', '-new', '-key', p.key, '-subj', subject, '-config', p.cnf],
    ]);
  }

  /** A leaf certificate signed by `issuer`. */
  async issue(name: string, issuer: IssuedCert, o: CertOptions = {}): Promise<IssuedCert> {
    const ext = ['basicConstraints = CA:FALSE', 'keyUsage = critical,digitalSignature'];
    const serial = `0x${randomBytes(8).toString('hex')}`;
    return this.make(name, o, [...ext, 'authorityKeyIdentifier = keyid'], (p, subject) => [
      ['req', '-new', '-key', p.key, '-subj', subject, '-config', p.cnf, '-out', `${p.cert}.csr`],
      ['x509', '-req', '-in', `${p.cert}.csr`, '-CA', issuer.cert, '-CAkey', issuer.key, '-set_serial', serial].concat([
        '-extfile',
        p.cnf,
      ]),
    ]);
  }

  /**
   * A key, its config file, then `steps` (openssl argument lists); the last one makes the
   * certificate and is given the validity, the extension section and the output file.
   */
  private async make(
    name: string,
    o: CertOptions,
    ext: readonly string[],
    steps: (p: { cert: string; key: string; cnf: string }, subject: string) => string[][],
  ): Promise<IssuedCert> {
    const p = this.files(name);
    const subject = o.subject ?? `/CN=${name}`;
    writeFileSync(p.cnf, config(ext, o));
    await newKey(p.key);
    const all = steps(p, subject);
    const last = all.pop() ?? [];
    for (const step of all) await openssl(step);
    await openssl([...last, '-days', String(o.days ?? 30), '-extensions', 'ext', '-out', p.cert]);
    return { cert: p.cert, key: p.key, subject };
  }

  /** Writes the certificates' PEM one after the other into `name` (a bundle). */
  bundle(name: string, ...certs: readonly IssuedCert[]): string {
    const path = this.path(name);
    writeFileSync(path, certs.map((c) => readFileSync(c.cert, 'utf8')).join(''));
    return path;
  }

  private files(name: string) {
    return { cert: this.path(`${name}.crt`), key: this.path(`${name}.key`), cnf: this.path(`${name}.cnf`) };
  }
}

const newKey = (path: string) =>
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path]);

/** An openssl config of its own (nothing depends on the system's openssl.cnf) with the `ext` section. */
function config(base: readonly string[], o: CertOptions): string {
  const ext = [...base];
  if (o.san !== undefined) ext.push(`subjectAltName = ${o.san}`);
  if (o.usage !== undefined) ext.push(`extendedKeyUsage = ${o.usage}`);
  for (const [k, v] of Object.entries(o.extensions ?? {})) ext.push(`${k} = ${v}`);
  return `[req]\ndistinguished_name = dn\nprompt = no\n[dn]\nCN = unused\n[ext]\n${ext.join('\n')}\n`;
}
