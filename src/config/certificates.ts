/**
 * The certificate inventory: every certificate file the configuration names (the status endpoint's,
 * the MQTT link's, `modbus-tcp` devices' and Modbus servers' `tls:` files), each certificate in it
 * (a PEM bundle holds several) parsed with Node's X509Certificate: who names it (`owner`, e.g.
 * `devices.plc.tls.ca`), subject, issuer and expiry. `fieldgate check` prints it and warns 30 days
 * before an expiry; the daemon shows it in /status and /metrics and logs the same warning
 * (certificate-watch.ts). A file that cannot be read or parsed is an entry with its `error`, never a
 * throw. Keys are never read: only certificates.
 */
import { readFileText, type FileText } from './read-file.js';
import type { GatewayConfig } from './types.js';

/** Warn this long before a certificate expires. */
export const EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 86_400_000;

/** A certificate file named by the configuration. */
export interface CertificateRef {
  /** The key that names it: `status.tls.cert`, `mqtt.tls.ca`, `devices.NAME.tls.cert`, `servers.NAME.tls.ca`. */
  readonly owner: string;
  readonly file: string;
}

export interface CertificateInfo extends CertificateRef {
  /** One line, `CN=plc, O=Plant`. */
  readonly subject: string;
  readonly issuer: string;
  /** ISO time. */
  readonly notAfter: string;
  /** ms since the epoch. */
  readonly expiresAt: number;
}

/** A file that could not be read, or held no certificate that could be parsed. */
export interface CertificateProblem extends CertificateRef {
  readonly error: string;
}

export type CertificateEntry = CertificateInfo | CertificateProblem;

export const isProblem = (e: CertificateEntry): e is CertificateProblem => 'error' in e;

type TlsFiles = { readonly ca?: string | undefined; readonly cert?: string | undefined } | undefined;

/** Every certificate file the config names, in the order of the file. */
export function certificateFiles(config: GatewayConfig): CertificateRef[] {
  const refs: CertificateRef[] = [];
  const add = (owner: string, tls: TlsFiles) => {
    if (tls?.cert !== undefined) refs.push({ owner: `${owner}.cert`, file: tls.cert });
    if (tls?.ca !== undefined) refs.push({ owner: `${owner}.ca`, file: tls.ca });
  };
  add('status.tls', config.status?.tls);
  add('mqtt.tls', config.mqtt?.tls);
  for (const d of config.devices) if (d.type === 'modbus-tcp') add(`devices.${d.name}.tls`, d.tls);
  for (const s of config.servers) if ('tls' in s) add(`servers.${s.name}.tls`, s.tls);
  return refs;
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** `CN=a\nO=b` (Node's form) as one line. */
const oneLine = (name: string) => name.split('\n').filter(Boolean).join(', ');

/** Each certificate of a PEM text (one entry per certificate of a bundle). */
export function parseCertificates(ref: CertificateRef, pem: string): CertificateEntry[] {
  const blocks = pem.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) return [{ ...ref, error: 'no certificate in it (a PEM "BEGIN CERTIFICATE" block)' }];
  return blocks.map((block, i): CertificateEntry => {
    try {
      const x = new (process.getBuiltinModule('node:crypto').X509Certificate)(block);
      const expiresAt = Date.parse(x.validTo);
      return {
        ...ref,
        subject: oneLine(x.subject),
        issuer: oneLine(x.issuer),
        notAfter: new Date(expiresAt).toISOString(),
        expiresAt,
      };
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      return { ...ref, error: `certificate ${i + 1} cannot be parsed: ${why}` };
    }
  });
}

/** Reads and parses every certificate file of `config` (without blocking; a bad file is an entry). */
export async function readCertificates(
  config: GatewayConfig,
  read: (path: string) => Promise<FileText> = readFileText,
): Promise<CertificateEntry[]> {
  const refs = certificateFiles(config);
  const texts = await Promise.all(refs.map((r) => read(r.file)));
  return refs.flatMap((ref, i) => {
    const text = texts[i];
    if (text === undefined) return [];
    return text.ok ? parseCertificates(ref, text.text) : [{ ...ref, error: text.reason }];
  });
}

/** Whole seconds until it expires (negative: expired). */
export const expiresInSeconds = (e: CertificateInfo, now: number): number => Math.floor((e.expiresAt - now) / 1000);

/** Expired, or expiring within EXPIRY_WARNING_DAYS. */
export const expiresSoon = (e: CertificateInfo, now: number): boolean =>
  e.expiresAt - now < EXPIRY_WARNING_DAYS * DAY_MS;

function expiry(e: CertificateInfo, now: number): string {
  const ms = e.expiresAt - now;
  if (ms <= 0) return `EXPIRED on ${e.notAfter}`;
  const days = Math.floor(ms / DAY_MS);
  return `expires ${e.notAfter} (in ${days < 1 ? 'less than a day' : `${days} day${days === 1 ? '' : 's'}`})`;
}

/** What to warn about: expired or expiring certificates, files that cannot be used. */
export function certificateWarnings(entries: readonly CertificateEntry[], now: number): string[] {
  return entries.flatMap((e) => {
    if (isProblem(e)) return [`${e.owner}: ${e.file} cannot be read as a certificate: ${e.error}`];
    if (!expiresSoon(e, now)) return [];
    const what = e.expiresAt <= now ? 'has expired' : `expires within ${EXPIRY_WARNING_DAYS} days`;
    return [`${e.owner}: the certificate ${e.subject} in ${e.file} ${what} (${expiry(e, now)}): renew it`];
  });
}

/** `fieldgate check`'s lines: each certificate's owner, file, subject, issuer and expiry. */
export function describeCertificates(entries: readonly CertificateEntry[], now: number): string[] {
  if (entries.length === 0) return [];
  const lines = [`certificates (${entries.length}):`];
  for (const e of entries) {
    if (isProblem(e)) {
      lines.push(`  ${e.owner}: ${e.file}: cannot be read: ${e.error}`);
      continue;
    }
    lines.push(`  ${e.owner}: ${e.file}`, `    subject ${e.subject}, issuer ${e.issuer}, ${expiry(e, now)}`);
  }
  return lines;
}
