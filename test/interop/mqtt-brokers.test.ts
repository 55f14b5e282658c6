/**
 * The built daemon's Sparkplug B link against Debian's mosquitto in the situations a plant has: a
 * primary host that goes on- and offline, a cluster of two brokers (one dies), TLS (the right CA, a
 * wrong CA, a client certificate) and users (a wrong password, fixed in the file without a restart).
 * Payloads are read with the independent decoder (sparkplug-payload), never with fieldgate's codec.
 */
import mqtt from 'mqtt';
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { makeCerts } from '../helpers/certs.js';
import { tempFile } from '../helpers/daemon.js';
import { MOSQUITTO } from '../helpers/mosquitto.js';
import {
  gatewayYaml,
  LEVEL,
  metric,
  newStoreDir,
  resources,
  sp,
  spType,
  type SpMessage,
} from '../helpers/mqtt-daemon.js';
import type { Watch, WatchedMessage } from '../helpers/mqtt-watch.js';
import { requireTool } from './tools.js';

requireTool(MOSQUITTO, 'mosquitto');
requireTool('/usr/bin/openssl', 'openssl');

const TOPICS = 'spBv1.0/fieldgate/#';
const STATE = 'spBv1.0/STATE/scada';

const r = resources();
afterEach(r.cleanup);

const decoded = (m: WatchedMessage): SpMessage => {
  const d = sp(m);
  if (!d) throw new Error(`not a Sparkplug message: ${m.topic}`);
  return d;
};
const bdSeqOf = (m: WatchedMessage) => Number(metric(decoded(m).payload, 'bdSeq').value);
/** Messages of node gw1 the watcher has seen (NDEATH included). */
const ofNode = (w: Watch) => w.all().filter((m) => sp(m)?.node === 'gw1');

describe('primary host', () => {
  it('publishes nothing while the host is offline, births when it is online, NDEATH and a new session when it goes away', async () => {
    const b = await r.broker();
    const host = await mqtt.connectAsync(b.url, { reconnectPeriod: 0, clientId: 'scada-host' });
    const state = (online: boolean, timestamp: number) =>
      host.publishAsync(STATE, JSON.stringify({ online, timestamp }), { qos: 1, retain: true });
    const T = Date.now();
    try {
      await state(false, T);
      const w = await r.watcher(b.url, TOPICS);
      const fg = await r.daemon(
        gatewayYaml({ url: b.url, banks: ['line'], primaryHost: 'scada', storeForward: { dir: newStoreDir() } }),
      );
      const waiting = await fg.until((m) => m.state === 'waiting' && m.connects === 1, 'state waiting');
      expect(waiting.primaryHost).toEqual({ id: 'scada', online: false });
      const bdSeq1 = waiting.bdSeq!;

      const mb = await r.modbus(fg.modbusPort);
      for (const [i, v] of [11, 22, 33].entries()) {
        await mb.writeRegisters(LEVEL, [v]);
        await fg.until((m) => m.backlog.records === i + 1, `backlog.records ${i + 1}`);
      }
      const beforeOnline = await fg.mqtt();
      expect(beforeOnline.state).toBe('waiting');
      expect(beforeOnline.births).toBe(0);
      expect(beforeOnline.messagesOut).toBe(0);
      expect(ofNode(w)).toEqual([]); // connected, subscribed, and not one message

      await state(true, T + 1);
      const nbirth = await w.next(spType('NBIRTH'), 10_000);
      expect(bdSeqOf(nbirth)).toBe(bdSeq1);
      const dbirth = decoded(await w.next(spType('DBIRTH', 'line')));
      expect(metric(dbirth.payload, 'level').value).toBe(33);
      const replayed = [];
      for (let i = 0; i < 3; i++) replayed.push(decoded(await w.next(spType('DDATA', 'line'))));
      expect(replayed.map((m) => [metric(m.payload, 'level').value, metric(m.payload, 'level').isHistorical])).toEqual([
        [11, true],
        [22, true],
        [33, true],
      ]);
      expect(replayed.map((m) => Number(m.payload.seq))).toEqual([2, 3, 4]);
      const online = await fg.until((m) => m.state === 'online' && m.backlog.records === 0, 'online, replayed');
      expect(online.primaryHost).toEqual({ id: 'scada', online: true });

      // the host goes away: NDEATH of this session, then a new session (bdSeq + 1) that waits
      await state(false, T + 2);
      const ndeath = await w.next(spType('NDEATH'), 10_000);
      expect(bdSeqOf(ndeath)).toBe(bdSeq1);
      const second = await fg.until((m) => m.state === 'waiting' && m.connects === 2, 'a new session, waiting');
      expect(second.bdSeq).toBe((bdSeq1 + 1) % 256);
      expect(second.primaryHost).toEqual({ id: 'scada', online: false });
      const seenAtSecond = ofNode(w).length;
      await mb.writeRegisters(LEVEL, [44]);
      await fg.until((m) => m.backlog.records === 1, 'the write stored');
      expect((await fg.mqtt()).state).toBe('waiting');
      // after the NDEATH nothing of that session: the link ends it with a DISCONNECT, so the broker
      // discards the Will (a second NDEATH with the same bdSeq, before 5612b4d's successor)
      const afterDeath = ofNode(w).slice(ofNode(w).indexOf(ndeath));
      expect(afterDeath).toEqual([ndeath]);
      expect(ofNode(w).length).toBe(seenAtSecond);

      await state(true, T + 3);
      const nbirth2 = await w.next(spType('NBIRTH'), 10_000);
      expect(bdSeqOf(nbirth2)).toBe((bdSeq1 + 1) % 256);
      await w.next(spType('DBIRTH', 'line'));
      const late = decoded(await w.next(spType('DDATA', 'line')));
      expect([metric(late.payload, 'level').value, metric(late.payload, 'level').isHistorical]).toEqual([44, true]);
    } finally {
      await host.endAsync();
    }
  });
});

