import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigFile } from '../../src/config/config-file.js';
import { formatIssue, loadConfigFile, loadConfigFileAsync } from '../../src/config/load.js';
import { MAX_FILE_BYTES } from '../../src/config/read-file.js';
import { at, issuesOf, load } from './helpers.js';

describe('YAML syntax errors and unreadable files', () => {
  it('reports a syntax error with its position instead of throwing', () => {
    const text = 'servers:\n  - name: a\n    listen: 127.0.0.1: 1502\n';
    expect(issuesOf(load(text))).toEqual([
      {
        key: '',
        file: 'test.yaml',
        ...at(text, 'listen: ^127.0.0.1: 1502'),
        message: 'YAML syntax error: Nested mappings are not allowed in compact mappings',
      },
    ]);
  });

  it('reports a tab used as indentation at its line', () => {
    const text = 'gateway:\n  name: a\n\tlog: x\n';
    expect(issuesOf(load(text))).toEqual([
      {
        key: '',
        file: 'test.yaml',
        line: 3,
        col: 1,
        message: 'YAML syntax error: Tabs are not allowed as indentation',
      },
    ]);
  });

  it('reports an unclosed quote where YAML notices it: at the end of the file', () => {
    const text = 'servers:\n  - name: a\n    listen: "127.0.0.1:1502\n';
    expect(issuesOf(load(text))).toEqual([
      { key: '', file: 'test.yaml', line: 4, col: 1, message: 'YAML syntax error: Missing closing "quote' },
    ]);
  });

  it('reports a duplicate key at the second one', () => {
    const text = 'gateway:\n  name: a\n  name: b\n';
    expect(issuesOf(load(text))).toEqual([
      { key: '', file: 'test.yaml', ...at(text, '^name: b'), message: 'YAML syntax error: Map keys must be unique' },
    ]);
  });

  it('reports an empty file and a file that is not a mapping', () => {
    expect(issuesOf(load('# nothing yet\n'))[0]?.message).toBe(
      'the file is empty: expected a mapping of sections (gateway, log, status, banks, servers, devices)',
    );
    expect(issuesOf(load('- a\n- b\n'))[0]).toMatchObject({
      line: 1,
      col: 1,
      message: expect.stringMatching(/^the file holds a list: expected a mapping/),
    });
  });

  it('reports a missing file, a directory and other read errors as issues without a position', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldgate-config-'));
    const missing = join(dir, 'nope.yaml');
    expect(issuesOf(loadConfigFile(missing))).toEqual([
      { key: '', file: missing, line: 0, col: 0, message: 'cannot read the configuration file: no such file' },
    ]);
    mkdirSync(join(dir, 'sub'));
    expect(issuesOf(loadConfigFile(join(dir, 'sub')))[0]?.message).toBe(
      'cannot read the configuration file: it is a directory, not a file',
    );
  });

  it('names the file as given in issues read from disk', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldgate-config-'));
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, 'log:\n  level: loud\n');
    expect(issuesOf(loadConfigFile(path)).map(formatIssue)).toEqual([
      `${path}:2:10: log.level: "loud" is not one of fatal, error, warn, info, debug, trace`,
    ]);
  });
});

