/**
 * The status endpoint's files: the token (`status.tokenFile`) and the TLS certificate and key
 * (`status.tls`), read without blocking (config/read-file.ts: regular files of at most 4 MiB) at
 * open and on every reload. A certificate is checked (parsed, key matching) before it is used, so
 * a bad file on reload is refused and the running one stays.
 */
import { readFileText } from '../config/read-file.js';
import { readTls as readTlsFiles, type TlsMaterial } from '../config/read-tls.js';
import type { StatusConfig } from '../config/types.js';
import { FieldgateError } from '../errors.js';

export type { TlsMaterial } from '../config/read-tls.js';

/** The certificate and key of `files`, checked; or the error naming what is wrong. */
export function readTls(files: NonNullable<StatusConfig['tls']>): Promise<TlsMaterial | FieldgateError> {
  return readTlsFiles(files, 'status.tls');
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
