/**
 * Certificates in the running gateway: /status `certificates` (expiry counted at request time),
 * /metrics `fieldgate_certificate_expiry_seconds{owner,file}` (no samples without certificates), the
 * `fieldgate status` CERTIFICATES table, and the log warning (config/certificate-watch.ts): once at
 * start and on reload, then at most once a day while it lasts (fake timers).
 */
import { configOf, load as loadText } from '../config/helpers.js';
import { copyFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CertificateWatch } from '../../src/config/certificate-watch.js';
import { readCertificates } from '../../src/config/certificates.js';
import { loadConfigText } from '../../src/config/load.js';
import type { StatusDocument } from '../../src/status/document.js';
import { renderStatus } from '../../src/status/status-report.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { captureLogger } from '../helpers/log.js';
import { parsePrometheusText } from '../helpers/prom-text.js';
import { TestPki, type IssuedCert } from '../helpers/tls-certs.js';

const DAY = 86_400_000;

let pki: TestPki;
let ca: IssuedCert;
let soon: IssuedCert;
let far: IssuedCert;

beforeAll(async () => {
  pki = new TestPki();
  ca = await pki.ca('plant-ca', { days: 3650 });
  [soon, far] = await Promise.all([pki.issue('soon', ca, { days: 10 }), pki.issue('far', ca, { days: 400 })]);
}, 30_000);

const load = (text: string) => configOf(loadText(text));

const yaml = (cert: IssuedCert, status = 'status: { listen: 127.0.0.1:0 }\n') => `${status}banks: { b: { holding: 1 } }
devices:
  - { name: plc, type: modbus-tcp, host: 127.0.0.1, port: 1, reconnect: { min: 1s, max: 5s }, tls: { ca: ${ca.cert}, cert: ${cert.cert}, key: ${cert.key} } }
`;

describe('certificates in /status, /metrics and fieldgate status', () => {
  let rg: RunningGateway;
  afterAll(() => rg?.stop());

  it('lists each certificate with its expiry in seconds at request time; /metrics has a gauge per file', async () => {
    rg = await startGateway(yaml(soon));
    const base = `http://127.0.0.1:${rg.gateway.statusPort}`;
    const doc = (await (await fetch(`${base}/status`)).json()) as StatusDocument;
    const now = Date.now();
    expect(doc.certificates).toEqual([
      {
        owner: 'devices.plc.tls.cert',
        file: soon.cert,
        subject: 'CN=soon',
        issuer: 'CN=plant-ca',
        notAfter: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        expiresInSeconds: expect.any(Number),
        error: null,
      },
      {
        owner: 'devices.plc.tls.ca',
        file: ca.cert,
        subject: 'CN=plant-ca',
        issuer: 'CN=plant-ca',
        notAfter: expect.any(String),
        expiresInSeconds: expect.any(Number),
        error: null,
      },
    ]);
    const [leaf] = doc.certificates!;
    expect(Math.abs(leaf!.expiresInSeconds! - (Date.parse(leaf!.notAfter!) - now) / 1000)).toBeLessThan(5);
    expect(leaf!.expiresInSeconds! / 86_400).toBeGreaterThan(9.9);
    // the warning at start (once)
    const warned = rg.captured.events('certificate expires soon');
    expect(warned).toHaveLength(1);
    expect(warned[0]!['certificates']).toEqual([
      expect.stringMatching(/^devices\.plc\.tls\.cert: the certificate CN=soon/),
    ]);

    const families = parsePrometheusText(await (await fetch(`${base}/metrics`)).text());
    const gauge = families.get('fieldgate_certificate_expiry_seconds');
    expect(gauge?.type).toBe('gauge');
    expect(gauge?.samples.map((s) => s.labels)).toEqual([
      { owner: 'devices.plc.tls.cert', file: soon.cert },
      { owner: 'devices.plc.tls.ca', file: ca.cert },
    ]);
    expect(Math.abs(gauge!.samples[0]!.value - leaf!.expiresInSeconds!)).toBeLessThan(5);

    const report = renderStatus(doc, new Date(now));
    const lines = report.split('\n');
    const at = lines.indexOf('CERTIFICATES');
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toMatch(/^OWNER\s+FILE\s+SUBJECT\s+ISSUER\s+NOT AFTER\s+EXPIRES$/);
    expect(lines[at + 3]).toMatch(
      /^devices\.plc\.tls\.cert\s+\S+soon\.crt\s+CN=soon\s+CN=plant-ca\s+\d{4}-\d\d-\d\d\s+in 9d \d+h \d+m \(SOON\)$/,
    );
    expect(lines[at + 4]).toMatch(/^devices\.plc\.tls\.ca .* in 36\d\dd \d+h \d+m$/);
  });

  it('a reload reads them again (a renewed file: the warning ends); without certificates no samples, no table', async () => {
    const renewed = pki.path('renewed.crt');
    copyFileSync(far.cert, renewed);
    const outcome = await rg.gateway.reload(loadConfigText(yaml({ ...far, cert: renewed }), 'c.yaml'));
    expect(outcome.result).toBe('applied');
    const doc = (await (await fetch(`http://127.0.0.1:${rg.gateway.statusPort}/status`)).json()) as StatusDocument;
    expect(doc.certificates?.map((c) => c.subject)).toEqual(['CN=far', 'CN=plant-ca']);
    expect(rg.captured.events('certificates renewed')).toHaveLength(1);

    await rg.gateway.reload(
      loadConfigText('status: { listen: 127.0.0.1:0 }\nbanks: { b: { holding: 1 } }\n', 'c.yaml'),
    );
    const base = `http://127.0.0.1:${rg.gateway.statusPort}`;
    const empty = (await (await fetch(`${base}/status`)).json()) as StatusDocument;
    expect(empty.certificates).toEqual([]);
    const families = parsePrometheusText(await (await fetch(`${base}/metrics`)).text());
    expect(families.get('fieldgate_certificate_expiry_seconds')?.samples ?? []).toEqual([]);
    expect(renderStatus(empty)).not.toContain('CERTIFICATES');
  });

  it('an unreadable certificate file is shown as such', () => {
    const doc = {
      certificates: [
        {
          owner: 'devices.plc.tls.ca',
          file: '/x.pem',
          subject: null,
          issuer: null,
          notAfter: null,
          expiresInSeconds: null,
          error: 'no such file',
        },
        {
          owner: 'mqtt.tls.cert',
          file: '/y.pem',
          subject: 'CN=y',
          issuer: 'CN=ca',
          notAfter: '2026-01-01T00:00:00.000Z',
          expiresInSeconds: -5,
          error: null,
        },
      ],
    } as Partial<StatusDocument>;
    const report = renderStatus({
      servers: [],
      devices: [],
      banks: [],
      commands: [],
      mqtt: null,
      warnings: [],
      ...doc,
    } as unknown as StatusDocument);
    expect(report).toMatch(/devices\.plc\.tls\.ca\s+\/x\.pem\s+-\s+-\s+-\s+UNREADABLE: no such file/);
    expect(report).toMatch(/mqtt\.tls\.cert\s+\/y\.pem\s+CN=y\s+CN=ca\s+2026-01-01\s+EXPIRED/);
  });
});

