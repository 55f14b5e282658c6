/**
 * The `tls:` block of fieldgate as a TLS client: the MQTT link (`mqtt.tls`, for mqtts:// brokers) and
 * `modbus-tcp` devices (a PLC or gateway speaking Modbus/TCP Security). Declared once here; both take
 * it. Files in PEM form, read again at every connection attempt (a rotated client certificate is
 * used on the next connect).
 */
import { optionalSection, section } from '../declare/kit.js';
import { bool, text } from '../declare/leaves.js';
import { isMapping, problem, type Problem } from '../issues.js';

const CLIENT_TLS_KEYS = {
  ca: text({
    doc: 'CA certificate(s) the server (broker, PLC) is checked against (omit: the system CAs)',
    example: 'ca.pem',
  }),
  cert: text({ doc: 'client certificate, for servers that ask for one', example: 'client.pem' }),
  key: text({ doc: 'the client certificate key', example: 'client.key' }),
  verify: bool({
    doc: "check the server's certificate and name (turn off only on a test bench)",
    default: true,
  }),
};

/** Always present (its `verify` defaults to true), used when the URL says TLS (`mqtts://`). */
export const clientTls = (doc: string) => section(doc, CLIENT_TLS_KEYS);

/** Present only when written: its presence turns TLS on (a `modbus-tcp` device). */
export const optionalClientTls = (doc: string) => optionalSection(doc, CLIENT_TLS_KEYS);

/** A client certificate comes with its key: `tls` is the raw block under `at`. */
export function clientTlsRule(tls: unknown, at: readonly (string | number)[]): Problem[] {
  if (!isMapping(tls)) return [];
  if (tls.cert != null && tls.key == null)
    return [problem([...at, 'cert'], 'a client certificate needs its key: add key')];
  if (tls.key != null && tls.cert == null)
    return [problem([...at, 'key'], 'a key needs its client certificate: add cert')];
  return [];
}
