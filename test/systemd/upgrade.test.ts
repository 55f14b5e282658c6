/**
 * systemd/install.sh upgrades and --rollback in a throwaway root (DESTDIR): releases beside the
 * running one, `fieldgate check` of the new build before the swap, at most 2 old releases, the
 * automatic swap back when the restarted service does not stay up (a stand-in systemctl through
 * FIELDGATE_SYSTEMCTL), uninstall.sh removing every release. Each version is a copy of this
 * checkout with its package.json version changed, so the installed program itself says which it is.
 */
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const SCRIPTS = ['install.sh', 'uninstall.sh', 'paths.sh'].map((s) => join(REPO, 'systemd', s));
const work = mkdtempSync(join(tmpdir(), 'fg-upgrade-'));

/** A copy of the checkout (what install.sh takes) whose version is `version`. */
function source(version: string, refuseCheck = false): string {
  const dir = join(work, `src-${version}`);
  mkdirSync(dir);
  for (const item of ['bin', 'dist', 'config', 'systemd', 'man', 'package-lock.json'])
    cpSync(join(REPO, item), join(dir, item), { recursive: true });
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...pkg, version }, null, 2));
  if (refuseCheck)
    // a build that refuses every configuration: its `check` fails, anything else runs normally
    writeFileSync(
      join(dir, 'bin/fieldgate.js'),
      "#!/usr/bin/env node\nif (process.argv[2] === 'check') { console.error('unknown key: everything'); process.exit(78); }\nimport('../dist/cli.js');\n",
    );
  return dir;
}

