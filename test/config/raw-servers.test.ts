/** Raw servers in the YAML: framing, handlers, limits, pools; what `fieldgate check` prints of them. */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { describeConfig } from '../../src/config/describe.js';
import type { RawServerConfig } from '../../src/config/types.js';
import { at, configOf, issuesOf, load } from './helpers.js';

const DEVICES =
  'devices:\n  - { name: cam, type: tcp, host: 10.0.0.5, port: 3000 }\n  - { name: rtu, type: modbus-rtu, path: /dev/ttyS0 }\n';
const one = (server: string) => `${DEVICES}servers:\n  - ${server}\n`;
const rawOf = (text: string) => configOf(load(text)).servers[0] as RawServerConfig;
const problems = (text: string) => issuesOf(load(text)).map((i) => [i.key, i.message]);

describe('raw servers', () => {
  it('defaults: no framing, 1 MiB send queue, the common limits', () => {
    expect(rawOf(one('{ name: r, protocol: raw, listen: "127.0.0.1:7000", handler: echo }'))).toStrictEqual({
      name: 'r',
      protocol: 'raw',
      host: '127.0.0.1',
      port: 7000,
      onBusy: 'replace-same-client',
      maxClients: 32,
      idleTimeout: 60_000,
      sendTimeout: 10_000,
      keepAlive: 30_000,
      framing: { type: 'none' },
      handler: { kind: 'echo' },
      sendQueue: 1024 * 1024,
    });
  });

  it.each([
    ['{ type: line, delimiter: "\\r\\n", max: 1024 }', { type: 'line', delimiter: '\r\n', max: 1024 }],
    ['line', { type: 'line', delimiter: '\n', max: 4096 }],
    ['{ type: line, delimiter: "\\x03" }', { type: 'line', delimiter: '\x03', max: 4096 }],
    [
      '{ type: length, size: 2, endian: big, max: 4096 }',
      { type: 'length', size: 2, endian: 'big', counts: 'payload', max: 4096 },
    ],
    [
      '{ type: length, size: 4, endian: little, counts: frame, max: 1MiB }',
      { type: 'length', size: 4, endian: 'little', counts: 'frame', max: 1048576 },
    ],
    ['{ type: fixed, size: 64 }', { type: 'fixed', size: 64 }],
    ['none', { type: 'none' }],
  ])('framing %s', (yaml, framing) => {
    expect(
      rawOf(one(`{ name: r, protocol: raw, listen: "127.0.0.1:7000", handler: echo, framing: ${yaml} }`)).framing,
    ).toStrictEqual(framing);
  });

  it.each([
    ['{ type: lines }', 'servers[0].framing.type', '"lines" is not a framing: use none, line, length, fixed'],
    ['{ size: 2 }', 'servers[0].framing.type', 'needs a type: none, line, length, fixed'],
    ['{ type: line, delimiter: "" }', 'servers[0].framing.delimiter', '"" is 0 bytes: a delimiter has 1 to 8'],
    [
      '{ type: line, delimiter: "123456789" }',
      'servers[0].framing.delimiter',
      '"123456789" is 9 bytes: a delimiter has 1 to 8',
    ],
    [
      '{ type: line, delimiter: "→" }',
      'servers[0].framing.delimiter',
      '"→" has a character that is not one byte: use \\xNN escapes for bytes above 0x7F',
    ],
    ['{ type: length, size: 3 }', 'servers[0].framing.size', '3 is not one of 1, 2, 4'],
    ['{ type: length, max: 32MiB }', 'servers[0].framing.max', '"32MiB" is too large: at most 16777216 bytes'],
    [
      '{ type: line, max: 4k }',
      'servers[0].framing.max',
      '"4k" is not a size (sizes count in 1024s: KiB, MiB, GiB): write a number of bytes, or 64KiB, 1MiB, 1GiB',
    ],
    ['{ type: fixed }', 'servers[0].framing.size', 'is required: bytes in every frame, 1..16777216'],
    ['{ type: none, max: 10 }', 'servers[0].framing.max', 'unknown key; allowed here: type'],
  ])('a bad framing %s', (yaml, key, message) => {
    expect(
      problems(one(`{ name: r, protocol: raw, listen: "127.0.0.1:7000", handler: echo, framing: ${yaml} }`)),
    ).toEqual([[key, message]]);
  });

  it.each([
    ['echo', { kind: 'echo' }],
    ['hub', { kind: 'hub' }],
    ['{ bridge: cam }', { kind: 'bridge', device: 'cam', reply: 'all' }],
    ['{ bridge: cam, reply: sender }', { kind: 'bridge', device: 'cam', reply: 'sender' }],
    [
      '{ record: /var/lib/fieldgate/capture }',
      { kind: 'record', dir: '/var/lib/fieldgate/capture', maxFileSize: 16 * 1024 * 1024, maxTotalSize: 1024 ** 3 },
    ],
    [
      '{ record: captures, maxFileSize: 1MiB }',
      { kind: 'record', dir: 'captures', maxFileSize: 1024 * 1024, maxTotalSize: 1024 ** 3 },
    ],
  ])('handler %s', (yaml, handler) => {
    expect(rawOf(one(`{ name: r, protocol: raw, listen: "127.0.0.1:7000", handler: ${yaml} }`)).handler).toStrictEqual(
      handler,
    );
  });

  it.each([
    ['bridge', 'servers[0].handler', 'needs a device: write { bridge: DEVICE }'],
    [
      'chat',
      'servers[0].handler',
      '"chat" is not a handler: use echo, hub, { bridge: DEVICE }, { record: DIR } or { decode: PROFILE, bank: BANK }',
    ],
    ['{ echo: true }', 'servers[0].handler', 'a mapping with echo is not a handler: write handler: echo'],
    [
      '{ decode: profile1, bank: b }',
      'servers[0].handler.decode',
      'profile "profile1": cannot read the profile: no such profile file (' +
        fileURLToPath(new URL('../../hardware/profiles/profile1.yaml', import.meta.url)) +
        '; shipped profiles: camera-trigger, fpga-telemetry, omron-nj-press)',
    ],
    ['{ bridge: cam, reply: first }', 'servers[0].handler.reply', '"first" is not one of all, sender'],
    [
      '{ bridge: nowhere }',
      'servers[0].handler.bridge',
      'device "nowhere" is not defined under devices (defined: cam, rtu)',
    ],
    [
      '{ bridge: rtu }',
      'servers[0].handler.bridge',
      'device "rtu" is a modbus-rtu device: a bridge talks to a raw device (type tcp or serial); route Modbus unit ids to it from a modbus server instead',
    ],
    ['{ record: logs, maxFileSize: 10 }', 'servers[0].handler.maxFileSize', '10 is too small: at least 1024 bytes'],
  ])('a bad handler %s', (yaml, key, message) => {
    expect(problems(one(`{ name: r, protocol: raw, listen: "127.0.0.1:7000", handler: ${yaml} }`))).toEqual([
      [key, message],
    ]);
  });

  it('a handler is required, and reported at the item', () => {
    const text = one('{ name: r, protocol: raw, listen: "127.0.0.1:7000" }');
    expect(issuesOf(load(text))).toEqual([
      {
        key: 'servers[0].handler',
        file: 'test.yaml',
        ...at(text, '- ^{ name: r, protocol: raw'),
        message:
          'is required: what is done with each frame: echo | hub | { bridge: DEVICE, reply: all | sender } | { record: DIR }',
      },
    ]);
  });

  it('a raw pool takes clients but no unit maps; a range gives plain ports', () => {
    const pool = rawOf(one('{ name: r, protocol: raw, listen: 0.0.0.0, handler: hub, ports: "7001-7003" }'));
    expect(pool.ports).toEqual([{ port: 7001 }, { port: 7002 }, { port: 7003 }]);
    expect(pool.port).toBeUndefined();
    const text = one(
      '{ name: r, protocol: raw, listen: 0.0.0.0, handler: hub, ports: { 7001: { client: 10.0.0.2, units: { 1: { bank: b } } } } }',
    );
    expect(problems(text)).toEqual([
      [
        'servers[0].ports.7001.units',
        "units only apply to modbus servers: a raw server's pool port takes client: only",
      ],
    ]);
  });

  it('a pool of more ports than the default maxClients can hold a session on each; an explicit limit stays', () => {
    expect(rawOf(one('{ name: r, protocol: raw, listen: 0.0.0.0, handler: hub, ports: "7001-7040" }')).maxClients).toBe(
      40,
    );
    expect(rawOf(one('{ name: r, protocol: raw, listen: 0.0.0.0, handler: hub, ports: "7001-7004" }')).maxClients).toBe(
      32,
    );
    expect(
      rawOf(one('{ name: r, protocol: raw, listen: 0.0.0.0, handler: hub, ports: "7001-7040", maxClients: 8 }'))
        .maxClients,
    ).toBe(8);
  });

  it('sendQueue takes sizes', () => {
    expect(
      rawOf(one('{ name: r, protocol: raw, listen: "127.0.0.1:1", handler: echo, sendQueue: 64KiB }')).sendQueue,
    ).toBe(65536);
    expect(problems(one('{ name: r, protocol: raw, listen: "127.0.0.1:1", handler: echo, sendQueue: 100 }'))).toEqual([
      ['servers[0].sendQueue', '100 is too small: at least 1024 bytes'],
    ]);
  });
});

