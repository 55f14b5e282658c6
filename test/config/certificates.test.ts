/**
 * The certificate inventory (config/certificates.ts): every certificate file the config names, each
 * certificate of a file parsed (openssl made them: helpers/tls-certs.ts), expiry warnings 30 days
 * ahead, a file that cannot be read reported as such; `fieldgate check` prints them and warns.
 */
import { configOf, load as loadText } from './helpers.js';
import { writeFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  certificateFiles,
  certificateWarnings,
  describeCertificates,
  expiresInSeconds,
  isProblem,
  readCertificates,
  type CertificateEntry,
  type CertificateInfo,
} from '../../src/config/certificates.js';
import { runCommand, tempFile } from '../helpers/daemon.js';
import { TestPki, type IssuedCert } from '../helpers/tls-certs.js';

const DAY = 86_400_000;

const load = (text: string) => configOf(loadText(text));

let pki: TestPki;
let ca: IssuedCert;
let bundle: string;
let garbage: string;

beforeAll(async () => {
  pki = new TestPki();
  ca = await pki.ca('plant-ca', { subject: '/CN=plant-ca/O=Plant', days: 3650 });
  await Promise.all([
    pki.issue('far', ca, { days: 400 }),
    pki.issue('soon', ca, { days: 10 }),
    pki.issue('expired', ca, { days: -1 }),
  ]);
  const other = await pki.ca('other-ca', { days: 20 });
  bundle = pki.bundle('bundle.pem', ca, other);
  garbage = pki.path('garbage.pem');
  writeFileSync(garbage, 'not a certificate\n');
}, 30_000);

const config = (devices: string) =>
  load(`status:
  listen: 127.0.0.1:0
  tls: { cert: ${pki.path('far.crt')}, key: ${pki.path('far.key')} }
mqtt:
  url: mqtts://127.0.0.1:8883
  banks: [b]
  tls: { ca: ${bundle} }
banks: { b: { holding: 1 } }
devices:
${devices}`);

const info = (entries: readonly CertificateEntry[], owner: string): CertificateInfo[] =>
  entries.filter((e): e is CertificateInfo => e.owner === owner && !isProblem(e));

