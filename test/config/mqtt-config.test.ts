/**
 * The `mqtt:` section through the real loader: a minimal valid section gets its defaults (urls from
 * url, ids from gateway.name, the JSON topic root, group, store size); every mistake is reported
 * at its key with file:line:col and what to write instead; `fieldgate check` exits 78 naming each.
 */
import { describe, expect, it } from 'vitest';
import { formatIssue } from '../../src/config/load.js';
import { runCommand, tempFile } from '../helpers/daemon.js';
import { at, configOf, FILE, issueAt, issuesOf, load } from './helpers.js';

const BANKS = `banks:
  plant:
    holding: 10
    coils: 4
    points:
      - { name: temp, table: holding, address: 0, type: int16, scale: 0.1 }
      - { name: run, table: coils, address: 0, type: bool }
  other: { holding: 2 }
`;

const withMqtt = (mqtt: string, name = 'line3') => `gateway: { name: ${name} }\n${BANKS}mqtt:\n${mqtt}`;

const DEFAULTS = {
  tls: { verify: true },
  protocol: '3.1.1',
  format: 'sparkplug-b',
  group: 'fieldgate',
  banks: ['plant'],
  qos: 0,
  minInterval: 0,
  keepalive: 30_000,
  connectTimeout: 10_000,
  reconnect: { min: 500, max: 30_000, jitter: 0.2 },
  storeForward: { maxSize: 16 * 1024 * 1024, dir: 'mqtt-store' },
  urls: ['mqtt://127.0.0.1:1883'],
  clientId: 'line3',
  node: 'line3',
  topic: 'fieldgate/line3',
};

describe('mqtt: a valid section', () => {
  it('a minimal one gets every default, url becomes urls, ids come from gateway.name', () => {
    const config = configOf(load(withMqtt('  url: mqtt://127.0.0.1:1883\n  banks: [plant]\n')));
    expect(config.mqtt).toEqual(DEFAULTS);
  });

  it('json: the topic root defaults to fieldgate/<gateway.name>', () => {
    const config = configOf(load(withMqtt('  url: mqtt://127.0.0.1:1883\n  format: json\n  banks: [plant, other]\n')));
    expect(config.mqtt).toEqual({ ...DEFAULTS, format: 'json', banks: ['plant', 'other'] });
  });

  it('without gateway.name the ids are "fieldgate"', () => {
    const config = configOf(load(`${BANKS}mqtt:\n  url: mqtt://127.0.0.1:1883\n  banks: [plant]\n`));
    expect(config.mqtt).toMatchObject({ clientId: 'fieldgate', node: 'fieldgate', topic: 'fieldgate/fieldgate' });
  });

  it('given values are kept: urls, ids, topic, credentials file, store, timing', () => {
    const config = configOf(
      load(
        withMqtt(`  urls: [mqtt://127.0.0.1:1883, mqtts://broker.example:8883]
  clientId: pi-7
  username: line3
  passwordFile: /etc/fieldgate/mqtt.password
  format: json
  topic: site/a/line3
  qos: 1
  minInterval: 250ms
  keepalive: 2s
  banks: [plant]
  storeForward: { maxSize: 1MiB, dir: /tmp/store }
`),
      ),
    );
    expect(config.mqtt).toEqual({
      ...DEFAULTS,
      urls: ['mqtt://127.0.0.1:1883', 'mqtts://broker.example:8883'],
      clientId: 'pi-7',
      username: 'line3',
      passwordFile: '/etc/fieldgate/mqtt.password',
      format: 'json',
      topic: 'site/a/line3',
      qos: 1,
      minInterval: 250,
      keepalive: 2000,
      storeForward: { maxSize: 1024 * 1024, dir: '/tmp/store' },
    });
  });

  it('a deadband on a number point is kept on the point', () => {
    const text = withMqtt('  url: mqtt://127.0.0.1:1883\n  banks: [plant]\n').replace(
      'scale: 0.1 }',
      'scale: 0.1, deadband: 0.5 }',
    );
    const config = configOf(load(text));
    expect(config.banks.get('plant')?.points.find((p) => p.name === 'temp')?.deadband).toBe(0.5);
  });

  it('no mqtt section: no mqtt in the config', () => {
    expect(configOf(load(BANKS)).mqtt).toBeUndefined();
  });
});

