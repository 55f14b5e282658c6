/**
 * The editor schema (config/fieldgate.schema.json), checked by ajv, a JSON Schema validator that is
 * not fieldgate's: every shipped configuration names it and follows it, and it refuses what fieldgate
 * refuses for the same reason (keys, types, ranges, choices).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SCHEMA_FILE } from '../../src/reference/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SHIPPED = [
  'config/fieldgate.yaml',
  ...readdirSync(join(ROOT, 'config/examples'))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => `config/examples/${f}`),
];

describe('the editor schema', () => {
  const schema = JSON.parse(readFileSync(join(ROOT, SCHEMA_FILE), 'utf8')) as object;
  const validate = new Ajv({ allErrors: true, allowUnionTypes: true }).compile(schema);
  const errors = (doc: unknown): string[] =>
    validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);

  it.each(SHIPPED)('%s names it near its top and follows it', (file) => {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const schemaPath = file === 'config/fieldgate.yaml' ? 'fieldgate.schema.json' : '../fieldgate.schema.json';
    expect(
      text
        .split('\n')
        .slice(0, 2)
        .some((line) =>
          new RegExp(`^#\\s+yaml-language-server: \\$schema=${schemaPath.replace(/\./g, '\\.')}$`).test(line),
        ),
    ).toBe(true);
    expect(errors(parse(text))).toEqual([]);
  });

  it('takes the walk-through of config/fieldgate.yaml switched on', () => {
    const text = readFileSync(join(ROOT, 'config/fieldgate.yaml'), 'utf8').replace(/^(\s*)# /gm, '$1');
    expect(errors(parse(text))).toEqual([]);
  });

  it.each([
    ['an unknown key', 'gateway: { nmae: x }'],
    [
      'a number that is not whole',
      'servers:\n  - { name: a, protocol: modbus, listen: "0.0.0.0:502", bank: b, maxClients: 1.5 }',
    ],
    [
      'a value out of range',
      'servers:\n  - { name: a, protocol: modbus, listen: "0.0.0.0:502", bank: b, maxInFlight: 300 }',
    ],
    ['an unknown choice', 'log: { level: verbose }'],
    [
      'a key of another protocol',
      'servers:\n  - { name: a, protocol: modbus, listen: "0.0.0.0:502", bank: b, framing: line }',
    ],
    ['a missing required key', 'devices:\n  - { name: d, type: tcp, host: 10.0.0.1 }'],
    [
      'a duration without a unit',
      'servers:\n  - { name: a, protocol: modbus, listen: "0.0.0.0:502", bank: b, idleTimeout: "5" }',
    ],
    ['a bank name with a space', 'banks: { "my bank": { holding: 1 } }'],
  ])('refuses %s', (_, text) => {
    expect(errors(parse(text)).length).toBeGreaterThan(0);
  });
});