function run(src: string, root: string, args: string[] = [], env: Record<string, string> = {}) {
  const r = spawnSync('sh', [join(src, 'systemd/install.sh'), ...args], {
    env: { ...process.env, DESTDIR: root, ...env },
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

const link = (root: string) => readlinkSync(join(root, 'opt/fieldgate'));
const versions = (root: string) =>
  readdirSync(join(root, 'opt/fieldgate-releases'))
    .sort()
    .map((id) => id.replace(/^\d{8}T\d{6}Z-/, ''));
/** What the program behind /opt/fieldgate says it is. */
const running = (root: string) =>
  spawnSync(join(root, 'opt/fieldgate/bin/fieldgate.js'), ['--version'], { encoding: 'utf8' }).stdout.trim();
const marker = (root: string) => readFileSync(join(root, 'opt/fieldgate/RELEASE'), 'utf8');

/** A systemctl that logs its calls and says inactive while /opt/fieldgate is a release of `bad`. */
function fakeSystemctl(root: string, bad: string): { bin: string; log: string } {
  const bin = join(work, `systemctl-${bad}`);
  const log = join(work, `systemctl-${bad}.log`);
  writeFileSync(
    bin,
    `#!/bin/sh\necho "$* -> $(readlink '${root}/opt/fieldgate')" >>'${log}'\n` +
      `case "$1" in is-active) case "$(readlink '${root}/opt/fieldgate')" in *-${bad}) exit 3 ;; esac ;; esac\nexit 0\n`,
    { mode: 0o755 },
  );
  return { bin, log };
}

const root = join(work, 'root');
const results: Record<string, { code: number | null; out: string }> = {};

beforeAll(() => {
  mkdirSync(root);
  results.fresh = run(source('9.0.1'), root);
}, 200_000);

describe('install.sh upgrades and rollbacks in a throwaway root', { timeout: 120_000 }, () => {
  it('a fresh install: /opt/fieldgate is a relative symlink to the one release, which runs', () => {
    expect(results.fresh?.code, results.fresh?.out).toBe(0);
    expect(lstatSync(join(root, 'opt/fieldgate')).isSymbolicLink()).toBe(true);
    expect(link(root)).toMatch(/^fieldgate-releases\/\d{8}T\d{6}Z-9\.0\.1$/);
    expect(versions(root)).toEqual(['9.0.1']);
    expect(running(root)).toBe('9.0.1');
    expect(marker(root)).toContain('version=9.0.1\n');
    expect(readFileSync(join(root, 'usr/local/bin/fieldgate'), 'utf8')).toContain(
      'exec /opt/fieldgate/bin/fieldgate.js',
    );
  });

  it('an upgrade keeps the previous release and swaps to the new one', () => {
    const before = link(root);
    const r = run(source('9.0.2'), root);
    expect(r.code, r.out).toBe(0);
    expect(link(root)).not.toBe(before);
    expect(versions(root)).toEqual(['9.0.1', '9.0.2']);
    expect(running(root)).toBe('9.0.2');
    expect(r.out).toContain(`previous: ${before.replace('fieldgate-releases/', '')}`);
    expect(existsSync(join(root, 'opt', before, 'bin/fieldgate.js'))).toBe(true);
  });

  it('an upgrade whose new build refuses the config changes nothing', () => {
    const conf = join(root, 'etc/fieldgate/fieldgate.yaml');
    const config = readFileSync(conf, 'utf8');
    const before = link(root);
    const r = run(source('9.0.3', true), root);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain('unknown key: everything');
    expect(r.out).toContain('upgrade aborted: fieldgate 9.0.3 refuses /etc/fieldgate/fieldgate.yaml');
    expect(r.out).toContain('nothing was changed, 9.0.2 stays');
    expect(link(root)).toBe(before);
    expect(versions(root)).toEqual(['9.0.1', '9.0.2']);
    expect(readFileSync(conf, 'utf8')).toBe(config);
    // the running build still accepts it: it was the new build's check that refused
    const check = spawnSync(join(root, 'opt/fieldgate/bin/fieldgate.js'), ['check', '-c', conf], { encoding: 'utf8' });
    expect(check.status, check.stderr).toBe(0);
  });

  it('--rollback puts the previous release back and says which version that is', () => {
    const r = run(join(root, 'opt/fieldgate'), root, ['--rollback']);
    expect(r.code, r.out).toBe(0);
    expect(link(root)).toMatch(/-9\.0\.1$/);
    expect(running(root)).toBe('9.0.1');
    expect(marker(root)).toContain('version=9.0.1\n');
    expect(r.out).toMatch(/rolled back: fieldgate 9\.0\.1 is now the current release/);
    expect(versions(root)).toEqual(['9.0.1', '9.0.2']);
    const again = run(join(root, 'opt/fieldgate'), root, ['--rollback']);
    expect(again.code).toBe(1);
    expect(again.out).toContain('nothing to roll back to');
    expect(link(root)).toMatch(/-9\.0\.1$/);
  });

  it('an upgrade restarts the service and checks it stays active (stand-in systemctl)', () => {
    const { bin, log } = fakeSystemctl(root, 'never');
    const r = run(source('9.0.4'), root, [], { FIELDGATE_SYSTEMCTL: bin, FIELDGATE_START_WAIT: '1' });
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('fieldgate 9.0.4 is running');
    const calls = readFileSync(log, 'utf8').trim().split('\n');
    expect(calls[0]).toMatch(/^daemon-reload -> .*-9\.0\.4$/);
    expect(calls).toContain(`restart fieldgate.service -> ${link(root)}`);
    expect(calls.filter((c) => c.startsWith('is-active')).length).toBeGreaterThanOrEqual(1);
  });

  it('keeps at most 2 old releases', () => {
    expect(versions(root)).toEqual(['9.0.1', '9.0.2', '9.0.4']);
    const r = run(source('9.0.5'), root);
    expect(r.code, r.out).toBe(0);
    expect(versions(root)).toEqual(['9.0.2', '9.0.4', '9.0.5']);
    expect(r.out).toMatch(/deleted the old release \d{8}T\d{6}Z-9\.0\.1/);
    expect(running(root)).toBe('9.0.5');
  });

  it('a new release whose service does not stay up is swapped back and deleted', () => {
    const before = link(root);
    const { bin, log } = fakeSystemctl(root, '9.0.6');
    const r = run(source('9.0.6'), root, [], { FIELDGATE_SYSTEMCTL: bin, FIELDGATE_START_WAIT: '1' });
    expect(r.code, r.out).toBe(1);
    expect(r.out).toContain('fieldgate 9.0.6 did not stay up');
    expect(r.out).toContain('fieldgate 9.0.5 is running again');
    expect(r.out).toContain('upgrade to 9.0.6 failed and was undone');
    expect(link(root)).toBe(before);
    expect(versions(root)).toEqual(['9.0.2', '9.0.4', '9.0.5']);
    const restarts = readFileSync(log, 'utf8')
      .split('\n')
      .filter((c) => c.startsWith('restart'));
    expect(restarts).toEqual([expect.stringMatching(/-9\.0\.6$/), expect.stringMatching(/-9\.0\.5$/)]);
  });

  it('uninstall.sh removes the link and every release', () => {
    const r = spawnSync('sh', [join(REPO, 'systemd/uninstall.sh')], {
      env: { ...process.env, DESTDIR: root },
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(join(root, 'opt/fieldgate'))).toBe(false);
    expect(existsSync(join(root, 'opt/fieldgate-releases'))).toBe(false);
    expect(readdirSync(join(root, 'opt'))).toEqual([]);
  });
});

describe('install.sh over the layout before releases', { timeout: 120_000 }, () => {
  it('adopts a plain /opt/fieldgate directory as the previous release', () => {
    const old = mkdtempSync(join(work, 'plain-'));
    mkdirSync(join(old, 'opt/fieldgate'), { recursive: true });
    writeFileSync(join(old, 'opt/fieldgate/package.json'), '{"version":"8.0.0"}');
    const r = run(source('9.1.0'), old);
    expect(r.code, r.out).toBe(0);
    expect(versions(old)).toEqual(['8.0.0', '9.1.0']);
    expect(running(old)).toBe('9.1.0');
    const adopted = readdirSync(join(old, 'opt/fieldgate-releases')).find((id) => id.endsWith('-8.0.0')) ?? '';
    expect(readFileSync(join(old, 'opt/fieldgate-releases', adopted, 'package.json'), 'utf8')).toBe(
      '{"version":"8.0.0"}',
    );
    expect(r.out).toContain(`previous: ${adopted}`);
  });
});

describe('the scripts', () => {
  it('are POSIX sh: #!/bin/sh (paths.sh is sourced), sh -n clean', () => {
    for (const s of SCRIPTS) {
      if (!s.endsWith('paths.sh')) expect(readFileSync(s, 'utf8').split('\n')[0], s).toBe('#!/bin/sh');
      const r = spawnSync('sh', ['-n', s], { encoding: 'utf8' });
      expect(r.status, `${s}: ${r.stderr}`).toBe(0);
    }
  });

  const shellcheck = spawnSync('shellcheck', ['--version']).status === 0;
  it.skipIf(!shellcheck)('are shellcheck clean (when shellcheck is installed)', () => {
    const r = spawnSync('shellcheck', ['-s', 'sh', '-x', ...SCRIPTS], { encoding: 'utf8', cwd: REPO });
    expect(r.stdout).toBe('');
    expect(r.status).toBe(0);
  });
});