/** [what, the mqtt section (or a whole file), key, where (a marker for at()), message]. */
const CASES: [string, string, string, string, string][] = [
  [
    'url and urls both',
    withMqtt('  url: mqtt://127.0.0.1:1883\n  urls: [mqtt://127.0.0.1:1884]\n  banks: [plant]\n'),
    'mqtt.urls',
    'urls: ^[mqtt',
    'give either url or urls, not both',
  ],
  [
    'neither url nor urls',
    withMqtt('  banks: [plant]\n'),
    'mqtt',
    'mqtt:\n  ^banks',
    'needs url: mqtt://HOST:PORT (or urls: [...] for a cluster)',
  ],
  [
    'url with credentials',
    withMqtt('  url: mqtt://line3:secret@127.0.0.1:1883\n  banks: [plant]\n'),
    'mqtt.url',
    'url: ^mqtt://line3',
    '"mqtt://line3:secret@127.0.0.1:1883" carries credentials: give username and passwordFile instead (a password never goes in the YAML)',
  ],
  [
    'a url in urls with a user name',
    withMqtt('  urls: [mqtt://127.0.0.1:1, mqtt://u@127.0.0.1:2]\n  banks: [plant]\n'),
    'mqtt.urls[1]',
    '^mqtt://u@',
    '"mqtt://u@127.0.0.1:2" carries credentials: give username and passwordFile instead (a password never goes in the YAML)',
  ],
  [
    'a ws:// url',
    withMqtt('  url: ws://127.0.0.1:8080\n  banks: [plant]\n'),
    'mqtt.url',
    'url: ^ws://',
    '"ws://127.0.0.1:8080" is not mqtt:// or mqtts:// (the schemes fieldgate speaks)',
  ],
  [
    'an unknown bank',
    withMqtt('  url: mqtt://127.0.0.1:1883\n  banks: [plant, tank]\n'),
    'mqtt.banks[1]',
    '[plant, ^tank]',
    'bank "tank" is not defined under banks (defined: plant, other)',
  ],
  [
    'a bank listed twice',
    withMqtt('  url: mqtt://127.0.0.1:1883\n  banks: [plant, other, plant]\n'),
    'mqtt.banks[2]',
    'other, ^plant]',
    'bank plant is listed twice',
  ],
  [
    'no banks',
    withMqtt('  url: mqtt://127.0.0.1:1883\n  banks: []\n'),
    'mqtt.banks',
    'banks: ^[]',
    'is an empty list: name at least one bank to publish',
  ],
  [
    'a topic with sparkplug-b',
    withMqtt('  url: mqtt://127.0.0.1:1883\n  topic: site/line3\n  banks: [plant]\n'),
    'mqtt.topic',
    'topic: ^site',
    'only the json format has a topic: Sparkplug B topics come from group and node',
  ],
  [
    'a topic with a wildcard',
    withMqtt('  url: mqtt://127.0.0.1:1883\n  format: json\n  topic: site/+/x\n  banks: [plant]\n'),
    'mqtt.topic',
    'topic: ^site',
    '"site/+/x" is not a topic root: levels separated by /, no + or #, not starting with $ or /',
  ],
  [
    'primaryHost with json',
    withMqtt('  url: mqtt://127.0.0.1:1883\n  format: json\n  primaryHost: scada\n  banks: [plant]\n'),
    'mqtt.primaryHost',
    'primaryHost: ^scada',
    'a primary host is a Sparkplug B idea: remove it, or use format: sparkplug-b',
  ],
  [
    'passwordFile without username',
    withMqtt('  url: mqtt://127.0.0.1:1883\n  passwordFile: /etc/fieldgate/pw\n  banks: [plant]\n'),
    'mqtt.passwordFile',
    'passwordFile: ^/etc',
    'a password needs a username: add username',
  ],
  [
    'keepalive too short',
    withMqtt('  url: mqtt://127.0.0.1:1883\n  keepalive: 500ms\n  banks: [plant]\n'),
    'mqtt.keepalive',
    'keepalive: ^500ms',
    '"500ms" is too short: at least 1000 ms',
  ],
  [
    'a store smaller than 64 KiB',
    withMqtt('  url: mqtt://127.0.0.1:1883\n  banks: [plant]\n  storeForward: { maxSize: 1KiB }\n'),
    'mqtt.storeForward.maxSize',
    'maxSize: ^1KiB',
    '"1KiB" is too small: at least 65536 bytes',
  ],
  [
    'a deadband on a bool point',
    withMqtt('  url: mqtt://127.0.0.1:1883\n  banks: [plant]\n').replace('type: bool }', 'type: bool, deadband: 1 }'),
    'banks.plant.points[1].deadband',
    'deadband: ^1 }',
    'a bool point has no deadband (only numbers do)',
  ],
  [
    'a negative deadband',
    withMqtt('  url: mqtt://127.0.0.1:1883\n  banks: [plant]\n').replace('scale: 0.1 }', 'scale: 0.1, deadband: -2 }'),
    'banks.plant.points[0].deadband',
    'deadband: ^-2',
    'is negative',
  ],
  [
    'an unknown key under mqtt, with a suggestion',
    withMqtt('  url: mqtt://127.0.0.1:1883\n  banks: [plant]\n  keepAlive: 5s\n'),
    'mqtt.keepAlive',
    '^keepAlive: 5s',
    'unknown key (did you mean keepalive?); allowed here: url, urls, clientId, username, passwordFile, tls, protocol, format, group, node, primaryHost, banks, topic, qos, minInterval, keepalive, connectTimeout, reconnect, storeForward',
  ],
];