describe('files that are not regular files, or too large (start and reload read them)', () => {
  const YAML =
    'banks: { b: { holding: 1 } }\nservers: [ { name: s, protocol: modbus, listen: "127.0.0.1:0", bank: b } ]\n';
  const dir = () => mkdtempSync(join(tmpdir(), 'fieldgate-config-'));
  const fifoIn = (d: string, name: string) => {
    const path = join(d, name);
    execFileSync('mkfifo', [path]);
    return path;
  };
  /** Every way the daemon and `fieldgate check` read a config file. */
  const everyLoader = async (path: string) => [
    loadConfigFile(path),
    await loadConfigFileAsync(path),
    new ConfigFile(path).load(),
    await new ConfigFile(path).loadAsync(),
  ];
  const refused = (path: string, why: string) => [
    { key: '', file: path, line: 0, col: 0, message: `cannot read the configuration file: ${why}` },
  ];

  it('a FIFO is refused at once, without waiting for a writer', async () => {
    const fifo = fifoIn(dir(), 'fg.yaml');
    for (const result of await everyLoader(fifo))
      expect(issuesOf(result)).toEqual(refused(fifo, 'it is a FIFO, not a regular file'));
  });

  it('a link to /dev/zero is refused without reading from it', async () => {
    const link = join(dir(), 'fg.yaml');
    symlinkSync('/dev/zero', link);
    for (const result of await everyLoader(link))
      expect(issuesOf(result)).toEqual(refused(link, 'it is a character device, not a regular file'));
  });

  it('a file of 4 MiB is read; one byte more is refused', async () => {
    const path = join(dir(), 'fg.yaml');
    const filler = `#${'x'.repeat(MAX_FILE_BYTES - YAML.length - 2)}\n`;
    writeFileSync(path, YAML + filler);
    for (const result of await everyLoader(path)) expect(result.ok).toBe(true);
    writeFileSync(path, `${YAML}#${filler}`);
    const why = `it is larger than 4 MiB (${MAX_FILE_BYTES + 1} bytes)`;
    for (const result of await everyLoader(path)) expect(issuesOf(result)).toEqual(refused(path, why));
  });

  it('a profile that is a FIFO, a link to /dev/zero or over 4 MiB is refused at the key that names it', async () => {
    const d = dir();
    const config = join(d, 'fg.yaml');
    writeFileSync(
      config,
      `banks: { b: { holding: 1, points: [ { name: a, table: holding, address: 0 } ] } }
servers:
  - { name: fpga, protocol: raw, listen: 127.0.0.1:0, handler: { decode: ./board.yaml, bank: b } }
`,
    );
    const board = join(d, 'board.yaml');
    const profile =
      'profile: board\nframing: { type: fixed, size: 2 }\nfields:\n  - { name: a, at: 0, type: uint16 }\n';
    writeFileSync(board, profile);
    const source = new ConfigFile(config);
    expect((await source.loadAsync()).ok).toBe(true);
    const problem = (why: string) =>
      `profile "./board.yaml": cannot read the profile: ${why} (${board}; a path is relative to the config file)`;
    rmSync(board);
    execFileSync('mkfifo', [board]);
    for (const result of [...(await everyLoader(config)), await source.loadAsync()]) {
      expect(issuesOf(result).map((i) => [i.key, i.message])).toEqual([
        ['servers[0].handler.decode', problem('it is a FIFO, not a regular file')],
      ]);
    }
    rmSync(board);
    symlinkSync('/dev/zero', board);
    for (const result of [...(await everyLoader(config)), await source.loadAsync()]) {
      expect(issuesOf(result).map((i) => i.message)).toEqual([problem('it is a character device, not a regular file')]);
    }
    rmSync(board);
    writeFileSync(board, `${profile}#${'x'.repeat(MAX_FILE_BYTES)}\n`);
    for (const result of [...(await everyLoader(config)), await source.loadAsync()]) {
      expect(issuesOf(result).map((i) => i.message)).toEqual([
        problem(`it is larger than 4 MiB (${MAX_FILE_BYTES + profile.length + 2} bytes)`),
      ]);
    }
    writeFileSync(board, profile);
    expect((await source.loadAsync()).ok).toBe(true);
  });
});

describe('formatIssue', () => {
  it('is FILE:LINE:COL: KEY: MESSAGE, leaving out what is unknown', () => {
    expect(formatIssue({ file: 'a.yaml', line: 3, col: 5, key: 'servers[1].listen', message: 'm' })).toBe(
      'a.yaml:3:5: servers[1].listen: m',
    );
    expect(formatIssue({ file: 'a.yaml', line: 3, col: 5, key: '', message: 'YAML syntax error: x' })).toBe(
      'a.yaml:3:5: YAML syntax error: x',
    );
    expect(formatIssue({ file: 'a.yaml', line: 0, col: 0, key: '', message: 'cannot read' })).toBe(
      'a.yaml: cannot read',
    );
  });
});