describe('broker cluster', () => {
  it('fails over to the next broker and births there with a new bdSeq', async () => {
    const a = await r.broker();
    const b = await r.broker();
    const wa = await r.watcher(a.url, TOPICS);
    const wb = await r.watcher(b.url, TOPICS);
    const fg = await r.daemon(
      gatewayYaml({ urls: [a.url, b.url], banks: ['line'], storeForward: { dir: newStoreDir() } }),
    );
    const onA = await wa.next(spType('NBIRTH'), 10_000);
    await wa.next(spType('DBIRTH', 'line'));
    const first = await fg.until((m) => m.state === 'online', 'online');
    expect(first.broker).toBe(a.url);
    expect(first.brokers).toEqual([a.url, b.url]);
    expect(bdSeqOf(onA)).toBe(first.bdSeq);

    await a.kill();
    const onB = await wb.next(spType('NBIRTH'), 10_000);
    expect(bdSeqOf(onB)).toBe((bdSeqOf(onA) + 1) % 256);
    expect(Number(decoded(onB).payload.seq)).toBe(0);
    const dbirth = decoded(await wb.next(spType('DBIRTH', 'line')));
    expect(metric(dbirth.payload, 'level').value).toBe(7);
    const second = await fg.until((m) => m.state === 'online' && m.broker === b.url, 'online at B');
    expect(second.connects).toBe(2);
    expect(second.bdSeq).toBe(bdSeqOf(onB));

    // live data goes to B
    const mb = await r.modbus(fg.modbusPort);
    await mb.writeRegisters(LEVEL, [4242]);
    const data = decoded(await wb.next(spType('DDATA', 'line')));
    expect(metric(data.payload, 'level').value).toBe(4242);
    expect(metric(data.payload, 'level').isHistorical ?? false).toBe(false);
    expect(ofNode(wb).filter(spType('NBIRTH'))).toHaveLength(1);
  });
});

