/** Profiles named by a config: loaded with it, checked against the banks they fill, reloaded when edited. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigFile } from '../../src/config/config-file.js';
import { loadConfigFileText } from '../../src/config/load.js';
import { at, configOf, issuesOf, load } from './helpers.js';

const POINTS = [
  'seq:uint32',
  ...[1, 2, 3, 4, 5, 6, 7, 8].map((n) => `ch${n}:int16:0.01`),
  'running:bool',
  'fault:bool',
  'overtemp:bool',
  'board_temp:int16:0.1',
];

/** A bank with the points of fpga-telemetry (holding registers, bools in coils). */
function fpgaBank(name: string, skip: string[] = []): string {
  let address = 0;
  let coil = 0;
  const items = POINTS.filter((p) => !skip.includes(p.split(':')[0] as string)).map((p) => {
    const [n, type, scale] = p.split(':') as [string, string, string | undefined];
    if (type === 'bool') return `      - { name: ${n}, table: coils, address: ${coil++}, type: bool }`;
    const item = `      - { name: ${n}, table: holding, address: ${address}, type: ${type}${scale ? `, scale: ${scale}` : ''} }`;
    address += type === 'uint32' ? 2 : 1;
    return item;
  });
  return `  ${name}:\n    holding: 100\n    coils: 16\n    points:\n${items.join('\n')}`;
}

const rawServer = (handler: string, extra = '') =>
  `  - name: fpga\n    protocol: raw\n    listen: 127.0.0.1:0\n    handler: ${handler}\n${extra}`;

describe('decode handler config', () => {
  it('loads the profile into config.profiles, by the name used', () => {
    const config = configOf(
      load(`banks:\n${fpgaBank('b')}\nservers:\n${rawServer('{ decode: fpga-telemetry, bank: b }')}`),
    );
    expect(config.servers[0]).toMatchObject({
      handler: { kind: 'decode', profile: 'fpga-telemetry', bank: 'b' },
      framing: { type: 'none' },
    });
    expect(config.profiles.get('fpga-telemetry')?.framing).toEqual({ type: 'fixed', size: 64 });
    expect(Object.isFrozen(config.profiles.get('fpga-telemetry'))).toBe(true);
  });

  it('a profile that does not exist is reported at the key that names it', () => {
    const text = `banks:\n${fpgaBank('b')}\nservers:\n${rawServer('{ decode: fpga-telemetri, bank: b }')}`;
    const [issue] = issuesOf(load(text));
    expect(issue).toMatchObject({ key: 'servers[0].handler.decode', ...at(text, 'decode: ^fpga-telemetri') });
    expect(issue?.message).toMatch(
      /^profile "fpga-telemetri": cannot read the profile: no such profile file \(.*hardware\/profiles\/fpga-telemetri\.yaml; shipped profiles: .*camera-trigger.*fpga-telemetry/,
    );
  });

  it('the bank must hold every point the profile stores into, bits in bool points', () => {
    const text = `banks:\n${fpgaBank('b', ['ch3', 'fault'])}\n  c: { holding: 10, points: [ { name: x, table: holding, address: 0 } ] }\nservers:\n${rawServer('{ decode: fpga-telemetry, bank: b }')}`;
    const [issue] = issuesOf(load(text));
    expect(issue).toMatchObject({ key: 'servers[0].handler.bank', ...at(text, 'bank: ^b }') });
    expect(issue?.message).toMatch(
      /^bank "b" has no point ch3, fault, which profile fpga-telemetry stores into \(first: field ch3, .*fpga-telemetry\.yaml:19:5\)/,
    );
    const wrongType = text.replace('fpga-telemetry, bank: b', 'fpga-telemetry, bank: nope');
    expect(issuesOf(load(wrongType))[0]?.message).toBe('bank "nope" is not defined under banks (defined: b, c)');
    const boolAsRegister = `banks:\n${fpgaBank('b').replace('{ name: running, table: coils, address: 0, type: bool }', '{ name: running, table: holding, address: 50, type: uint16 }')}\nservers:\n${rawServer('{ decode: fpga-telemetry, bank: b }')}`;
    expect(issuesOf(load(boolAsRegister))[0]?.message).toMatch(
      /^point "running" of bank "b" is a uint16 point: a bit lands in a bool point \(bit 0 of field status of profile fpga-telemetry, /,
    );
  });

  it('a profile with mistakes: its issues carry the profile file and line, and say who uses it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldgate-'));
    writeFileSync(
      join(dir, 'board.yaml'),
      'profile: board\nframing: { type: fixed, size: 2 }\nfields:\n  - { name: a, at: 1, type: uint16 }\n',
    );
    const text = `banks: { b: { holding: 1, points: [ { name: a, table: holding, address: 0 } ] } }\nservers:\n${rawServer('{ decode: board.yaml, bank: b }')}`;
    const issues = issuesOf(loadConfigFileText(text, join(dir, 'fg.yaml')));
    expect(issues.map((i) => [i.file, i.key, i.line, i.message])).toEqual([
      [
        join(dir, 'fg.yaml'),
        'servers[0].handler.decode',
        6,
        `profile "board.yaml" has 1 problem(s), listed with its file ${join(dir, 'board.yaml')}`,
      ],
      [
        join(dir, 'board.yaml'),
        'fields[0].at',
        4,
        `field a (bytes 1..2) is outside the 2-byte frame (0..1) (profile used by servers[0].handler.decode at ${join(dir, 'fg.yaml')}:6:24)`,
      ],
    ]);
  });
});

