/**
 * A server's `tls:` (Modbus/TCP Security on modbus servers; TLS on raw servers) and a modbus
 * server's `roles:`. Declared once here, used by both server kinds (server.ts).
 *   tls: { cert, key, ca }  PEM files, read at start and again on every reload (SIGHUP)
 *   - modbus servers: ca is required: Modbus/TCP Security is mutual TLS, every client presents a
 *     certificate signed by ca (checked in the handshake);
 *   - raw servers: ca may be left out: TLS then authenticates the server and encrypts, and who may
 *     connect is the allow list's business (a device behind a TLS socket seldom has a certificate).
 *   roles: { NAME: { write, units } }  the role in the client certificate (extension
 *     1.3.6.1.4.1.50316.802.1) -> its rights; only with tls. With roles, a client whose certificate
 *     carries no role, or one not listed, gets exception 01 for every request.
 */
import { mapOf, optionalSection, record, required } from '../declare/kit.js';
import { bool, leaf, as, text } from '../declare/leaves.js';
import { failed, isMapping, problem, show, type Problem } from '../issues.js';
import { parseWhole } from '../address.js';

export const SERVER_TLS = optionalSection(
  'TLS on this server (Modbus/TCP Security on a modbus server, port 802 by convention): TLS 1.2 or newer, files in PEM form read again on every reload (SIGHUP)',
  {
    cert: required(text({ doc: 'the certificate (chain) the server presents', example: '/etc/fieldgate/server.pem' })),
    key: required(text({ doc: "the certificate's private key", example: '/etc/fieldgate/server.key' })),
    ca: text({
      doc: 'CA certificate(s) client certificates must be signed by; a client without one is refused in the handshake. Required on modbus servers (Modbus/TCP Security is mutual TLS); on a raw server, omit it to ask clients for no certificate',
      example: '/etc/fieldgate/clients-ca.pem',
    }),
  },
);

/** The longest role name (the role codec refuses longer ones in a certificate). */
const MAX_ROLE = 128;

const unitIds = leaf(
  {
    doc: 'unit ids this role may address (omit: every unit); a request to another unit is answered with exception 01',
    example: [1, 2],
  },
  'list of unit ids',
  { type: 'array', items: { type: 'integer', minimum: 0, maximum: 255 }, minItems: 1, uniqueItems: true },
  (v) => {
    if (!Array.isArray(v) || v.length === 0) return `${show(v)} is not a list of unit ids, e.g. [1, 2]`;
    return v.flatMap((id: unknown, j): Problem[] => {
      if (typeof id !== 'number' || parseWhole(id, 0, 255) === undefined)
        return [problem([j], `${show(id)} is not a unit id: use 0..255`)];
      return v.indexOf(id) !== j ? [problem([j], `unit ${id} is listed twice`)] : [];
    });
  },
  as<readonly number[]>(),
  '0..255 each',
);

export const ROLE = record(
  { doc: 'the rights of one role' },
  {
    write: bool({
      doc: 'true: reads and writes; false: only reads pass (FC 1, 2, 3, 4, 20, 43/14), everything else is answered with exception 01',
      default: false,
    }),
    units: unitIds,
  },
  {
    pre: (raw) =>
      isMapping(raw)
        ? { input: raw }
        : failed([problem([], `${show(raw)} is not a role: write { write: true | false, units: [1, 2] }`)]),
  },
);

export const ROLES = mapOf(
  {
    doc: 'needs tls: role in the client certificate (extension 1.3.6.1.4.1.50316.802.1, a UTF8String) -> its rights; a client with no role or a role not listed gets exception 01 for every request. Omit: every client with a valid certificate has full rights',
    keyDoc: `role name, as written in the certificate (at most ${MAX_ROLE} characters)`,
    nonEmpty: true,
    key: (k) =>
      k.trim() === '' || k.length > MAX_ROLE
        ? { error: `${show(k)} is not a role name: 1..${MAX_ROLE} characters` }
        : { value: k },
    notMap: (raw) => `${show(raw)} is not a role map: write Operator: { write: true } per role`,
    finish: (entries) =>
      new Map(entries) as ReadonlyMap<string, { readonly write: boolean; readonly units?: readonly number[] }>,
  },
  ROLE,
);

/**
 * `roles` only with `tls`; a modbus server's `tls` needs `ca` (Modbus/TCP Security is mutual TLS).
 */
export function tlsRules(raw: Record<string, unknown>, protocol: 'modbus' | 'raw'): Problem[] {
  const tls = raw.tls;
  const out: Problem[] = [];
  if (raw.roles != null && tls == null)
    out.push(
      problem(
        ['roles'],
        'roles come from client certificates: add tls: { cert, key, ca } (Modbus/TCP Security), or remove roles',
        'key',
      ),
    );
  if (protocol === 'modbus' && isMapping(tls) && tls.ca == null)
    out.push(
      problem(
        ['tls'],
        'needs ca: the CA client certificates must be signed by (Modbus/TCP Security is mutual TLS: every client presents a certificate)',
        'key',
      ),
    );
  return out;
}
