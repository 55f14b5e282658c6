/**
 * Where `fieldgate status` finds the daemon: `--url`, else the configuration's `status.listen` (a
 * wildcard host means this machine), with the token of `status.tokenFile` and the certificate of
 * `status.tls`. A configuration that cannot be read, or has no `status.listen`, is said plainly
 * (exit 78): guessing an address would only end in a misleading "is fieldgate running?".
 */
import { formatIssue, loadConfigFileAsync } from '../config/load.js';
import { readFileText } from '../config/read-file.js';
import type { StatusConfig } from '../config/types.js';
import { FieldgateError } from '../errors.js';
import { readToken } from './secrets.js';
import type { StatusTarget } from './status-client.js';

export interface TargetOptions {
  /** --url, when given. */
  readonly url?: string;
  /** The configuration file (-c, $FIELDGATE_CONFIG or the embedded demo). */
  readonly config: string;
  /** Whether -c/--config was given: with --url, its token and certificate are still used. */
  readonly configGiven: boolean;
}

/** The URL status.listen gives: a wildcard host is asked on loopback. */
export function listenUrl(s: StatusConfig): string {
  const h = s.listen.host;
  const host = h === '0.0.0.0' ? '127.0.0.1' : h === '::' ? '::1' : h;
  return `${s.tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${s.listen.port}`;
}

async function statusConfig(file: string, wanted: string): Promise<StatusConfig | undefined> {
  const loaded = await loadConfigFileAsync(file);
  if (!loaded.ok)
    throw new FieldgateError(
      'FG_ERR_CONFIG_READ',
      `the configuration ${file} cannot be read, so fieldgate status does not know ${wanted}: fix it (fieldgate check -c ${file}) or give --url`,
      loaded.issues.slice(0, 5).map(formatIssue),
    );
  return loaded.config.status;
}

/** The token and certificate status.tokenFile and status.tls name. */
async function access(s: StatusConfig): Promise<Omit<StatusTarget, 'url'>> {
  const token = s.tokenFile !== undefined ? await readToken(s.tokenFile) : undefined;
  if (token instanceof FieldgateError)
    throw new FieldgateError('FG_ERR_CONFIG_READ', `status.tokenFile: cannot read the token: ${token.message}`);
  let ca: Buffer | undefined;
  if (s.tls) {
    const cert = await readFileText(s.tls.cert);
    if (!cert.ok)
      throw new FieldgateError(
        'FG_ERR_CONFIG_READ',
        `status.tls.cert: cannot read the certificate: ${cert.error.message}`,
      );
    ca = Buffer.from(cert.text);
  }
  return { ...(token !== undefined ? { token } : {}), ...(ca ? { ca } : {}) };
}

export async function statusTarget(o: TargetOptions): Promise<StatusTarget> {
  if (o.url !== undefined && !o.configGiven) return { url: o.url };
  const s = await statusConfig(o.config, o.url === undefined ? 'where the status endpoint is' : 'its token');
  if (!s) {
    if (o.url !== undefined) return { url: o.url };
    throw new FieldgateError(
      'FG_ERR_CONFIG',
      `the configuration ${o.config} has no status.listen: fieldgate status needs the status endpoint (add status: { listen: 127.0.0.1:8081 } and reload, or give --url)`,
    );
  }
  return { url: o.url ?? listenUrl(s), ...(await access(s)) };
}
