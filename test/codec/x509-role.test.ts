import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeOid, isDerError, readTlv } from '../../src/codec/x509/der.js';
import { certificateExtensions, decodeRole, modbusRole, MODBUS_ROLE_OID } from '../../src/codec/x509/role.js';
import { makePki, type Pki } from '../helpers/pki.js';

const hex = (s: string) => Buffer.from(s.replace(/[\s:]/g, ''), 'hex');
const errorOf = (r: unknown) => (isDerError(r) ? r.error : `no error: ${JSON.stringify(r)}`);

describe('DER TLV reader', () => {
  it('reads short and long-form lengths', () => {
    const short = readTlv(hex('04 03 01 02 03'), 0);
    expect(isDerError(short) ? short : [short.tag, [...short.value], short.end]).toEqual([4, [1, 2, 3], 5]);
    const body = Buffer.alloc(200, 7);
    const long = readTlv(Buffer.concat([hex('04 81 c8'), body]), 0);
    expect(isDerError(long) ? long : [long.value.length, long.end]).toEqual([200, 203]);
    const two = readTlv(Buffer.concat([hex('30 82 01 00'), Buffer.alloc(256)]), 0);
    expect(isDerError(two) ? two : two.value.length).toBe(256);
  });

  it('refuses truncated input, never throws', () => {
    expect(errorOf(readTlv(hex(''), 0))).toMatch(/no identifier/);
    expect(errorOf(readTlv(hex('04'), 0))).toMatch(/no length/);
    expect(errorOf(readTlv(hex('04 05 01 02'), 0))).toMatch(/5 content bytes announced, 2 left/);
    expect(errorOf(readTlv(hex('04 82 01'), 0))).toMatch(/in the length bytes/);
    // a limit shorter than the buffer counts as the end
    expect(errorOf(readTlv(hex('04 02 01 02'), 0, 3))).toMatch(/truncated/);
  });

  it('refuses the indefinite length and non-DER lengths', () => {
    expect(errorOf(readTlv(hex('30 80 04 00 00 00'), 0))).toMatch(/indefinite length/);
    expect(errorOf(readTlv(hex('04 81 05 01 02 03 04 05'), 0))).toMatch(/long form is not DER/);
    expect(errorOf(readTlv(hex('04 82 00 81'), 0))).toMatch(/leading zero/);
    expect(errorOf(readTlv(hex('04 85 01 00 00 00 00'), 0))).toMatch(/5 bytes is too long/);
    expect(errorOf(readTlv(hex('1f 01 00'), 0))).toMatch(/high tag number/);
  });

  it('decodes OIDs and refuses bad encodings', () => {
    expect(decodeOid(hex('2b 06 01 04 01 83 89 0c 86 22 01'))).toBe(MODBUS_ROLE_OID);
    expect(decodeOid(hex('55 1d 0f'))).toBe('2.5.29.15');
    expect(decodeOid(hex('88 37 01'))).toBe('2.999.1');
    expect(errorOf(decodeOid(hex('')))).toMatch(/empty/);
    expect(errorOf(decodeOid(hex('2b 06 83')))).toMatch(/cut off/);
    expect(errorOf(decodeOid(hex('2b 80 01')))).toMatch(/leading 0x80/);
    expect(errorOf(decodeOid(hex('2b ff ff ff ff ff ff ff ff 7f')))).toMatch(/too large/);
  });
});

describe('role value', () => {
  it('is one UTF8String', () => {
    expect(decodeRole(hex('0c 08 4f 70 65 72 61 74 6f 72'))).toBe('Operator');
    expect(decodeRole(Buffer.concat([hex('0c 07'), Buffer.from('Prüfer')]))).toBe('Prüfer');
    expect(errorOf(decodeRole(hex('0c 03 50 72 c3')))).toMatch(/not UTF-8/); // ü cut in half
  });

  it('refuses other encodings rather than guessing', () => {
    expect(errorOf(decodeRole(hex('13 06 56 69 65 77 65 72')))).toMatch(/identifier 0x13/); // PrintableString
    expect(errorOf(decodeRole(hex('30 08 0c 06 56 69 65 77 65 72')))).toMatch(/identifier 0x30/); // SEQUENCE
    expect(errorOf(decodeRole(hex('0c 06 56 69 65 77 65 72 00')))).toMatch(/bytes after/);
    expect(errorOf(decodeRole(hex('0c 00')))).toMatch(/empty/);
    expect(errorOf(decodeRole(hex('0c 08 4f 70')))).toMatch(/truncated/);
  });
});

describe('certificates made by openssl', () => {
  let pki: Pki;
  const der = (path: string) => new X509Certificate(readFileSync(path)).raw;
  beforeAll(async () => {
    pki = await makePki();
  }, 30_000);

  it('finds the role written as ASN1:UTF8String', async () => {
    const op = await pki.issue('operator', { cn: 'op', role: 'Operator' });
    expect(modbusRole(der(op.cert))).toBe('Operator');
    const exts = certificateExtensions(der(op.cert));
    expect(isDerError(exts) ? exts : [...exts.keys()]).toEqual(
      expect.arrayContaining(['2.5.29.19', '2.5.29.15', '2.5.29.37', MODBUS_ROLE_OID]),
    );
  });

  it('null without the extension; an error for a SEQUENCE-wrapped role', async () => {
    const none = await pki.issue('none', { cn: 'none' });
    expect(modbusRole(der(none.cert))).toBeNull();
    const wrapped = await pki.issue('wrapped', { cn: 'wrapped', roleDer: '30:08:0C:06:56:69:65:77:65:72' });
    expect(errorOf(modbusRole(der(wrapped.cert)))).toMatch(/role: identifier 0x30/);
  });

  it('never throws on any cut or flipped byte of a real certificate', async () => {
    const op = der((await pki.issue('fuzz', { cn: 'fuzz', role: 'Viewer' })).cert);
    for (let n = 0; n < op.length; n += 7) {
      const cut = modbusRole(op.subarray(0, n));
      expect(isDerError(cut)).toBe(true);
      const flipped = Buffer.from(op);
      flipped[n] = (flipped[n] ?? 0) ^ 0xff;
      expect(() => modbusRole(flipped)).not.toThrow();
    }
  });
});
