/**
 * TLS files as the daemon reads them, for the status endpoint and for servers with `tls:`: the
 * certificate, its key and (servers) the CA client certificates must be signed by, read without
 * blocking (read-file.ts: regular files of at most 4 MiB) at start and on every reload, and checked
 * before they are used: the certificate and key parse and belong together, the CA holds at least
 * one certificate. A bad file is an error naming it, so a reload that meets one keeps the running
 * files.
 */
import { FieldgateError } from '../errors.js';
import type { TlsMaterial } from '../transport/tls-accept.js';
import { readFileText } from './read-file.js';

export type { TlsMaterial } from '../transport/tls-accept.js';

/** node:tls, loaded only when a config has TLS (a gateway without pays nothing for it). */
const tlsModule = () => process.getBuiltinModule('node:tls');

export interface TlsFiles {
  readonly cert: string;
  readonly key: string;
  readonly ca?: string;
}

function unusable(what: string, files: string, err: unknown): FieldgateError {
  const why = err instanceof Error ? err.message : String(err);
  return new FieldgateError('FG_ERR_START', `${what}: ${files} cannot be used: ${why}`, [], { cause: err });
}

/** The files of `files`, checked; or the error naming the file and what is wrong. `what`: "status.tls". */
export async function readTls(files: TlsFiles, what: string): Promise<TlsMaterial | FieldgateError> {
  const [cert, key, ca] = await Promise.all([
    readFileText(files.cert),
    readFileText(files.key),
    files.ca !== undefined ? readFileText(files.ca) : undefined,
  ]);
  if (!cert.ok) return cert.error;
  if (!key.ok) return key.error;
  if (ca && !ca.ok) return ca.error;
  try {
    tlsModule().createSecureContext({ cert: cert.text, key: key.text });
  } catch (err) {
    return unusable(what, `${files.cert} / ${files.key}`, err);
  }
  if (ca === undefined) return { cert: cert.text, key: key.text };
  try {
    new (process.getBuiltinModule('node:crypto').X509Certificate)(ca.text); // the first certificate: throws on anything that is not one
    tlsModule().createSecureContext({ ca: ca.text });
  } catch (err) {
    return unusable(what, `${files.ca} (ca)`, err);
  }
  return { cert: cert.text, key: key.text, ca: ca.text };
}

/** A client `tls:` block (a device's, mqtt's): each file optional; `verify` does not matter here. */
export interface ClientTlsFiles {
  readonly ca?: string | undefined;
  readonly cert?: string | undefined;
  readonly key?: string | undefined;
}

/**
 * Checks a client `tls:` block's files as a reload finds them (they are read again at every connect,
 * so nothing is kept): each named file readable, the certificate and key usable together, the CA a
 * certificate. The error names the file, so a reload that meets a broken one is refused.
 */
export async function checkClientTls(files: ClientTlsFiles, what: string): Promise<FieldgateError | undefined> {
  const read = (f: string | undefined) => (f === undefined ? Promise.resolve(undefined) : readFileText(f));
  const [cert, key, ca] = await Promise.all([read(files.cert), read(files.key), read(files.ca)]);
  for (const read of [cert, key, ca]) if (read && !read.ok) return read.error;
  try {
    if (cert?.ok && key?.ok) tlsModule().createSecureContext({ cert: cert.text, key: key.text });
  } catch (err) {
    return unusable(what, `${files.cert} / ${files.key}`, err);
  }
  try {
    if (ca?.ok) new (process.getBuiltinModule('node:crypto').X509Certificate)(ca.text);
  } catch (err) {
    return unusable(what, `${files.ca} (ca)`, err);
  }
  return undefined;
}