describe('fieldgate check output', () => {
  it('prints raw servers with their framing and handler, and each pool as its allocation table', () => {
    const text = `banks:
  press1: { holding: 10 }
  press2: { holding: 10 }
devices:
  - { name: cam, type: tcp, host: 10.0.0.5, port: 3000, framing: { type: line, delimiter: "\\r\\n" } }
servers:
  - name: presses
    protocol: modbus
    listen: 0.0.0.0
    bank: press1
    ports:
      9601: { client: 192.168.250.11, units: { 1: { bank: press1 } } }
      9602: { client: 192.168.250.12, units: { 1: { bank: press2 } } }
      9603: {}
  - { name: trigger, protocol: raw, listen: "0.0.0.0:7100", framing: { type: line, delimiter: "\\r\\n" }, handler: { bridge: cam, reply: sender } }
  - { name: fpga, protocol: raw, listen: 0.0.0.0, ports: "7001-7002", onBusy: reject, framing: { type: length, size: 2 }, handler: echo }
`;
    const out = describeConfig(configOf(load(text)));
    expect(out).toContain(
      [
        '  presses: modbus on 0.0.0.0 ports 9601, 9602, 9603',
        '    maxClients 32, idleTimeout 60s, allow everyone',
        '    every unit id not listed -> bank press1',
        '    port pool (one session per port, onBusy replace-same-client):',
        '      port  client          units',
        '      9601  192.168.250.11  1 -> bank press1',
        '      9602  192.168.250.12  1 -> bank press2',
        "      9603  any allowed     the server's",
      ].join('\n'),
    );
    expect(out).toContain(
      [
        '  trigger: raw on 0.0.0.0:7100',
        '    maxClients 32, idleTimeout 60s, allow everyone, sendQueue 1MiB',
        '    framing line, delimiter "\\r\\n", max 4096 bytes',
        '    handler bridge to device cam, device frames to the last sender',
      ].join('\n'),
    );
    expect(out).toContain(
      [
        '    framing length, 2-byte big-endian prefix counting the payload, max 65536 bytes',
        '    handler echo',
        '    port pool (one session per port, onBusy reject):',
        '      port  client',
        '      7001  any allowed',
        '      7002  any allowed',
      ].join('\n'),
    );
    expect(out).toContain(
      '  cam: tcp to 10.0.0.5:3000, connectTimeout 5s, keepAlive 30s, framing line, delimiter "\\r\\n", max 4096 bytes',
    );
  });
});