describe('TLS', () => {
  it('births over mqtts:// with the right CA', async () => {
    const certs = await makeCerts();
    const b = await r.broker({ tls: { ca: certs.ca, cert: certs.server.cert, key: certs.server.key } });
    expect(b.url).toMatch(/^mqtts:\/\/127\.0\.0\.1:/);
    const w = await r.watcher(b.url, TOPICS, { ca: readFileSync(certs.ca) });
    const fg = await r.daemon(
      gatewayYaml({ url: b.url, tls: { ca: certs.ca }, banks: ['line'], storeForward: { dir: newStoreDir() } }),
    );
    await w.next(spType('NBIRTH'), 10_000);
    const dbirth = decoded(await w.next(spType('DBIRTH', 'line')));
    expect(metric(dbirth.payload, 'temp').value).toBe(-5);
    expect((await fg.until((m) => m.state === 'online', 'online')).broker).toBe(b.url);
  });

  it('a broker certificate from another CA is refused: lastError names it, Modbus is still served', async () => {
    const certs = await makeCerts();
    const other = await makeCerts();
    const b = await r.broker({ tls: { ca: certs.ca, cert: certs.server.cert, key: certs.server.key } });
    const fg = await r.daemon(
      gatewayYaml({ url: b.url, tls: { ca: other.ca }, banks: ['line'], storeForward: { dir: newStoreDir() } }),
    );
    const failed = await fg.until((m) => m.lastError !== null, 'a lastError');
    expect(failed.lastError).toMatch(
      /self.signed certificate in certificate chain|unable to get local issuer certificate/,
    );
    expect(failed.state).not.toBe('online');
    expect(failed.connects).toBe(0);
    const mb = await r.modbus(fg.modbusPort);
    expect((await mb.readHoldingRegisters(LEVEL, 2)).data).toEqual([7, 65531]);
    expect((await fg.mqtt()).connects).toBe(0);
  });

  it('a broker that requires a client certificate accepts tls.cert / tls.key', async () => {
    const certs = await makeCerts();
    const b = await r.broker({
      tls: { ca: certs.ca, cert: certs.server.cert, key: certs.server.key, requireClientCert: true },
    });
    const w = await r.watcher(b.url, TOPICS, {
      ca: readFileSync(certs.ca),
      cert: readFileSync(certs.client.cert),
      key: readFileSync(certs.client.key),
    });
    const fg = await r.daemon(
      gatewayYaml({
        url: b.url,
        tls: { ca: certs.ca, cert: certs.client.cert, key: certs.client.key },
        banks: ['line'],
        storeForward: { dir: newStoreDir() },
      }),
    );
    await w.next(spType('NBIRTH'), 10_000);
    await w.next(spType('DBIRTH', 'line'));
    expect((await fg.until((m) => m.state === 'online', 'online')).connects).toBe(1);
  });
});

describe('credentials', () => {
  const users = { fg: 's3cret-pw', watcher: 'watch-pw' };

  it('username and passwordFile: births', async () => {
    const b = await r.broker({ users });
    const w = await r.watcher(b.url, TOPICS, { username: 'watcher', password: users.watcher });
    const passwordFile = tempFile('mqtt.password', `${users.fg}\n`);
    const fg = await r.daemon(
      gatewayYaml({ url: b.url, username: 'fg', passwordFile, banks: ['line'], storeForward: { dir: newStoreDir() } }),
    );
    await w.next(spType('NBIRTH'), 10_000);
    await w.next(spType('DBIRTH', 'line'));
    expect((await fg.until((m) => m.state === 'online', 'online')).lastError).toBeNull();
  });

  it('a wrong password: "Not authorized", tried again, Modbus served; the fixed file is read at the next attempt', async () => {
    const b = await r.broker({ users });
    const w = await r.watcher(b.url, TOPICS, { username: 'watcher', password: users.watcher });
    const passwordFile = tempFile('mqtt.password', 'not-the-password\n');
    const fg = await r.daemon(
      gatewayYaml({ url: b.url, username: 'fg', passwordFile, banks: ['line'], storeForward: { dir: newStoreDir() } }),
    );
    const refused = await fg.until((m) => m.lastError !== null, 'a lastError');
    expect(refused.lastError).toMatch(/not authori[sz]ed/i);
    expect(refused.connects).toBe(0);
    expect(refused.state).not.toBe('online');
    await fg.daemon.waitFor((l) => l['msg'] === 'mqtt down' && /not authori[sz]ed/i.test(String(l['error'])));
    // the broker saw the attempts again and again
    const refusals = () => (b.log().match(/disconnected, not authori[sz]ed/gi) ?? []).length;
    await fg.until(() => refusals() >= 3, 'three refused attempts in the broker log');
    expect((await fg.mqtt()).connects).toBe(0);
    const mb = await r.modbus(fg.modbusPort);
    expect((await mb.readHoldingRegisters(LEVEL, 1)).data).toEqual([7]);
    expect(ofNode(w)).toEqual([]);

    writeFileSync(passwordFile, `${users.fg}\n`);
    await w.next(spType('NBIRTH'), 10_000);
    const online = await fg.until((m) => m.state === 'online', 'online');
    expect(online.connects).toBe(1);
    expect(online.lastError).toBeNull();
  });
});