describe('mqtt: mistakes, each at its key with line:col', () => {
  for (const [what, text, key, where, message] of CASES) {
    it(what, () => {
      const issues = issuesOf(load(text));
      expect(issues).toHaveLength(1);
      expect(issueAt(issues, key)).toEqual({ key, ...at(text, where), file: FILE, message });
    });
  }
});

describe('mqtt: ids defaulted from gateway.name must be valid MQTT topic levels', () => {
  // Failed before 798b311: node (and the JSON topic) default to gateway.name, free text that was not
  // checked, so the gateway published under spBv1.0/fieldgate/NBIRTH/plant/line3 (a node id spanning two
  // levels) or a topic holding + or #, which brokers refuse.
  const node = (shown: string) =>
    `${shown} cannot be the Sparkplug edge node id, which mqtt.node defaults to: give mqtt.node (letters, digits, _ . -)`;
  const topic = (shown: string) =>
    `${shown} holds + or #, which cannot be in the topic root fieldgate/<gateway.name> that mqtt.topic defaults to: give mqtt.topic`;
  const cases: [string, string, string, string][] = [
    ['plant/line3', 'sparkplug-b', 'name: ^plant/line3', node('"plant/line3"')],
    ['"line+3"', 'sparkplug-b', 'name: ^"line+3"', node('"line+3"')],
    ['"line#3"', 'sparkplug-b', 'name: ^"line#3"', node('"line#3"')],
    ['"line+3"', 'json', 'name: ^"line+3"', topic('"line+3"')],
    ['"line#3"', 'json', 'name: ^"line#3"', topic('"line#3"')],
  ];
  for (const [name, format, where, message] of cases) {
    it(`gateway.name ${name} with ${format} and no node/topic is refused at gateway.name`, () => {
      const text = withMqtt(`  url: mqtt://127.0.0.1:1883\n  format: ${format}\n  banks: [plant]\n`, name);
      expect(issuesOf(load(text))).toEqual([{ key: 'gateway.name', ...at(text, where), file: FILE, message }]);
    });
  }

  it('the same names are fine when mqtt gives its own node or topic', () => {
    for (const extra of ['  node: line3\n', '  format: json\n  topic: site/line3\n']) {
      const text = withMqtt(`  url: mqtt://127.0.0.1:1883\n${extra}  banks: [plant]\n`, '"plant/line+3#"');
      expect(configOf(load(text)).mqtt?.clientId).toBe('plant/line+3#');
    }
  });

  it('gateway.name plant/line3 with json: the topic root fieldgate/plant/line3 is valid', () => {
    const text = withMqtt('  url: mqtt://127.0.0.1:1883\n  format: json\n  banks: [plant]\n', 'plant/line3');
    expect(configOf(load(text)).mqtt?.topic).toBe('fieldgate/plant/line3');
  });

  it('an explicit node with a wildcard is refused (for comparison)', () => {
    const text = withMqtt('  url: mqtt://127.0.0.1:1883\n  node: "a+b"\n  banks: [plant]\n');
    expect(issuesOf(load(text)).map(formatIssue)).toEqual([
      `${FILE}:${at(text, 'node: ^"a+b"').line}:${at(text, 'node: ^"a+b"').col}: mqtt.node: "a+b" is not a valid name: use letters, digits, _ . - only`,
    ]);
  });
});

