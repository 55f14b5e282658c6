import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigFile } from '../../src/config/config-file.js';
import { tempFile } from '../helpers/daemon.js';

const YAML = `banks: { b: { holding: 1 } }\nservers: [ { name: s, protocol: modbus, listen: "127.0.0.1:0", bank: b } ]\n`;

describe('ConfigFile (what start and reload read)', () => {
  it('reuses the validated result while the bytes are the same, validates again when they change', () => {
    const path = tempFile('fg.yaml', YAML);
    const source = new ConfigFile(path);
    const first = source.load();
    expect(first.ok).toBe(true);
    expect(source.load()).toBe(first);
    writeFileSync(path, YAML.replace('holding: 1', 'holding: 2'));
    const second = source.load();
    expect(second).not.toBe(first);
    expect(second.ok && second.config.banks.get('b')?.tables.holding).toBe(2);
    writeFileSync(path, YAML.replace('bank: b', 'bank: nope'));
    const bad = source.load();
    expect(bad.ok).toBe(false);
    expect(!bad.ok && bad.issues[0]?.key).toBe('servers[0].bank');
  });

  it('a file that cannot be read is an issue naming it, never a stale result', () => {
    const path = tempFile('fg.yaml', YAML);
    const source = new ConfigFile(path);
    expect(source.load().ok).toBe(true);
    writeFileSync(path, '');
    expect(source.load().ok).toBe(false);
    const gone = new ConfigFile(`${path}.missing`).load();
    expect(!gone.ok && gone.issues[0]?.message).toMatch(/no such file/);
  });
});

describe('list items validated once per content', () => {
  it('an edited server is validated again; an unchanged one gives the same result', async () => {
    const { loadConfigText } = await import('../../src/config/load.js');
    const a = loadConfigText(YAML, 'a.yaml');
    const b = loadConfigText(YAML, 'b.yaml');
    const edited = loadConfigText(YAML.replace('bank: b }', 'bank: b, maxClients: 3 }'), 'c.yaml');
    const broken = loadConfigText(YAML.replace('bank: b }', 'bank: b, maxClients: 0 }'), 'd.yaml');
    expect(a.ok && b.ok && a.config.servers[0]).toBe(b.ok && b.config.servers[0]);
    expect(edited.ok && edited.config.servers[0]?.maxClients).toBe(3);
    expect(broken.ok).toBe(false);
    expect(!broken.ok && broken.issues.map((i) => [i.key, i.file])).toEqual([['servers[0].maxClients', 'd.yaml']]);
  });
});
