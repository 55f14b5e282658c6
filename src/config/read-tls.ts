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

/** A client `tls:` block (a device's, mqtt's): each file optional; `verify` does not matter here. */
export interface ClientTlsFiles {
  readonly ca?: string | undefined;
  readonly cert?: string | undefined;
  readonly key?: string | undefined;
}

type Texts = { readonly cert?: string; readonly key?: string; readonly ca?: string };

/**
 * The named files read and checked: each readable, the certificate and key usable together, the CA
 * a certificate a context takes; or the error naming the file and what is wrong.
 */
async function readChecked(files: ClientTlsFiles, what: string): Promise<Texts | FieldgateError> {
  const read = (f: string | undefined) => (f === undefined ? Promise.resolve(undefined) : readFileText(f));
  const [cert, key, ca] = await Promise.all([read(files.cert), read(files.key), read(files.ca)]);
  for (const r of [cert, key, ca]) if (r && !r.ok) return r.error;
  const text = (r: typeof cert) => (r?.ok ? r.text : undefined);
  const texts: Texts = { cert: text(cert), key: text(key), ca: text(ca) };
  try {
    if (texts.cert !== undefined && texts.key !== undefined)
      tlsModule().createSecureContext({ cert: texts.cert, key: texts.key });
  } catch (err) {
    return unusable(what, `${files.cert} / ${files.key}`, err);
  }
  try {
    if (texts.ca !== undefined) {
      new (process.getBuiltinModule('node:crypto').X509Certificate)(texts.ca); // the first certificate: throws on anything that is not one
      tlsModule().createSecureContext({ ca: texts.ca });
    }
  } catch (err) {
    return unusable(what, `${files.ca} (ca)`, err);
  }
  return texts;
}

/** The files of `files`, checked; or the error naming the file and what is wrong. `what`: "status.tls". */
export async function readTls(files: TlsFiles, what: string): Promise<TlsMaterial | FieldgateError> {
  const t = await readChecked(files, what);
  if (t instanceof FieldgateError) return t;
  const material = { cert: t.cert ?? '', key: t.key ?? '' };
  return t.ca === undefined ? material : { ...material, ca: t.ca };
}

/**
 * Checks a client `tls:` block's files as a reload finds them (they are read again at every connect,
 * so nothing is kept). The error names the file, so a reload that meets a broken one is refused.
 */
export async function checkClientTls(files: ClientTlsFiles, what: string): Promise<FieldgateError | undefined> {
  const t = await readChecked(files, what);
  return t instanceof FieldgateError ? t : undefined;
}
