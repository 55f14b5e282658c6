import { describe, expect, it } from 'vitest';
import { at, configOf, issueAt, issuesOf, load } from './helpers.js';
import { VISION_POINTS } from '../helpers/vision.js';

const BASE = `banks:
  vision:
    coils: 8
    holding: 20
    input: 4
    points:
${VISION_POINTS}      - { name: temp, table: holding, address: 8, type: uint16, offset: 100 }
      - { name: sensor, table: input, address: 0, type: uint16 }
devices:
  - { name: camera, type: tcp, host: 127.0.0.1, port: 3000, framing: { type: line, delimiter: "\\r\\n" } }
  - { name: plc, type: modbus-tcp, host: 127.0.0.1, port: 1502 }
`;

const messages = (text: string) => issuesOf(load(text)).map((i) => `${i.key}: ${i.message}`);

describe('commands: valid', () => {
  it('loads a text command with defaults (on: rising for a bool point, no reply, no reset)', () => {
    const config = configOf(
      load(`${BASE}commands:
  - { name: capture, bank: vision, point: trigger, device: camera, frame: "T{program}\\r\\n" }
`),
    );
    expect(config.commands).toEqual([
      {
        name: 'capture',
        bank: 'vision',
        point: 'trigger',
        on: 'rising',
        device: 'camera',
        frame: { kind: 'text', template: 'T{program}\r\n' },
        reset: false,
      },
    ]);
  });

  it('loads a binary frame, a register point (on: change by default), reset', () => {
    const config = configOf(
      load(`${BASE}commands:
  - name: select
    bank: vision
    point: program
    device: camera
    frame: [ { type: uint8, value: 0x02 }, { type: uint16, value: "{value}", endian: little }, { type: float32, value: "{result}" }, { type: int8, value: -1 } ]
    reset: true
`),
    );
    expect(config.commands[0]).toEqual({
      name: 'select',
      bank: 'vision',
      point: 'program',
      on: 'change',
      device: 'camera',
      reset: true,
      frame: {
        kind: 'binary',
        fields: [
          { type: 'uint8', endian: 'big', value: 2 },
          { type: 'uint16', endian: 'little', value: 'value' },
          { type: 'float32', endian: 'big', value: { point: 'result' } },
          { type: 'int8', endian: 'big', value: -1 },
        ],
      },
    });
  });

  it('loads constant bytes and checksums in a binary frame', () => {
    const config = configOf(
      load(`${BASE}commands:
  - name: move
    bank: vision
    point: program
    device: camera
    frame:
      - { hex: "01 06" }
      - { type: uint16, value: "{value}" }
      - { checksum: crc16-modbus }
      - { checksum: sum8, from: 2, endian: big }
      - { hex: "03" }
`),
    );
    expect(config.commands[0]?.frame).toEqual({
      kind: 'binary',
      fields: [
        { hex: Buffer.from([0x01, 0x06]) },
        { type: 'uint16', endian: 'big', value: 'value' },
        { checksum: 'crc16-modbus', from: 0, endian: 'little' },
        { checksum: 'sum8', from: 2, endian: 'big' },
        { hex: Buffer.from([0x03]) },
      ],
    });
  });

  it('takes on: write and a literal brace', () => {
    const config = configOf(
      load(`${BASE}commands:
  - { name: json, bank: vision, point: program, on: write, device: camera, frame: "{{\\"p\\":{value}}}\\n" }
`),
    );
    expect(config.commands[0]?.on).toBe('write');
    expect(config.commands[0]?.frame).toEqual({ kind: 'text', template: '{{"p":{value}}}\n' });
  });
});

