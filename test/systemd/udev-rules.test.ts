/**
 * hardware/udev/99-fieldgate-serial.rules is well-formed udev syntax, and the names it makes are the documented ones.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const read = (path: string) => readFileSync(fileURLToPath(new URL(`../../${path}`, import.meta.url)), 'utf8');
const RULES = read('hardware/udev/99-fieldgate-serial.rules');
const README = read('hardware/README.md');

const KEYS = new Set([
  'ACTION',
  'SUBSYSTEM',
  'KERNEL',
  'KERNELS',
  'DRIVER',
  'DRIVERS',
  'ATTR',
  'ATTRS',
  'ENV',
  'SYMLINK',
  'GROUP',
  'MODE',
  'OWNER',
]);
const ASSIGNABLE = new Set(['ATTR', 'ENV', 'SYMLINK', 'GROUP', 'MODE', 'OWNER']);
const PAIR = /^([A-Z_]+)(\{[A-Za-z0-9_/]+\})?(==|!=|\+=|:=|=)"([^"]*)"$/;

const rules = RULES.split('\n')
  .map((line, i) => ({ line, n: i + 1 }))
  .filter(({ line }) => line.trim() !== '' && !line.startsWith('#'));

describe('udev rules', () => {
  it('every rule is key/operator/"value" pairs: matches first, then assignments', () => {
    expect(rules.length).toBeGreaterThanOrEqual(5);
    for (const { line, n } of rules) {
      const pairs = line.split(', ').map((p) => PAIR.exec(p));
      expect(
        pairs.every((p) => p !== null),
        `line ${n}: ${line}`,
      ).toBe(true);
      const parsed = pairs.map((p) => ({ key: p![1]!, op: p![3]! }));
      for (const { key, op } of parsed) {
        expect(KEYS.has(key), `line ${n}: unknown key ${key}`).toBe(true);
        if (op !== '==' && op !== '!=') expect(ASSIGNABLE.has(key), `line ${n}: ${key} cannot be assigned`).toBe(true);
      }
      const firstAssign = parsed.findIndex((p) => p.op !== '==' && p.op !== '!=');
      expect(firstAssign, `line ${n}: needs a match and an assignment`).toBeGreaterThan(0);
      expect(
        parsed.slice(firstAssign).every((p) => p.op !== '==' && p.op !== '!='),
        `line ${n}: a match after an assignment`,
      ).toBe(true);
    }
  });

  it('ports stay in the dialout group, and the names it makes are the ones the README uses', () => {
    const names = [...RULES.matchAll(/SYMLINK\+="([^"]+)"/g)].map((m) => m[1]);
    expect(names).toContain('fieldgate-rs485-line1');
    expect(README).toContain('/dev/fieldgate-rs485-line1');
    for (const { line } of rules.filter(({ line }) => line.includes('SYMLINK')))
      expect(line).toContain('GROUP="dialout", MODE="0660"');
  });
});
