/** Profile files: the shipped ones load; every mistake in a profile is reported at once with its key and line:col. */
import { describe, expect, it } from 'vitest';
import { loadProfileFile, loadProfileText, profilePath, SHIPPED_PROFILES } from '../../src/config/profiles/index.js';
import { at } from './helpers.js';

const FILE = '/plant/profiles/board.yaml';
const issues = (text: string) => {
  const r = loadProfileText(text, FILE);
  if (r.ok) throw new Error('expected issues');
  return r.issues.map((i) => ({ key: i.key, message: i.message, line: i.line, col: i.col, file: i.file }));
};

describe('shipped profiles', () => {
  it.each(['fpga-telemetry', 'camera-trigger', 'omron-nj-press'])('%s loads, with its simulation', (name) => {
    const r = loadProfileFile(profilePath(name, '/anywhere'));
    if (!r.ok) throw new Error(r.issues.map((i) => `${i.line}:${i.col} ${i.key} ${i.message}`).join('\n'));
    expect(r.profile.name).toBe(name);
    expect(r.profile.file).toBe(`${SHIPPED_PROFILES}${name}.yaml`);
    expect(r.profile.simulate?.values.size).toBeGreaterThan(0);
  });

  it('fpga-telemetry: 64-byte frames, sync A55A, CRC at the end, status bits into bool points', () => {
    const r = loadProfileFile(profilePath('fpga-telemetry', '/'));
    if (!r.ok) throw new Error('not loaded');
    const p = r.profile;
    expect([p.framing, p.sync?.toString('hex'), p.minLength, p.checksum]).toEqual([
      { type: 'fixed', size: 64 },
      'a55a',
      64,
      { type: 'crc16-modbus', at: -2, endian: 'little', from: 0, to: -2 },
    ]);
    const status = p.fields.find((f) => f.name === 'status');
    expect([status?.point, [...(status?.bits ?? [])]]).toEqual([
      undefined,
      [
        [0, 'running'],
        [1, 'fault'],
        [2, 'overtemp'],
      ],
    ]);
    expect(p.fields.find((f) => f.name === 'ch1')).toMatchObject({ point: 'ch1', scale: 0.01, endian: 'big' });
  });
});

describe('where profiles are found', () => {
  it('a plain name is shipped with fieldgate; a path is relative to the config file', () => {
    expect(profilePath('fpga-telemetry', '/etc/fieldgate')).toBe(`${SHIPPED_PROFILES}fpga-telemetry.yaml`);
    expect(profilePath('profiles/board.yaml', '/etc/fieldgate')).toBe('/etc/fieldgate/profiles/board.yaml');
    expect(profilePath('board.yml', '/etc/fieldgate')).toBe('/etc/fieldgate/board.yml');
    expect(profilePath('/opt/p/board.yaml', '/etc/fieldgate')).toBe('/opt/p/board.yaml');
  });

  it('a file that cannot be read is an issue naming it', () => {
    expect(loadProfileFile('/nonexistent/x.yaml')).toEqual({
      ok: false,
      issues: [
        {
          key: '',
          message: 'cannot read the profile: no such profile file',
          file: '/nonexistent/x.yaml',
          line: 0,
          col: 0,
        },
      ],
    });
  });
});

