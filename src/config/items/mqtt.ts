/**
 * `mqtt:`: the northbound MQTT link. One broker (`url`) or a cluster tried in turn (`urls`), the
 * Sparkplug B ids or the JSON topic root, the banks that are published, and the store that keeps
 * changes while the broker (or the primary host) is away. The password is never in the YAML: it is
 * read from `passwordFile` at each connect.
 */
import { record, section, type Infer } from '../declare/kit.js';
import { as, choice, duration, leaf, name, size, text } from '../declare/leaves.js';
import { problem, show, type Problem } from '../issues.js';
import { clientTls, clientTlsRule } from './client-tls.js';
import { reconnect } from './device-schemas.js';

export const MQTT_FORMATS = ['sparkplug-b', 'json'] as const;

/** Why `v` is not a broker URL fieldgate can connect to, or undefined. */
export function checkBrokerUrl(v: unknown): string | undefined {
  if (typeof v !== 'string') return `${show(v)} is not a broker URL: write mqtt://HOST:PORT or mqtts://HOST:PORT`;
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    return `${show(v)} is not a broker URL: write mqtt://HOST:PORT or mqtts://HOST:PORT`;
  }
  if (url.protocol !== 'mqtt:' && url.protocol !== 'mqtts:')
    return `${show(v)} is not mqtt:// or mqtts:// (the schemes fieldgate speaks)`;
  if (url.hostname === '') return `${show(v)} names no host`;
  if (url.username !== '' || url.password !== '')
    return `${show(v)} carries credentials: give username and passwordFile instead (a password never goes in the YAML)`;
  return undefined;
}

const brokerUrls = leaf(
  {
    doc: 'brokers of a cluster, tried in turn (the next one after a failure); instead of url',
    example: ['mqtt://10.0.0.5:1883', 'mqtt://10.0.0.6:1883'],
  },
  'list of broker URLs',
  { type: 'array', items: { type: 'string' }, minItems: 1 },
  (v) => {
    if (!Array.isArray(v)) return `${show(v)} is not a list: write [mqtt://HOST:PORT, mqtts://HOST:PORT, ...]`;
    if (v.length === 0) return 'is an empty list: give at least one broker';
    return v.flatMap((entry: unknown, j): Problem[] => {
      const error = checkBrokerUrl(entry);
      return error === undefined ? [] : [problem([j], error)];
    });
  },
  as<readonly string[]>(),
);

const bankNames = leaf(
  { doc: 'the banks published: each is a Sparkplug device (id = the bank name) or a JSON subtopic', required: true },
  'list of bank names',
  { type: 'array', items: { type: 'string' }, minItems: 1 },
  (v) => {
    if (!Array.isArray(v)) return `${show(v)} is not a list: write [BANK, ...]`;
    if (v.length === 0) return 'is an empty list: name at least one bank to publish';
    const seen = new Set<unknown>();
    return v.flatMap((entry: unknown, j): Problem[] => {
      if (typeof entry !== 'string') return [problem([j], `${show(entry)} is not a bank name`)];
      if (seen.has(entry)) return [problem([j], `bank ${entry} is listed twice`)];
      seen.add(entry);
      return [];
    });
  },
  as<readonly string[]>(),
);