describe('fieldgate check', () => {
  it('exits 78 naming every mqtt mistake of a file at its line:col', async () => {
    const text = `gateway: { name: line3 }
banks:
  plant:
    holding: 4
    points:
      - { name: t, table: holding, address: 0, type: int16, deadband: -1 }
mqtt:
  url: ws://127.0.0.1:1883
  urls: [mqtt://u:p@127.0.0.1:1]
  banks: [plant, plant, nope]
  keepalive: 10ms
  passwordFile: /x
  format: json
  primaryHost: h
  keepAlive: 1s
`;
    const file = tempFile('mqtt.yaml', text);
    const { code, stderr } = await runCommand(['check', '-c', file]);
    expect(code).toBe(78);
    const pos = (marked: string) => {
      const { line, col } = at(text, marked);
      return `  ${file}:${line}:${col}: `;
    };
    const expected = [
      `${pos('deadband: ^-1')}banks.plant.points[0].deadband: is negative`,
      `${pos('url: ^ws://')}mqtt.url: "ws://127.0.0.1:1883" is not mqtt:// or mqtts:// (the schemes fieldgate speaks)`,
      `${pos('urls: ^[')}mqtt.urls: give either url or urls, not both`,
      `${pos('[^mqtt://u:p')}mqtt.urls[0]: "mqtt://u:p@127.0.0.1:1" carries credentials: give username and passwordFile instead (a password never goes in the YAML)`,
      `${pos('plant, ^plant, nope')}mqtt.banks[1]: bank plant is listed twice`,
      `${pos('^nope]')}mqtt.banks[2]: bank "nope" is not defined under banks (defined: plant)`,
      `${pos('keepalive: ^10ms')}mqtt.keepalive: "10ms" is too short: at least 1000 ms`,
      `${pos('passwordFile: ^/x')}mqtt.passwordFile: a password needs a username: add username`,
      `${pos('primaryHost: ^h')}mqtt.primaryHost: a primary host is a Sparkplug B idea: remove it, or use format: sparkplug-b`,
      `${pos('^keepAlive: 1s')}mqtt.keepAlive: unknown key (did you mean keepalive?)`,
    ];
    for (const line of expected) expect(stderr).toContain(line);
    expect(stderr).toContain(`the configuration ${file} is not valid (10 problem(s)):`);
  });

  it('prints the mqtt link of a valid file and exits 0', async () => {
    const file = tempFile(
      'mqtt.yaml',
      withMqtt('  url: mqtt://127.0.0.1:1883\n  banks: [plant, other]\n  storeForward: { dir: /tmp/fg-store }\n'),
    );
    const { code, stdout } = await runCommand(['check', '-c', file]);
    expect(code).toBe(0);
    expect(stdout).toContain(
      'mqtt: sparkplug-b, group fieldgate, node line3\n  brokers: mqtt://127.0.0.1:1883\n  banks: plant, other\n  store while away: /tmp/fg-store (at most 16MiB)\n',
    );
  });
});