describe('profile mistakes, all at once, with line:col in the profile', () => {
  const text = `profile: board
format: binary
framing: { type: fixed, size: 16 }
sync: { at: 15, hex: "A55A" }
checksum: { type: crc16-modbus, at: 14, from: 0, to: 20 }
colour: blue
fields:
  - { name: a, at: 0, type: uint32 }
  - { name: b, at: 2, type: uint16 }
  - { name: c, at: 12, type: uint16, bits: { 16: x } }
  - { name: d, at: 0, type: int64 }
simulate: { role: stream, values: { nope: 1 } }
`;

  it('are each named by key and position', () => {
    expect(issues(text)).toEqual([
      {
        key: 'sync.at',
        file: FILE,
        ...at(text, 'sync: { at: ^15'),
        message: 'the sync bytes (bytes 15..16) is outside the 16-byte frame (0..15)',
      },
      {
        key: 'checksum.to',
        file: FILE,
        ...at(text, 'to: ^20'),
        message: 'the checksum covers bytes [0, 20): that is no bytes of the 16-byte frame (from must come before to)',
      },
      {
        key: 'colour',
        file: FILE,
        ...at(text, '^colour'),
        message:
          'unknown key; allowed here: profile, description, format, framing, sync, checksum, separator, table, fields, simulate',
      },
      {
        key: 'fields[1].at',
        file: FILE,
        ...at(text, 'b, at: ^2'),
        message: 'field b (bytes 2..3) overlaps field a (bytes 0..3)',
      },
      {
        key: 'fields[2].bits.16',
        file: FILE,
        ...at(text, 'bits: { ^16'),
        message: 'bit 16 is past the 16 bits of a uint16 (0..15)',
      },
      {
        key: 'fields[3].type',
        file: FILE,
        ...at(text, 'type: ^int64'),
        message: '"int64" is not one of uint8, int8, uint16, int16, uint32, int32, float32, float64, string',
      },
    ]);
  });

  it("a field past a fixed frame, unknown simulated names, a name that is not the file's", () => {
    const t = `profile: other
framing: { type: fixed, size: 4 }
fields:
  - { name: a, at: 2, type: uint32 }
simulate: { role: stream, values: { nope: 1 } }
`;
    expect(issues(t).map((i) => [i.key, i.message, i.line])).toEqual([
      ['profile', '"other" is not the file\'s name: a profile in board.yaml is called board', 1],
      ['fields[0].at', 'field a (bytes 2..5) is outside the 4-byte frame (0..3)', 4],
      ['simulate.values.nope', '"nope" is not a field (or bit) of this profile: a', 5],
    ]);
  });

  it('text and register rules: enums need values, registers have no framing, strings need a length', () => {
    const t = `profile: board
format: registers
framing: { type: fixed, size: 4 }
fields:
  - { name: a, at: 0, type: string }
  - { name: b, at: 0, type: uint16 }
`;
    expect(issues(t).map((i) => [i.key, i.message])).toEqual([
      ['framing', 'a registers profile has no framing: a PLC writes the registers with Modbus'],
      ['fields[0]', 'is a string field: give length: REGISTERS'],
    ]);
    const e = `profile: board
format: text
framing: { type: line }
fields:
  - { name: s, at: 0, type: enum }
  - { name: s, at: 1, type: number, values: { A: 1 } }
`;
    expect(issues(e).map((i) => [i.key, i.message])).toEqual([
      ['fields[0]', 'is an enum field: give values: { WORD: NUMBER, ... }'],
      ['fields[1].values', 'only enum fields have values (this one is number)'],
    ]);
  });

  it('a YAML syntax error and an empty file', () => {
    expect(issues('profile: [board\n')[0]?.message).toMatch(/^YAML syntax error/);
    expect(issues('')[0]?.message).toBe('the file is empty: expected a profile: profile, format, framing, fields, ...');
  });
});

describe("a typo does not hide the layout's problems: one pass reports them all", () => {
  it("a `typ:` typo and fields past the frame's end, each at its own file:line:col", () => {
    const t = `profile: board
framing: { type: fixed, size: 16 }
fields:
  - { name: a, at: 0, typ: uint16 }
  - { name: b, at: 20, type: uint16 }
  - { name: c, at: 30, typ: uint8 }
`;
    expect(issues(t)).toEqual([
      {
        key: 'fields[0].type',
        file: FILE,
        ...at(t, '^{ name: a'),
        message: 'is required: type: uint8 | int8 | uint16 | int16 | uint32 | int32 | float32 | float64 | string',
      },
      {
        key: 'fields[0].typ',
        file: FILE,
        ...at(t, '^typ: uint16'),
        message:
          'unknown key (did you mean type?); allowed here: name, at, type, scale, offset, point, bits, endian, length',
      },
      {
        key: 'fields[1].at',
        file: FILE,
        ...at(t, 'b, at: ^20'),
        message: 'field b (bytes 20..21) is outside the 16-byte frame (0..15)',
      },
      {
        key: 'fields[2].type',
        file: FILE,
        ...at(t, '^{ name: c'),
        message: 'is required: type: uint8 | int8 | uint16 | int16 | uint32 | int32 | float32 | float64 | string',
      },
      {
        key: 'fields[2].at',
        file: FILE,
        ...at(t, 'c, at: ^30'),
        message: 'field c (from byte 30) is outside the 16-byte frame (0..15)',
      },
      {
        key: 'fields[2].typ',
        file: FILE,
        ...at(t, '^typ: uint8'),
        message:
          'unknown key (did you mean type?); allowed here: name, at, type, scale, offset, point, bits, endian, length',
      },
    ]);
  });

  it('a typo in framing: the fields are still checked against the size it gives', () => {
    const t = `profile: board
framing: { typ: fixed, size: 16 }
fields:
  - { name: a, at: 0, type: uint16 }
  - { name: b, at: 20, type: uint16 }
`;
    expect(issues(t).map((i) => [i.key, i.message, i.line, i.col])).toEqual([
      ['framing.type', 'needs a type: none, line, length, fixed', 2, at(t, 'framing: ^{').col],
      ['fields[1].at', 'field b (bytes 20..21) is outside the 16-byte frame (0..15)', 5, at(t, 'b, at: ^20').col],
    ]);
  });
});
