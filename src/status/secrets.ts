/**
 * The status endpoint's files: the token (`status.tokenFile`) and the TLS certificate and key
 * (`status.tls`), read without blocking (config/read-file.ts: regular files of at most 4 MiB) at
 * open and on every reload. A certificate is checked (parsed, key matching) before it is used, so
 * a bad file on reload is refused and the running one stays.
 */
import { readFileText } from '../config/read-file.js';
import type { StatusConfig } from '../config/types.js';
import { FieldgateError } from '../errors.js';

export interface TlsMaterial {
  readonly cert: string;
  readonly key: string;
}

/** The certificate and key of `files`, checked; or the error naming what is wrong. */
export async function readTls(files: NonNullable<StatusConfig['tls']>): Promise<TlsMaterial | FieldgateError> {
  const [cert, key] = await Promise.all([readFileText(files.cert), readFileText(files.key)]);
  if (!cert.ok) return cert.error;
  if (!key.ok) return key.error;
  try {
    // node:tls is loaded only when a certificate is configured.
    process.getBuiltinModule('node:tls').createSecureContext({ cert: cert.text, key: key.text });
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    return new FieldgateError('FG_ERR_START', `status.tls: ${files.cert} / ${files.key} cannot be used: ${why}`, [], {
      cause: err,
    });
  }
  return { cert: cert.text, key: key.text };
}

/** The token in `path` (one trailing newline, CRLF or LF, removed); an empty one is refused. */
export async function readToken(path: string): Promise<string | FieldgateError> {
  const read = await readFileText(path);
  if (!read.ok) return read.error;
  const token = read.text.replace(/\r?\n$/, '');
  if (token === '' || /[\r\n]/.test(token))
    return new FieldgateError(
      'FG_ERR_CONFIG_READ',
      `${path}: ${token === '' ? 'it is empty: write the token in it' : 'it holds more than one line: write the token alone'}`,
    );
  return token;
}