describe('the expiry warning in the log', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A watch over the config's certificates (read once, before the clock is faked), refreshed once. */
  async function watching(cert: IssuedCert) {
    const config = load(yaml(cert, ''));
    const entries = await readCertificates(config);
    vi.useFakeTimers({ now: Date.now() });
    const captured = captureLogger('debug');
    const watch = new CertificateWatch(captured.log, () => Promise.resolve(entries));
    await watch.refresh(config);
    return { config, captured, watch };
  }

  it('is logged at start, then at most once a day while it lasts, and again at once on a reload', async () => {
    const { config, captured, watch } = await watching(soon);
    const lines = () => captured.lines.filter((l) => String(l['msg']).startsWith('certificate expires soon'));
    expect(lines().map((l) => l['msg'])).toEqual(['certificate expires soon']);
    await vi.advanceTimersByTimeAsync(DAY - 60_000);
    expect(lines()).toHaveLength(1); // hourly checks are counted, nothing logged within the day
    await vi.advanceTimersByTimeAsync(60_000);
    expect(lines().map((l) => l['msg'])).toEqual(['certificate expires soon', 'certificate expires soon (repeated)']);
    expect(lines()[1]).toMatchObject({ count: 23, lastReason: [expect.stringMatching(/CN=soon .* \(in 9 days\)/)] });
    await vi.advanceTimersByTimeAsync(DAY);
    expect(lines()).toHaveLength(3);
    // the day's last check: 47 or 48 hours on (both timers are due at the same instant)
    expect(lines()[2]!['lastReason']).toEqual([expect.stringMatching(/\(in [78] days\)/)]);
    await watch.refresh(config); // a reload: logged at once
    expect(lines()).toHaveLength(4);
    expect(lines()[3]!['msg']).toBe('certificate expires soon');
    watch.stop();
  });

  it('starts while the gateway runs: a certificate that crosses the 30-day line is noticed within the hour', async () => {
    const { captured, watch } = await watching(far);
    expect(captured.events('certificate expires soon')).toEqual([]);
    await vi.advanceTimersByTimeAsync(371 * DAY);
    expect(captured.events('certificate expires soon')).toHaveLength(1);
    watch.stop();
  });
});