describe('the certificate inventory', () => {
  it('collects every certificate file the config names, with the key that names it', () => {
    const c =
      config(`  - { name: plc, type: modbus-tcp, host: 127.0.0.1, port: 802, tls: { ca: ca.pem, cert: c.pem, key: c.key } }
  - { name: plain, type: modbus-tcp, host: 127.0.0.1, port: 502 }
`);
    expect(certificateFiles(c)).toEqual([
      { owner: 'status.tls.cert', file: pki.path('far.crt') },
      { owner: 'mqtt.tls.ca', file: bundle },
      { owner: 'devices.plc.tls.cert', file: 'c.pem' },
      { owner: 'devices.plc.tls.ca', file: 'ca.pem' },
    ]);
    expect(certificateFiles(load('banks: { b: { holding: 1 } }\n'))).toEqual([]);
  });

  it("collects a server's tls certificate and client CA (Modbus/TCP Security, raw servers)", () => {
    const c = load(`banks: { b: { holding: 1 } }
servers:
  - { name: secure, protocol: modbus, listen: 127.0.0.1:0, bank: b, tls: { cert: s.pem, key: s.key, ca: clients.pem } }
  - { name: plain, protocol: modbus, listen: 127.0.0.1:0, bank: b }
  - { name: cam, protocol: raw, listen: 127.0.0.1:0, handler: echo, tls: { cert: r.pem, key: r.key } }
`);
    expect(certificateFiles(c)).toEqual([
      { owner: 'servers.secure.tls.cert', file: 's.pem' },
      { owner: 'servers.secure.tls.ca', file: 'clients.pem' },
      { owner: 'servers.cam.tls.cert', file: 'r.pem' },
    ]);
  });

  it('parses subject, issuer and expiry; a bundle gives one entry per certificate; a bad file is an entry', async () => {
    const c =
      config(`  - { name: plc, type: modbus-tcp, host: 127.0.0.1, port: 802, tls: { ca: ${garbage}, cert: ${pki.path('missing.crt')}, key: k } }
`);
    const entries = await readCertificates(c);
    const now = Date.now();
    const [status] = info(entries, 'status.tls.cert');
    expect(status).toMatchObject({ subject: 'CN=far', issuer: 'CN=plant-ca, O=Plant', file: pki.path('far.crt') });
    expect(expiresInSeconds(status!, now) / 86_400).toBeGreaterThan(399);
    expect(expiresInSeconds(status!, now) / 86_400).toBeLessThan(401);
    expect(Date.parse(status!.notAfter)).toBe(status!.expiresAt);
    expect(info(entries, 'mqtt.tls.ca').map((e) => e.subject)).toEqual(['CN=plant-ca, O=Plant', 'CN=other-ca']);
    expect(entries.filter(isProblem)).toEqual([
      { owner: 'devices.plc.tls.cert', file: pki.path('missing.crt'), error: 'no such file' },
      {
        owner: 'devices.plc.tls.ca',
        file: garbage,
        error: 'no certificate in it (a PEM "BEGIN CERTIFICATE" block)',
      },
    ]);
  });

  it('warns for an expired certificate and one within 30 days, not for one far off; check prints them', async () => {
    const c =
      config(`  - { name: plc, type: modbus-tcp, host: 127.0.0.1, port: 802, tls: { ca: ${pki.path('expired.crt')}, cert: ${pki.path('soon.crt')}, key: k } }
`);
    const entries = await readCertificates(c);
    const now = Date.now();
    const warnings = certificateWarnings(entries, now);
    expect(warnings).toEqual([
      // the bundle's second CA expires in 20 days
      expect.stringMatching(
        new RegExp(
          `^mqtt\\.tls\\.ca: the certificate CN=other-ca in ${bundle} expires within 30 days \\(expires \\S+ \\(in 19 days\\)\\): renew it$`,
        ),
      ),
      expect.stringMatching(
        /^devices\.plc\.tls\.cert: the certificate CN=soon in \S+ expires within 30 days \(expires .* \(in 9 days\)\): renew it$/,
      ),
      expect.stringMatching(
        /^devices\.plc\.tls\.ca: the certificate CN=expired in \S+ has expired \(EXPIRED on \S+\): renew it$/,
      ),
    ]);
    // 380 days on, the far one warns too; just now, the soon one would not have warned 30 days ago
    expect(certificateWarnings(info(entries, 'status.tls.cert'), now + 380 * DAY)).toHaveLength(1);
    expect(certificateWarnings(info(entries, 'devices.plc.tls.cert'), now - 25 * DAY)).toEqual([]);
    const lines = describeCertificates(entries, now);
    expect(lines[0]).toBe('certificates (5):');
    expect(lines).toContain(`  devices.plc.tls.cert: ${pki.path('soon.crt')}`);
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {4}subject CN=expired, issuer CN=plant-ca, O=Plant, EXPIRED on /),
    );
  });

  it('fieldgate check prints the certificates and warns on stderr, exit 0', async () => {
    const file = tempFile(
      'c.yaml',
      `banks: { b: { holding: 1 } }
devices:
  - { name: plc, type: modbus-tcp, host: 127.0.0.1, port: 802, tls: { ca: ${pki.path('plant-ca.crt')}, cert: ${pki.path('expired.crt')}, key: ${pki.path('expired.key')} } }
  - { name: plc2, type: modbus-tcp, host: 127.0.0.1, port: 803, tls: { ca: ${pki.path('nothing-here.pem')} } }
`,
    );
    const r = await runCommand(['check', '-c', file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(
      '  plc: modbus-tcp to 127.0.0.1:802, unit 1, timeout 1s, retries 0, queue 32, maxInFlight 1, over TLS (client certificate)',
    );
    expect(r.stdout).toContain(
      '  plc2: modbus-tcp to 127.0.0.1:803, unit 1, timeout 1s, retries 0, queue 32, maxInFlight 1, over TLS\n',
    );
    expect(r.stdout).toContain('certificates (3):');
    expect(r.stdout).toContain(`  devices.plc.tls.ca: ${pki.path('plant-ca.crt')}`);
    expect(r.stdout).toMatch(
      / {4}subject CN=plant-ca, O=Plant, issuer CN=plant-ca, O=Plant, expires \S+ \(in 3649 days\)/,
    );
    expect(r.stdout).toContain(`  devices.plc2.tls.ca: ${pki.path('nothing-here.pem')}: cannot be read: no such file`);
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      expect.stringMatching(
        /^fieldgate: warning: devices\.plc\.tls\.cert: the certificate CN=expired in \S+ has expired/,
      ),
      `fieldgate: warning: devices.plc2.tls.ca: ${pki.path('nothing-here.pem')} cannot be read as a certificate: no such file`,
    ]);
  });
});
