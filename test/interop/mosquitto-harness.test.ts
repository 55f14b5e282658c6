/**
 * The MQTT test harness against the real broker (Debian's mosquitto): anonymous, with users, with
 * TLS from an openssl-made CA, restarted on its port; mqtt.js and the mosquitto_pub/sub command line
 * as clients; the Sparkplug decoder against payloads encoded by the same independent codec.
 */
import mqtt, { type ErrorWithReasonCode } from 'mqtt';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCerts, type TestCerts } from '../helpers/certs.js';
import { MOSQUITTO, startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { decodeSparkplug, encodeSparkplug, watch } from '../helpers/mqtt-watch.js';
import { requireTool, run } from './tools.js';

requireTool(MOSQUITTO, 'mosquitto');
requireTool('/usr/bin/mosquitto_pub', 'mosquitto-clients');
requireTool('/usr/bin/openssl', 'openssl');

const connect = (url: string, options: mqtt.IClientOptions = {}) =>
  mqtt.connectAsync(url, { reconnectPeriod: 0, connectTimeout: 5_000, ...options });

describe('anonymous broker', () => {
  let broker: Mosquitto;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(() => broker.stop());

  it('is Debian mosquitto on a loopback port', async () => {
    const { stdout } = await run(MOSQUITTO, ['-h']);
    expect(stdout.split('\n')[0]).toMatch(/^mosquitto version 2\./);
    expect(broker.url).toBe(`mqtt://127.0.0.1:${broker.port}`);
    expect(broker.port).toBeGreaterThan(0);
    expect(broker.log()).toContain(`Opening ipv4 listen socket on port ${broker.port}`);
  });

  it('carries a message from an mqtt.js publisher to the watcher, in order, with retain and qos', async () => {
    const w = await watch(broker.url, 'harness/anon/#');
    const pub = await connect(broker.url);
    try {
      await pub.publishAsync('harness/anon/a', 'one', { qos: 1 });
      await pub.publishAsync('harness/anon/b', Buffer.from([0, 1, 2, 255]), { qos: 0 });
      const b = await w.next((m) => m.topic === 'harness/anon/b', 5_000);
      expect(b.payload).toEqual(Buffer.from([0, 1, 2, 255]));
      expect(b.qos).toBe(0);
      expect(w.all().map((m) => [m.topic, m.payload.toString('latin1'), m.qos, m.retain])).toEqual([
        ['harness/anon/a', 'one', 1, false],
        ['harness/anon/b', '\x00\x01\x02\xff', 0, false],
      ]);
      // A retained message reaches a later subscriber with the retain flag.
      await pub.publishAsync('harness/anon/kept', 'state', { qos: 1, retain: true });
      const late = await watch(broker.url, 'harness/anon/kept');
      const kept = await late.next(undefined, 5_000);
      expect([kept.payload.toString(), kept.retain]).toEqual(['state', true]);
      await late.close();
    } finally {
      await pub.endAsync();
      await w.close();
    }
  });

  it('next() rejects after its timeout with the messages seen', async () => {
    const w = await watch(broker.url, 'harness/quiet/#');
    const pub = await connect(broker.url);
    await pub.publishAsync('harness/quiet/x', 'seen', { qos: 1 });
    await w.next((m) => m.topic === 'harness/quiet/x');
    const err = await w.next((m) => m.topic === 'harness/quiet/never', 200).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain('harness/quiet/x');
    await pub.endAsync();
    await w.close();
  });

  it('round-trips through the mosquitto_pub / mosquitto_sub command line', async () => {
    const port = String(broker.port);
    const sub = run('/usr/bin/mosquitto_sub', [
      '-h',
      '127.0.0.1',
      '-p',
      port,
      '-t',
      'harness/cli',
      '-C',
      '1',
      '-W',
      '5',
    ]);
    // Retained, so the subscriber gets it whether it subscribes before or after the publish.
    const pub = await run(
      '/usr/bin/mosquitto_pub',
      ['-h', '127.0.0.1', '-p', port, '-t', 'harness/cli'].concat(['-m', 'from-cli', '-r', '-q', '1']),
    );
    expect(pub.code).toBe(0);
    const got = await sub;
    expect(got).toMatchObject({ code: 0, stdout: 'from-cli\n' });
    // And the CLI's message reached an mqtt.js watcher too.
    const w = await watch(broker.url, 'harness/cli');
    expect((await w.next()).payload.toString()).toBe('from-cli');
    await w.close();
  });
});

describe('broker with users', () => {
  let broker: Mosquitto;
  beforeAll(async () => {
    broker = await startMosquitto({ users: { gate: 's3cret', other: 'pw' } });
  });
  afterAll(() => broker.stop());

  it('refuses a wrong password and anonymous clients, accepts the right one', async () => {
    const wrong = await connect(broker.url, { username: 'gate', password: 'nope' }).catch((e: unknown) => e);
    expect(wrong).toBeInstanceOf(Error);
    // MQTT 3.1.1 CONNACK: 4 bad user name or password, 5 not authorized (mosquitto 2 answers 5).
    expect([4, 5]).toContain((wrong as ErrorWithReasonCode).code);
    const anonymous = await connect(broker.url).catch((e: unknown) => e);
    expect([4, 5]).toContain((anonymous as ErrorWithReasonCode).code);
    const ok = await connect(broker.url, { username: 'gate', password: 's3cret' });
    expect(ok.connected).toBe(true);
    await ok.endAsync();
    const w = await watch(broker.url, 'harness/users', { username: 'other', password: 'pw' });
    await w.close();
  });
});

describe('TLS broker', () => {
  let certs: TestCerts;
  let broker: Mosquitto;
  let mutual: Mosquitto;
  beforeAll(async () => {
    certs = await makeCerts();
    broker = await startMosquitto({ tls: { ca: certs.ca, ...certs.server } });
    mutual = await startMosquitto({ tls: { ca: certs.ca, ...certs.server, requireClientCert: true } });
  });
  afterAll(async () => {
    await broker.stop();
    await mutual.stop();
  });

  it('accepts a client that trusts the test CA, for 127.0.0.1 and for localhost', async () => {
    expect(broker.url).toBe(`mqtts://127.0.0.1:${broker.port}`);
    const ca = readFileSync(certs.ca);
    const w = await watch(broker.url, 'harness/tls', { ca });
    const viaName = await connect(`mqtts://localhost:${broker.port}`, { ca });
    await viaName.publishAsync('harness/tls', 'secure', { qos: 1 });
    expect((await w.next()).payload.toString()).toBe('secure');
    await viaName.endAsync();
    await w.close();
  });

  it('refuses a client without the CA, and one that trusts another CA', async () => {
    const noCa = await connect(broker.url).catch((e: unknown) => e);
    // Node's verdict on a chain it cannot anchor (mosquitto sends the CA along with its certificate).
    const untrusted = /^(SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY)$/;
    expect((noCa as NodeJS.ErrnoException).code).toMatch(untrusted);
    const other = await makeCerts();
    const wrongCa = await connect(broker.url, { ca: readFileSync(other.ca) }).catch((e: unknown) => e);
    expect((wrongCa as NodeJS.ErrnoException).code).toMatch(untrusted);
  });

  it('requireClientCert: a client certificate from the CA is needed', async () => {
    const ca = readFileSync(certs.ca);
    const bare = await connect(mutual.url, { ca }).catch((e: unknown) => e);
    expect(bare).toBeInstanceOf(Error);
    const withCert = await connect(mutual.url, {
      ca,
      cert: readFileSync(certs.client.cert),
      key: readFileSync(certs.client.key),
    });
    expect(withCert.connected).toBe(true);
    await withCert.endAsync();
  });
});

describe('restart', () => {
  let broker: Mosquitto;
  beforeAll(async () => {
    broker = await startMosquitto();
  });
  afterAll(() => broker.stop());

  it('stops, refuses connections, and comes back on the same port', async () => {
    const port = broker.port;
    const before = await connect(broker.url);
    const closed = new Promise<void>((resolve) => before.once('close', () => resolve()));
    await broker.stop();
    await closed;
    const down = await connect(broker.url).catch((e: unknown) => e);
    expect((down as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
    await broker.restart();
    expect(broker.port).toBe(port);
    const after = await connect(broker.url);
    expect(after.connected).toBe(true);
    await after.endAsync();
    await broker.kill();
    await broker.restart();
    const again = await connect(broker.url);
    await again.endAsync();
    expect(broker.log().match(/mosquitto version \S+ running/g)).toHaveLength(3);
  });

  it('a second broker can take a stopped broker port with { port }', async () => {
    const first = await startMosquitto();
    await first.stop();
    const second = await startMosquitto({ port: first.port });
    try {
      expect(second.port).toBe(first.port);
      const c = await connect(second.url);
      await c.endAsync();
    } finally {
      await second.stop();
    }
  });
});

describe('decodeSparkplug', () => {
  it('decodes what sparkplug-payload encodes, Longs as numbers', () => {
    const buf = encodeSparkplug({
      timestamp: 1_700_000_000_123,
      seq: 3,
      metrics: [
        { name: 'bdSeq', type: 'UInt64', value: 7 },
        { name: 'temp', alias: 12, type: 'Float', value: 21.5 },
        { name: 'count', type: 'Int64', value: -5 },
        // 2^64 - 1 as the {low, high} pair protobufjs takes for a 64-bit field
        { name: 'big', type: 'UInt64', value: { low: -1, high: -1, unsigned: true } },
        { name: 'u32', type: 'UInt32', value: 4_000_000_000 },
        { name: 'i16', type: 'Int16', value: -300 },
        { name: 'on', type: 'Boolean', value: true },
        { name: 'label', type: 'String', value: 'pump 1' },
      ],
    });
    const p = decodeSparkplug(buf);
    expect(p.timestamp).toBe(1_700_000_000_123);
    expect(p.seq).toBe(3);
    expect(p.metrics?.map((m) => [m.name, m.type, m.value])).toEqual([
      ['bdSeq', 'UInt64', 7],
      ['temp', 'Float', 21.5],
      ['count', 'Int64', -5],
      ['big', 'UInt64', 18446744073709551615n],
      ['u32', 'UInt32', 4_000_000_000],
      ['i16', 'Int16', -300],
      ['on', 'Boolean', true],
      ['label', 'String', 'pump 1'],
    ]);
    expect(p.metrics?.[1]?.alias).toBe(12);
  });

  it('decodes a Sparkplug payload carried by the broker', async () => {
    const broker = await startMosquitto();
    try {
      const w = await watch(broker.url, 'spBv1.0/harness/#');
      const pub = await connect(broker.url);
      const body = encodeSparkplug({ timestamp: 1, seq: 0, metrics: [{ name: 'x', type: 'Int32', value: 42 }] });
      await pub.publishAsync('spBv1.0/harness/NDATA/node', body, { qos: 0 });
      const m = await w.next();
      expect(decodeSparkplug(m.payload).metrics?.[0]?.value).toBe(42);
      await pub.endAsync();
      await w.close();
    } finally {
      await broker.stop();
    }
  });
});
