/**
 * `fieldgate status`: reads the running daemon's status document from its HTTP endpoint. Every way
 * this can fail becomes one FG_ERR_STATUS message that says what to check.
 */
import http from 'node:http';
import { FieldgateError } from '../errors.js';
import type { StatusDocument } from './document.js';

const TIMEOUT_MS = 5000;

/** "127.0.0.1:8081", "http://host:8081" or "http://host:8081/status" -> the /status URL. */
export function statusUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(/^[a-z]+:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    throw new FieldgateError('FG_ERR_USAGE', `"${raw}" is not a URL: write e.g. http://127.0.0.1:8081`);
  }
  if (url.protocol !== 'http:')
    throw new FieldgateError('FG_ERR_USAGE', `"${raw}": the status endpoint speaks http://`);
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
    default:
      return err.message;
  }
}

function get(url: URL): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { timeout: TIMEOUT_MS, headers: { accept: 'application/json' } }, (res) => {
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

export async function fetchStatus(raw: string): Promise<StatusDocument> {
  const url = statusUrl(raw);
  const fail = (why: string) =>
    new FieldgateError('FG_ERR_STATUS', `cannot read the daemon's status from ${url.href}: ${why}`);
  let reply: { status: number; body: string };
  try {
    reply = await get(url);
  } catch (err) {
    throw fail(describeError(err as NodeJS.ErrnoException, url));
  }
  if (reply.status !== 200) throw fail(`it answered HTTP ${reply.status} (is this fieldgate's status endpoint?)`);
  let doc: unknown;
  try {
    doc = JSON.parse(reply.body);
  } catch {
    throw fail("the answer is not JSON (is this fieldgate's status endpoint?)");
  }
  if (!isDocument(doc)) throw fail('the answer is not a fieldgate status document');
  return doc;
}
