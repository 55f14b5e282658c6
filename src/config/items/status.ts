/**
 * `status:`: the HTTP status endpoint (GET /health, /status, /metrics, /events, the web console) and
 * who may use it: a token (read from `tokenFile`, never written in the YAML), HTTPS with a
 * certificate re-read on reload, and writes from the console, off unless asked for and never
 * without a token.
 */
import { optionalSection, required, section } from '../declare/kit.js';
import { bool, endpoint, text } from '../declare/leaves.js';
import { problem, type Problem } from '../issues.js';

export const STATUS = section('the HTTP status endpoint and the web console', {
  listen: endpoint({
    doc: 'host:port of the HTTP status endpoint (GET /health, /status, /metrics, the web console at /); omit status to disable it',
    example: '127.0.0.1:8081',
  }),
  tokenFile: text({
    doc: 'file holding the access token (read at start and on reload; trailing newline ignored): every page but /health then needs "Authorization: Bearer TOKEN", or HTTP Basic with the token as password',
    example: '/etc/fieldgate/status.token',
  }),
  tls: optionalSection('HTTPS: files in PEM form, read again on every reload (SIGHUP)', {
    cert: required(text({ doc: 'the certificate (chain) the endpoint presents', example: 'status.pem' })),
    key: required(text({ doc: "the certificate's private key", example: 'status.key' })),
  }),
  writes: bool({
    doc: "true: POST /banks/BANK/points/POINT writes a point (the console's write form); needs tokenFile",
    default: false,
  }),
});

/** Rules over the whole file's raw mapping: writes only with a token. */
export function statusRules(top: Record<string, unknown>): Problem[] {
  const s = top.status;
  if (s === null || typeof s !== 'object' || Array.isArray(s)) return [];
  const raw = s as Record<string, unknown>;
  if (raw.writes === true && raw.tokenFile == null)
    return [
      problem(
        ['status', 'writes'],
        'writes need a token: add tokenFile (nobody may write points over the network without one)',
        'key',
      ),
    ];
  return [];
}

const LOOPBACK = /^(127(\.\d{1,3}){3}|::1|0:0:0:0:0:0:0:1|localhost)$/i;

/** Whether `host` is only reachable from this machine. */
export function isLoopback(host: string): boolean {
  return LOOPBACK.test(host) || /^::ffff:127(\.\d{1,3}){3}$/i.test(host);
}