describe('pool ports give the bank', () => {
  const pool = (ports: string, handler = '{ decode: fpga-telemetry }') =>
    `banks:\n${fpgaBank('b1')}\n${fpgaBank('b2')}\nservers:\n  - name: boards\n    protocol: raw\n    listen: 127.0.0.1\n    handler: ${handler}\n    ports:\n${ports}`;

  it('each port its own bank', () => {
    const config = configOf(load(pool('      9701: { bank: b1 }\n      9702: { bank: b2, client: 127.0.0.1 }')));
    expect(config.servers[0]?.ports).toEqual([
      { port: 9701, bank: 'b1' },
      { port: 9702, client: '127.0.0.1', bank: 'b2' },
    ]);
  });

  it('a port without a bank, a range, a bank on a handler that does not decode, a Modbus port bank', () => {
    expect(issuesOf(load(pool('      9701: { bank: b1 }\n      9702: {}'))).map((i) => [i.key, i.message])).toEqual([
      [
        'servers[0].ports.9702',
        'needs bank: BANK: the decode handler has no bank of its own, so each port names the bank its frames land in',
      ],
    ]);
    expect(
      issuesOf(load(pool('      "9701-9702"').replace('ports:\n      "9701-9702"', 'ports: "9701-9702"'))).map(
        (i) => i.key,
      ),
    ).toEqual(['servers[0].ports']);
    expect(issuesOf(load(pool('      9701: { bank: b1 }', 'echo'))).map((i) => [i.key, i.message])).toEqual([
      ['servers[0].ports.9701.bank', 'only a decode handler ({ decode: PROFILE }) stores frames in a bank'],
    ]);
    expect(
      issuesOf(load(pool('      9701: { bank: b1 }', '{ decode: fpga-telemetry, bank: b2 }'))).map((i) => i.key),
    ).toEqual(['servers[0].ports.9701.bank']);
    const modbus = `banks:\n${fpgaBank('b1')}\nservers:\n  - { name: m, protocol: modbus, listen: 127.0.0.1, bank: b1, ports: { 9701: { bank: b1 } } }`;
    expect(issuesOf(load(modbus)).map((i) => [i.key, i.message])).toEqual([
      ['servers[0].ports.9701.bank', "a Modbus server's port maps unit ids: write units: { 1: { bank: NAME } }"],
    ]);
  });

  it('a decode handler on an ordinary server needs a bank', () => {
    expect(
      issuesOf(load(`banks:\n${fpgaBank('b')}\nservers:\n${rawServer('{ decode: fpga-telemetry }')}`)).map((i) => [
        i.key,
        i.message,
      ]),
    ).toEqual([['servers[0].handler', 'needs bank: BANK, the bank the decoded frames land in']]);
  });
});

describe('raw devices decode', () => {
  it('decode: { profile, bank } on tcp and serial devices', () => {
    const config = configOf(
      load(
        `banks:\n${fpgaBank('b')}\ndevices:\n  - { name: board, type: tcp, host: 127.0.0.1, port: 7000, decode: { profile: fpga-telemetry, bank: b } }\n  - { name: scope, type: serial, path: /dev/null, decode: { profile: fpga-telemetry, bank: b } }\n  - { name: plain, type: tcp, host: 127.0.0.1, port: 7001 }`,
      ),
    );
    expect(config.devices.map((d) => ('decode' in d ? d.decode : undefined))).toEqual([
      { profile: 'fpga-telemetry', bank: 'b' },
      { profile: 'fpga-telemetry', bank: 'b' },
      undefined,
    ]);
  });

  it('a missing profile or bank key, and missing points', () => {
    const text = `banks:\n${fpgaBank('b', ['seq'])}\ndevices:\n  - { name: board, type: tcp, host: 127.0.0.1, port: 7000, decode: { bank: b } }\n  - { name: b2, type: tcp, host: 127.0.0.1, port: 7001, decode: { profile: fpga-telemetry, bank: b } }`;
    expect(issuesOf(load(text)).map((i) => i.key)).toEqual(['devices[0].decode.profile', 'devices[1].decode.bank']);
  });
});

describe('reload reads profiles again', () => {
  it('an edited profile is a change even when the config bytes are the same', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldgate-'));
    const profile =
      'profile: board\nframing: { type: fixed, size: 2 }\nfields:\n  - { name: a, at: 0, type: uint16 }\n';
    writeFileSync(join(dir, 'board.yaml'), profile);
    writeFileSync(
      join(dir, 'fg.yaml'),
      `banks: { b: { holding: 1, points: [ { name: a, table: holding, address: 0 } ] } }\nservers:\n${rawServer('{ decode: ./board.yaml, bank: b }')}`,
    );
    const source = new ConfigFile(join(dir, 'fg.yaml'));
    const first = source.load();
    expect(first.ok && first.config.profiles.get('./board.yaml')?.fields[0]?.scale).toBe(1);
    expect(source.load()).toBe(first);
    writeFileSync(join(dir, 'board.yaml'), profile.replace('type: uint16', 'type: uint16, scale: 0.5'));
    const second = source.load();
    expect(second.ok && second.config.profiles.get('./board.yaml')?.fields[0]?.scale).toBe(0.5);
    writeFileSync(join(dir, 'board.yaml'), profile.replace('at: 0', 'at: 1'));
    expect(source.load().ok).toBe(false);
  });
});