describe('commands: every mistake, with its key and position', () => {
  it('names the key and line:col of each problem', () => {
    const text = `${BASE}commands:
  - { name: a, bank: nobank, point: trigger, device: camera, frame: "T" }
  - { name: b, bank: vision, point: nopoint, device: camera, frame: "T" }
  - { name: c, bank: vision, point: trigger, device: nodev, frame: "T" }
  - { name: d, bank: vision, point: trigger, device: plc, frame: "T" }
  - { name: e, bank: vision, point: trigger, device: camera, frame: "T{missing}" }
  - { name: f, bank: vision, point: trigger, device: camera, frame: "T{value" }
  - { name: g, bank: vision, point: trigger, device: camera, frame: [ { type: uint8, value: 300 }, { type: uint24, value: 1 }, { type: uint16, value: "{code}" }, { type: uint16, value: 1.5 } ] }
  - { name: h, bank: vision, point: code, device: camera, frame: "T", reset: true }
  - { name: i, bank: vision, point: temp, device: camera, frame: "T", reset: true }
  - { name: j, bank: vision, point: sensor, device: camera, frame: "T" }
  - { name: a, bank: vision, point: code, on: rising, device: camera, frame: "T" }
  - { name: k, bank: vision, point: trigger, device: camera, frame: "T", reply: { timeout: 1s }, colour: red }
  - { name: l, bank: vision, point: trigger, device: camera, frame: 42 }
  - { name: m, bank: vision, point: code, device: camera, frame: [ { type: uint16, value: "{value}" } ] }
`;
    const found = messages(text);
    expect(found).toEqual(
      expect.arrayContaining([
        'commands[0].bank: bank "nobank" is not defined under banks',
        'commands[1].point: bank "vision" has no point "nopoint" (its points: trigger, program, status, result, code, temp, sensor)',
        'commands[2].device: device "nodev" is not defined under devices',
        'commands[3].device: device "plc" is a modbus-tcp device: a command sends its frame to a raw device (type tcp or serial)',
        'commands[4].frame: {missing} is neither {value} nor a point of bank "vision"',
        'commands[5].frame: the "{" at character 2 is not closed: write {value} or {POINT}, and {{ for a literal brace',
        'commands[6].frame[0].value: 300 is outside uint8 (0..255)',
        'commands[6].frame[1].type: "uint24" is not one of uint8, int8, uint16, int16, uint32, int32, float32, float64',
        'commands[6].frame[2].value: {code} is a string point: a binary field takes a number',
        'commands[6].frame[3].value: 1.5 is not a whole number: a uint16 field holds integers',
        'commands[7].reset: "code" cannot be set back to 0: it is a string point',
        'commands[8].reset: "temp" cannot be set back to 0: with offset 100 and scale 1, 0 is outside uint16',
        'commands[9].point: "sensor" is in input, which Modbus clients cannot write: a command\'s point must be in holding or coils',
        'commands[10].on: rising needs a number or bool point; "code" is a string: use change or write',
        'commands[11].reply: needs profile: NAME, the layout the reply is decoded with',
        'commands[13].frame[0].value: {value} is the written value of "code", a string point: a binary field takes a number',
        'commands[12].frame: 42 is not a frame: write a text template in double quotes ("T{value}\\r\\n") or a list of parts ([{ type: uint8, value: 0x02 }, { hex: "41 42" }, { checksum: sum8 }, ...])',
      ]),
    );
    const first = at(text, '- { ^name: a,').line;
    expect(found).toContain(
      `commands[10].name: "a" is already the name of commands[0] (line ${first}): command names must be unique`,
    );
    expect(found.find((m) => m.startsWith('commands[11].colour'))).toMatch(/colour/);
    const issues = issuesOf(load(text));
    expect(issueAt(issues, 'commands[0].bank')).toMatchObject(at(text, 'bank: ^nobank'));
    expect(issueAt(issues, 'commands[6].frame[0].value')).toMatchObject(at(text, 'value: ^300'));
    expect(issueAt(issues, 'commands[3].device')).toMatchObject(at(text, 'device: ^plc, frame'));
  });

  it('refuses bad hex bytes and checksums that cover nothing, at their keys', () => {
    const text = `${BASE}commands:
  - name: p
    bank: vision
    point: program
    device: camera
    frame:
      - { checksum: sum8 }
      - { hex: "0G" }
      - { hex: 0241 }
      - { hex: "02", type: uint8 }
      - { type: uint8, value: 1 }
      - { checksum: crc8 }
      - { checksum: xor8, from: 1 }
`;
    const found = messages(text);
    expect(found).toEqual(
      expect.arrayContaining([
        'commands[0].frame[0]: a checksum covers the bytes before it: it cannot be the first part',
        'commands[0].frame[1].hex: "0G" is not hex bytes: write pairs of hex digits in quotes, e.g. "02 41"',
        'commands[0].frame[2].hex: 241 is not hex bytes: write pairs of hex digits in quotes, e.g. "02 41" (without quotes, YAML reads the digits as a number)',
        'commands[0].frame[5].checksum: "crc8" is not one of crc16-modbus, crc32, sum8, xor8',
        'commands[0].frame[6].from: the checksum is at byte 1: it covers the bytes before it, so from must be below 1',
      ]),
    );
    expect(found.find((m) => m.startsWith('commands[0].frame[3].type'))).toMatch(/type/);
    expect(issueAt(issuesOf(load(text)), 'commands[0].frame[1].hex')).toMatchObject(at(text, 'hex: ^"0G"'));
  });

  it('refuses a template character that is not one byte, and an empty frame', () => {
    const found = messages(`${BASE}commands:
  - { name: a, bank: vision, point: trigger, device: camera, frame: "T→" }
  - { name: b, bank: vision, point: trigger, device: camera, frame: "" }
  - { name: c, bank: vision, point: trigger, device: camera, frame: [] }
`);
    expect(found).toEqual(
      expect.arrayContaining([
        'commands[0].frame: "→" is not one byte: a text frame holds latin1 characters only (write bytes as "\\xNN")',
        'commands[1].frame: is empty: a command must send something',
      ]),
    );
    expect(found.some((m) => m.startsWith('commands[2].frame: a list is not a frame'))).toBe(true);
  });

  it('says what a command is when the item is not a mapping, and names a missing key', () => {
    const found = messages(`${BASE}commands:
  - capture
  - { name: b, bank: vision, point: trigger, frame: "T" }
`);
    expect(found).toEqual(
      expect.arrayContaining([
        'commands[0]: "capture" is not a command: write { name: N, bank: B, point: P, device: D, frame: "..." }',
      ]),
    );
    expect(found.some((m) => m.startsWith('commands[1].device: is required'))).toBe(true);
  });
});

describe('commands: reply profiles', () => {
  it('loads the reply profile into config.profiles', () => {
    const config = configOf(
      load(`${BASE}commands:
  - { name: capture, bank: vision, point: trigger, device: camera, frame: "T{program}\\r\\n", reply: { profile: camera-trigger, timeout: 500ms }, reset: true }
`),
    );
    expect(config.commands[0]?.reply).toEqual({ profile: 'camera-trigger', timeout: 500 });
    expect(config.profiles.get('camera-trigger')?.format).toBe('text');
  });

  it('names a reply profile that does not exist at its key', () => {
    const text = `${BASE}commands:
  - { name: capture, bank: vision, point: trigger, device: camera, frame: "T", reply: { profile: no-such-camera } }
`;
    const issue = issueAt(issuesOf(load(text)), 'commands[0].reply.profile');
    expect(issue).toMatchObject(at(text, 'profile: ^no-such-camera'));
    expect(issue.message).toMatch(/no-such-camera/);
  });
});