/** A topic root for the JSON format: levels of text, no wildcards, no leading or trailing '/'. */
const topicRoot = leaf(
  { doc: 'json format: a point is published at <topic>/<bank>/<point> (default fieldgate/<gateway.name>)' },
  'topic',
  { type: 'string', pattern: '^[^#+/]+(/[^#+/]+)*$' },
  (v) =>
    typeof v === 'string' && /^[^#+/]+(\/[^#+/]+)*$/.test(v) && !v.startsWith('$')
      ? undefined
      : `${show(v)} is not a topic root: levels separated by /, no + or #, not starting with $ or /`,
  as<string>(),
);

const MQTT_KEYS = {
  url: text({ doc: 'the broker: mqtt://HOST:PORT or mqtts://HOST:PORT (TLS)', example: 'mqtt://127.0.0.1:1883' }),
  urls: brokerUrls,
  clientId: text({ doc: 'MQTT client id (default: gateway.name)', example: 'line3-pi' }),
  username: text({ doc: 'user name at the broker (the password is read from passwordFile)', example: 'line3' }),
  passwordFile: text({
    doc: 'file holding the password (read at every connect; trailing newline ignored); never the password itself',
    example: '/etc/fieldgate/mqtt.password',
  }),
  tls: clientTls('TLS for mqtts:// brokers: files in PEM form, read at every connect'),
  protocol: choice(['3.1.1', 5], { doc: 'MQTT version: 3.1.1 or 5', default: '3.1.1' }),
  format: choice(MQTT_FORMATS, { doc: `payloads: ${MQTT_FORMATS.join(' | ')}`, default: 'sparkplug-b' }),
  group: name({ doc: 'Sparkplug group id', default: 'fieldgate', example: 'plant1' }),
  node: name({ doc: 'Sparkplug edge node id (default: gateway.name)', example: 'line3-pi' }),
  primaryHost: name({
    doc: 'Sparkplug primary host id: publish only while spBv1.0/STATE/<id> says online, store meanwhile',
    example: 'scada',
  }),
  banks: bankNames,
  topic: topicRoot,
  qos: choice([0, 1], {
    doc: 'QoS of data messages: 0 (Sparkplug B says so) or 1 (kept until the broker acknowledges; stored when the link drops first)',
    default: 0,
  }),
  minInterval: duration({
    doc: 'shortest time between two data messages of one bank, each with the latest value of the points written meanwhile (0: every change is published)',
    default: '0ms',
  }),
  keepalive: duration({
    doc: 'MQTT keepalive: a silent broker is given up after 1.5 times this',
    min: 1000,
    default: '30s',
  }),
  connectTimeout: duration({ doc: 'how long one connection attempt may take', min: 100, default: '10s' }),
  reconnect: reconnect('connect to the next broker', '500ms', '30s'),
  storeForward: section('what waits while the broker or the primary host is away (on disk)', {
    maxSize: size({
      doc: 'disk the backlog may take; past it the oldest changes are dropped',
      min: 65536,
      default: '16MiB',
    }),
    dir: text({
      doc: 'directory of the backlog, relative to the working directory (/var/lib/fieldgate under systemd)',
      default: 'mqtt-store',
    }),
  }),
};

/** One of url / urls, and the TLS files only with an mqtts:// broker. */
export function mqttRules(raw: Record<string, unknown>): Problem[] {
  const problems: Problem[] = [];
  if (raw.url != null && raw.urls != null) problems.push(problem(['urls'], 'give either url or urls, not both'));
  if (raw.url == null && raw.urls == null)
    problems.push(problem([], 'needs url: mqtt://HOST:PORT (or urls: [...] for a cluster)'));
  if (raw.url != null) {
    const error = checkBrokerUrl(raw.url);
    if (error !== undefined) problems.push(problem(['url'], error));
  }
  if (raw.topic != null && raw.format !== 'json')
    problems.push(problem(['topic'], 'only the json format has a topic: Sparkplug B topics come from group and node'));
  if (raw.primaryHost != null && raw.format === 'json')
    problems.push(
      problem(['primaryHost'], 'a primary host is a Sparkplug B idea: remove it, or use format: sparkplug-b'),
    );
  if (raw.passwordFile != null && raw.username == null)
    problems.push(problem(['passwordFile'], 'a password needs a username: add username'));
  problems.push(...clientTlsRule(raw.tls, ['tls']));
  return problems;
}

export const MQTT = record({ doc: 'the northbound MQTT link (omit to disable): Sparkplug B or JSON' }, MQTT_KEYS, {
  rules: mqttRules,
});

/**
 * The link as the rest of fieldgate sees it: `urls` always (one broker or several), the ids and the
 * topic root filled from the gateway's name.
 */
export function finishMqtt(m: NonNullable<Infer<typeof MQTT>>, gatewayName: string) {
  const { url, urls, ...rest } = m;
  return {
    ...rest,
    urls: url !== undefined ? [url] : (urls ?? []),
    clientId: m.clientId ?? gatewayName,
    node: m.node ?? gatewayName,
    topic: m.topic ?? `fieldgate/${gatewayName}`,
  };
}
