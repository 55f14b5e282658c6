import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatIssue, loadConfigFile } from '../../src/config/load.js';
import { at, issuesOf, load } from './helpers.js';

describe('YAML syntax errors and unreadable files', () => {
  it('reports a syntax error with its position instead of throwing', () => {
    const text = 'servers:\n  - name: a\n    listen: 127.0.0.1: 1502\n';
    expect(issuesOf(load(text))).toEqual([{
      key: '', file: 'test.yaml', ...at(text, 'listen: ^127.0.0.1: 1502'),
      message: 'YAML syntax error: Nested mappings are not allowed in compact mappings',
    }]);
  });

  it('reports a tab used as indentation at its line', () => {
    const text = 'gateway:\n  name: a\n\tlog: x\n';
    expect(issuesOf(load(text))).toEqual([
      { key: '', file: 'test.yaml', line: 3, col: 1, message: 'YAML syntax error: Tabs are not allowed as indentation' },
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
      'the file is empty: expected a mapping of sections (gateway, log, status, banks, servers, devices)');
    expect(issuesOf(load('- a\n- b\n'))[0]).toMatchObject({ line: 1, col: 1, message: expect.stringMatching(/^the file holds a list: expected a mapping/) });
  });

  it('reports a missing file, a directory and other read errors as issues without a position', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fieldgate-config-'));
    const missing = join(dir, 'nope.yaml');
    expect(issuesOf(loadConfigFile(missing))).toEqual([
      { key: '', file: missing, line: 0, col: 0, message: 'cannot read the configuration file: no such file' },
    ]);
    mkdirSync(join(dir, 'sub'));
    expect(issuesOf(loadConfigFile(join(dir, 'sub')))[0]?.message).toBe('cannot read the configuration file: it is a directory, not a file');
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

describe('formatIssue', () => {
  it('is FILE:LINE:COL: KEY: MESSAGE, leaving out what is unknown', () => {
    expect(formatIssue({ file: 'a.yaml', line: 3, col: 5, key: 'servers[1].listen', message: 'm' })).toBe('a.yaml:3:5: servers[1].listen: m');
    expect(formatIssue({ file: 'a.yaml', line: 3, col: 5, key: '', message: 'YAML syntax error: x' })).toBe('a.yaml:3:5: YAML syntax error: x');
    expect(formatIssue({ file: 'a.yaml', line: 0, col: 0, key: '', message: 'cannot read' })).toBe('a.yaml: cannot read');
  });
});
