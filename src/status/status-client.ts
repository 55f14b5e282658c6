/**
 * `fieldgate status`: reads the running daemon's status document from its HTTP(S) endpoint. Every way
 * this can fail becomes one FG_ERR_STATUS message that says what to check.
 *
 * HTTPS (status.tls): the configured certificate (chain) is the only trust anchor (partial chains
 * allowed, so a leaf signed by a site CA works); the host name is checked against it, except on a
 * loopback address: that is this machine, serving the very certificate its configuration names.
 */
import http from 'node:http';
import https from 'node:https';
import { checkServerIdentity, type PeerCertificate } from 'node:tls';
import { isLoopback } from '../config/items/status.js';
import { FieldgateError } from '../errors.js';
import type { StatusDocument } from './document.js';

const TIMEOUT_MS = 5000;

/** Where the endpoint is and how to reach it: a token (status.tokenFile), a certificate to trust (status.tls). */
export interface StatusTarget {
  readonly url: string;
  readonly token?: string;
  /** PEM of the configured certificate (chain): trusted as is. */
  readonly ca?: Buffer;
}

/** "127.0.0.1:8081", "http://host:8081" or "http://host:8081/status" -> the /status URL. */
export function statusUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(/^[a-z]+:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    throw new FieldgateError('FG_ERR_USAGE', `"${raw}" is not a URL: write e.g. http://127.0.0.1:8081`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new FieldgateError('FG_ERR_USAGE', `"${raw}": the status endpoint speaks http:// or https://`);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/status';
  return url;
}

function describeError(err: NodeJS.ErrnoException, url: URL): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused: nothing listens there. Is fieldgate running (systemctl status fieldgate), with status.listen set to this address in its configuration?';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the host name ${url.hostname} does not resolve`;
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'the host cannot be reached';
    case 'ECONNRESET':
      return 'the connection was reset';
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'CERT_SIGNATURE_FAILURE':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return `its certificate is not the one trusted (${err.code}: ${err.message}); fieldgate status trusts the certificate in status.tls.cert of the configuration`;
    case 'EPROTO':
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      return `TLS failed (${err.message}): does the endpoint speak ${url.protocol === 'https:' ? 'https (status.tls set)' : 'http'}?`;
    default:
      return err.message;
  }
}

/** Loopback hosts skip the name check (the certificate itself is pinned as the trust anchor). */
function identity(host: string, cert: PeerCertificate): Error | undefined {
  return isLoopback(host.replace(/^\[|\]$/g, '')) ? undefined : checkServerIdentity(host, cert);
}

function get(url: URL, target: StatusTarget): Promise<{ status: number; body: string }> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (target.token !== undefined) headers['authorization'] = `Bearer ${target.token}`;
  const secure = url.protocol === 'https:';
  const tls = secure && target.ca ? { ca: target.ca, allowPartialTrustChain: true, checkServerIdentity: identity } : {};
  return new Promise((resolve, reject) => {
    const request = secure ? https.get : http.get;
    const req = request(url, { timeout: TIMEOUT_MS, headers, agent: false, ...tls }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () =>
      req.destroy(Object.assign(new Error(`no answer within ${TIMEOUT_MS / 1000} s`), { code: 'ETIMEDOUT' })),
    );
    req.on('error', reject);
  });
}

function isDocument(v: unknown): v is StatusDocument {
  const d = v as Partial<StatusDocument> | null;
  return (
    typeof d === 'object' &&
    d !== null &&
    typeof d.gateway === 'string' &&
    Array.isArray(d.servers) &&
    Array.isArray(d.devices)
  );
}

/** The document as it came (the JSON text) and parsed. */
export interface FetchedStatus {
  readonly doc: StatusDocument;
  readonly body: string;
}

export async function fetchStatus(target: StatusTarget | string): Promise<StatusDocument> {
  return (await fetchStatusText(target)).doc;
}

export async function fetchStatusText(target: StatusTarget | string): Promise<FetchedStatus> {
  const t = typeof target === 'string' ? { url: target } : target;
  const url = statusUrl(t.url);
  const fail = (why: string) =>
    new FieldgateError('FG_ERR_STATUS', `cannot read the daemon's status from ${url.href}: ${why}`);
  let reply: { status: number; body: string };
  try {
    reply = await get(url, t);
  } catch (err) {
    throw fail(describeError(err as NodeJS.ErrnoException, url));
  }
  if (reply.status === 401)
    throw fail(
      t.token === undefined
        ? 'it needs a token (status.tokenFile): run fieldgate status with -c FILE naming the configuration whose status.tokenFile holds it'
        : `it refused the token from status.tokenFile (HTTP 401): the daemon reads that file at start and on reload`,
    );
  if (reply.status !== 200) throw fail(`it answered HTTP ${reply.status} (is this fieldgate's status endpoint?)`);
  let doc: unknown;
  try {
    doc = JSON.parse(reply.body);
  } catch {
    throw fail("the answer is not JSON (is this fieldgate's status endpoint?)");
  }
  if (!isDocument(doc)) throw fail('the answer is not a fieldgate status document');
  return { doc, body: reply.body };
}
