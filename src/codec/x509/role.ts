/**
 * The role of a Modbus/TCP Security client: the X.509 v3 extension 1.3.6.1.4.1.50316.802.1 of its
 * certificate, whose value is one DER UTF8String ("Operator"), as the Modbus/TCP Security
 * specification has it and as `openssl ... 1.3.6.1.4.1.50316.802.1 = ASN1:UTF8String:Operator`
 * writes it. Another encoding (a PrintableString, a SEQUENCE around the string, bytes after it),
 * an empty string or bytes that are not UTF-8 are an error, never a guess: the server then treats
 * the client as having no role.
 *
 *   Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signature }
 *   TBSCertificate ::= SEQUENCE { [0] version, serial, signature, issuer, validity, subject, spki,
 *                                 [1] issuerUID, [2] subjectUID, [3] EXPLICIT Extensions }
 *   Extension ::= SEQUENCE { extnID OID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING }
 */
import { children, decodeOid, expectTlv, isDerError, TAG, type DerResult, type Tlv } from './der.js';

export const MODBUS_ROLE_OID = '1.3.6.1.4.1.50316.802.1';

/** The longest role accepted (the role names a config entry; a longer one is refused as malformed). */
export const MAX_ROLE_LENGTH = 128;

const EXTENSIONS_TAG = 0xa3;

/** The extensions of a DER certificate: OID -> extnValue contents (a view into `der`). */
export function certificateExtensions(der: Buffer): DerResult<Map<string, Buffer>> {
  const cert = expectTlv(der, 0, TAG.SEQUENCE, 'Certificate');
  if (isDerError(cert)) return cert;
  if (cert.end !== der.length) return { error: 'Certificate: bytes after its end', at: cert.end };
  const tbs = expectTlv(cert.value, 0, TAG.SEQUENCE, 'tbsCertificate');
  if (isDerError(tbs)) return tbs;
  const fields = children(tbs.value, 'tbsCertificate');
  if (isDerError(fields)) return fields;
  const out = new Map<string, Buffer>();
  const wrapper = fields.find((f) => f.tag === EXTENSIONS_TAG);
  if (!wrapper) return out; // a v1 certificate: no extensions
  const list = expectTlv(wrapper.value, 0, TAG.SEQUENCE, 'extensions');
  if (isDerError(list)) return list;
  const entries = children(list.value, 'extensions');
  if (isDerError(entries)) return entries;
  for (const entry of entries) {
    const ext = extension(entry);
    if (isDerError(ext)) return ext;
    if (out.has(ext.oid)) return { error: `extension ${ext.oid} appears twice`, at: 0 };
    out.set(ext.oid, ext.value);
  }
  return out;
}

function extension(entry: Tlv): DerResult<{ oid: string; value: Buffer }> {
  if (entry.tag !== TAG.SEQUENCE) return { error: 'Extension: not a SEQUENCE', at: 0 };
  const parts = children(entry.value, 'Extension');
  if (isDerError(parts)) return parts;
  const [id, second, third] = parts;
  if (id?.tag !== TAG.OID) return { error: 'Extension: no extnID', at: 0 };
  const oid = decodeOid(id.value);
  if (isDerError(oid)) return { error: `extnID: ${oid.error}`, at: oid.at };
  const value = second?.tag === TAG.BOOLEAN ? third : second;
  if (value?.tag !== TAG.OCTET_STRING) return { error: `extension ${oid}: extnValue is not an OCTET STRING`, at: 0 };
  if (parts.length > (second?.tag === TAG.BOOLEAN ? 3 : 2))
    return { error: `extension ${oid}: fields after extnValue`, at: 0 };
  return { oid, value: value.value };
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The role in an extension's value (one UTF8String and nothing else). */
export function decodeRole(value: Buffer): DerResult<string> {
  const s = expectTlv(value, 0, TAG.UTF8_STRING, 'role');
  if (isDerError(s)) return s;
  if (s.end !== value.length) return { error: 'role: bytes after the UTF8String', at: s.end };
  if (s.value.length === 0) return { error: 'role: empty string', at: 0 };
  if (s.value.length > MAX_ROLE_LENGTH)
    return { error: `role: ${s.value.length} bytes, at most ${MAX_ROLE_LENGTH}`, at: 0 };
  try {
    return UTF8.decode(s.value);
  } catch {
    return { error: 'role: not UTF-8', at: 0 };
  }
}

/**
 * The Modbus role of a DER certificate: the role, null when the certificate has no role extension,
 * or what is wrong with the certificate or the extension.
 */
export function modbusRole(der: Buffer): DerResult<string | null> {
  const extensions = certificateExtensions(der);
  if (isDerError(extensions)) return extensions;
  const value = extensions.get(MODBUS_ROLE_OID);
  return value === undefined ? null : decodeRole(value);
}
