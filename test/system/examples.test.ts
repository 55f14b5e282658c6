/**
 * Every shipped configuration passes `fieldgate check` (the built command, as a user runs it):
 * each file in config/examples/, the live default, and the live default with every switched-off
 * setting of its walk-through switched on at once (lines `# ...` uncommented; `## ...` is prose).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCommand, tempFile } from '../helpers/daemon.js';

const CONFIG = fileURLToPath(new URL('../../config/', import.meta.url));
const EXAMPLES = join(CONFIG, 'examples');
const examples = readdirSync(EXAMPLES)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();

/** The walk-through switched on: `  # key: v` -> `  key: v`; `## prose` stays a comment. */
function switchOn(text: string): string {
  return text.replace(/^(\s*)# /gm, '$1');
}

async function expectValid(file: string): Promise<string> {
  const r = await runCommand(['check', '-c', file]);
  expect(r.code, `${file}:\n${r.stderr}`).toBe(0);
  expect(r.stdout).toContain(': valid');
  return r.stdout;
}

describe('shipped configurations', () => {
  it('config/examples holds the six site examples', () => {
    expect(examples).toEqual([
      'camera-trigger.yaml',
      'fpga-decoded.yaml',
      'modbus-security.yaml',
      'omron-pool.yaml',
      'rs485-gateway.yaml',
      'sparkplug-fleet.yaml',
    ]);
  });

  it.each(examples)('config/examples/%s passes fieldgate check and says how to try it', async (name) => {
    const text = readFileSync(join(EXAMPLES, name), 'utf8');
    expect(text.split('\n')[0]).toMatch(/^## \S/); // it starts by saying what it is for
    expect(text).toMatch(/Try it on one machine/);
    await expectValid(join(EXAMPLES, name));
  });

  it('config/fieldgate.yaml passes, and so does its walk-through switched on', async () => {
    const out = await expectValid(join(CONFIG, 'fieldgate.yaml'));
    expect(out).toContain('demo-sim: simulator');
    const text = readFileSync(join(CONFIG, 'fieldgate.yaml'), 'utf8');
    const on = switchOn(text);
    expect(on).not.toBe(text);
    const all = await expectValid(tempFile('fieldgate-all.yaml', on));
    for (const name of ['fpga', 'console', 'presses', 'scada', 'rs485', 'camera']) expect(all).toContain(`  ${name}: `);
  });
});
