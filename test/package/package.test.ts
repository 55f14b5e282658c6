/**
 * `npm run package` (scripts/package.mjs): the tarball and the Debian packages, built once into a
 * temporary directory (from dist/ as built: `npm test` builds it first). The .deb for this machine
 * is extracted and run with no checkout beside it; the arm64 one (a Pi) is checked by its control
 * fields, file list and lintian; the maintainer scripts run under a fake root with stub commands.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const PKG = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
};
const HOST = execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim();
const PREBUILD_DIR: Record<string, string> = { amd64: 'linux-x64', arm64: 'linux-arm64', armhf: 'linux-arm' };

/** Every temporary directory made here (removed after the file: the packages and trees are ~100 MB). */
const temps: string[] = [];
function temp(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of temps) rmSync(dir, { recursive: true, force: true });
});

let out = '';
let built = { code: null as number | null, text: '' };
const deb = (arch: string) => join(out, `fieldgate_${PKG.version}_${arch}.deb`);
const tgz = () => join(out, `fieldgate-${PKG.version}.tgz`);

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv; timeout?: number } = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: opts.timeout ?? 60_000, ...opts });
  return { code: r.status, out: `${r.stdout}${r.stderr}`, stdout: r.stdout };
}

function control(arch: string): Map<string, string> {
  const text = run('dpkg-deb', ['-f', deb(arch)]).stdout;
  const fields = new Map<string, string>();
  for (const m of text.matchAll(/^([A-Za-z-]+): (.*(?:\n .*)*)$/gm)) fields.set(m[1] ?? '', m[2] ?? '');
  return fields;
}

/** dpkg-deb -c: path -> "mode owner/group". */
function contents(arch: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const line of run('dpkg-deb', ['-c', deb(arch)]).stdout.split('\n')) {
    const m = /^(\S+)\s+(\S+)\s+\d+\s+\S+\s+\S+\s+\.(\/\S*)/.exec(line);
    if (m) files.set(m[3] ?? '', `${m[1]} ${m[2]}`);
  }
  return files;
}

beforeAll(() => {
  out = temp('fg-package-');
  const arches = [...new Set([HOST, 'arm64'])].join(',');
  const r = run(process.execPath, [join(REPO, 'scripts/package.mjs'), '--no-build', '--out', out, '--arch', arches], {
    cwd: REPO,
    timeout: 240_000,
  });
  built = { code: r.code, text: r.out };
}, 250_000);

describe('npm run package', () => {
  it('builds the tarball and a .deb for this machine and for arm64', () => {
    expect(built.code, built.text).toBe(0);
    expect(existsSync(tgz())).toBe(true);
    expect(existsSync(deb(HOST))).toBe(true);
    expect(existsSync(deb('arm64'))).toBe(true);
  });
});

describe('the .deb control data', () => {
  it('has the package fields, the architecture of its binding, and depends on Node.js 20.19', () => {
    const f = control('arm64');
    expect(f.get('Package')).toBe('fieldgate');
    expect(f.get('Version')).toBe(PKG.version);
    expect(f.get('Architecture')).toBe('arm64');
    expect(f.get('Depends')).toContain('nodejs (>= 20.19)');
    expect(f.get('Depends')).toContain('adduser');
    expect(f.get('Maintainer')).toMatch(/^.+ <[^@\s]+@[^@\s]+>$/);
    expect(f.get('Description')).toMatch(/^Modbus TCP\/RTU and raw TCP gateway.*\n .+/);
    expect(Number(f.get('Installed-Size'))).toBeGreaterThan(1000);
    expect(control(HOST).get('Architecture')).toBe(HOST);
  });

  it('marks the configuration as a conffile, and its maintainer scripts pass sh -n', () => {
    const dir = temp('fg-control-');
    expect(run('dpkg-deb', ['-e', deb('arm64'), dir]).code).toBe(0);
    expect(readFileSync(join(dir, 'conffiles'), 'utf8')).toBe('/etc/fieldgate/fieldgate.yaml\n');
    for (const script of ['postinst', 'prerm', 'postrm']) {
      const path = join(dir, script);
      expect(statSync(path).mode & 0o777, script).toBe(0o755);
      expect(readFileSync(path, 'utf8')).toMatch(/^#!\/bin\/sh\n[\s\S]*^set -e$/m);
      const r = run('sh', ['-n', path]);
      expect(r.code, `${script}: ${r.out}`).toBe(0);
    }
  });
});

describe('the .deb file list', () => {
  it('holds the program, the command, the unit, the config, the man pages and the copyright, owned by root', () => {
    const files = contents('arm64');
    expect(files.get('/usr/lib/fieldgate/bin/fieldgate.js')).toBe('-rwxr-xr-x root/root');
    expect(files.get('/usr/bin/fieldgate')).toBe('-rwxr-xr-x root/root');
    for (const path of [
      '/usr/lib/fieldgate/dist/cli.js',
      '/usr/lib/fieldgate/config/fieldgate.yaml',
      '/usr/lib/fieldgate/console/index.html',
      '/usr/lib/fieldgate/hardware/README.md',
      '/usr/lib/fieldgate/package.json',
      '/lib/systemd/system/fieldgate.service',
      '/etc/fieldgate/fieldgate.yaml',
      '/usr/share/man/man8/fieldgate.8.gz',
      '/usr/share/man/man5/fieldgate.yaml.5.gz',
      '/usr/share/doc/fieldgate/copyright',
      '/usr/share/doc/fieldgate/changelog.gz',
    ]) {
      expect(files.get(path), path).toBe('-rw-r--r-- root/root');
    }
    for (const [path, mode] of files) expect(mode.endsWith(' root/root'), path).toBe(true);
  });

  it('has runtime dependencies only, and only the glibc serialport prebuild of its architecture', () => {
    const paths = [...contents('arm64').keys()];
    for (const dep of Object.keys(PKG.dependencies)) {
      expect(paths, dep).toContain(`/usr/lib/fieldgate/node_modules/${dep}/package.json`);
    }
    for (const dev of ['typescript', 'vitest', 'eslint', 'sparkplug-payload', 'fast-check']) {
      expect(
        paths.some((p) => p.startsWith(`/usr/lib/fieldgate/node_modules/${dev}/`)),
        dev,
      ).toBe(false);
    }
    expect(paths.some((p) => /^\/usr\/lib\/fieldgate\/(src|test|bench)\//.test(p))).toBe(false);
    const natives = paths.filter((p) => p.endsWith('.node'));
    expect(natives).toEqual([
      '/usr/lib/fieldgate/node_modules/@serialport/bindings-cpp/prebuilds/linux-arm64/@serialport+bindings-cpp.armv8.glibc.node',
    ]);
  });
});

describe('the .deb extracted into an empty root', () => {
  let root = '';
  beforeAll(() => {
    root = temp('fg-debroot-');
    const r = run('dpkg-deb', ['-x', deb(HOST), root]);
    if (r.code !== 0) throw new Error(r.out);
  });

  it('runs `fieldgate check` on its own config, with no checkout beside it', () => {
    expect(existsSync(join(root, 'node_modules'))).toBe(false);
    expect(existsSync(join(tmpdir(), 'node_modules'))).toBe(false);
    const env = { ...process.env };
    delete env['FIELDGATE_CONFIG'];
    const r = run(
      process.execPath,
      [join(root, 'usr/lib/fieldgate/bin/fieldgate.js'), 'check', '-c', join(root, 'etc/fieldgate/fieldgate.yaml')],
      { cwd: root, env },
    );
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('demo-sim');
  });

  it("loads serialport's native binding from its node_modules", () => {
    const script =
      "require('@serialport/bindings-cpp').autoDetect().list().then((l) => console.log('ports', Array.isArray(l)))";
    const r = run(process.execPath, ['-e', script], { cwd: join(root, 'usr/lib/fieldgate') });
    expect(r.code, r.out).toBe(0);
    expect(r.stdout.trim()).toBe('ports true');
    const prebuilds = join(root, 'usr/lib/fieldgate/node_modules/@serialport/bindings-cpp/prebuilds');
    expect(readdirSync(prebuilds)).toEqual([PREBUILD_DIR[HOST]]);
  });

  it('installs a unit that runs /usr/bin/fieldgate on /etc/fieldgate/fieldgate.yaml, and a config with a status endpoint', () => {
    const unit = readFileSync(join(root, 'lib/systemd/system/fieldgate.service'), 'utf8');
    expect(unit).toMatch(/^ExecStart=\/usr\/bin\/fieldgate run -c \/etc\/fieldgate\/fieldgate\.yaml$/m);
    expect(unit).toMatch(/^User=fieldgate$/m);
    expect(unit).not.toContain('/opt/fieldgate');
    const command = readFileSync(join(root, 'usr/bin/fieldgate'), 'utf8');
    expect(command).toContain('FIELDGATE_CONFIG:=/etc/fieldgate/fieldgate.yaml');
    expect(command).toContain('exec /usr/lib/fieldgate/bin/fieldgate.js "$@"');
    expect(readFileSync(join(root, 'etc/fieldgate/fieldgate.yaml'), 'utf8')).toMatch(
      /^status:\n {2}listen: 127\.0\.0\.1:8081/m,
    );
  });
});

/**
 * A directory of stand-ins for every command a maintainer script would change this machine with: each
 * logs its arguments to $STUB_LOG; getent knows the names in $FAKE_NAMES.
 */
function stubCommands(): string {
  const stubs = temp('fg-stubs-');
  for (const cmd of ['addgroup', 'adduser', 'deluser', 'delgroup', 'systemctl', 'chown', 'useradd', 'usermod']) {
    writeFileSync(join(stubs, cmd), `#!/bin/sh\necho "${cmd} $*" >>"$STUB_LOG"\n`);
    chmodSync(join(stubs, cmd), 0o755);
  }
  writeFileSync(join(stubs, 'getent'), '#!/bin/sh\nfor n in $FAKE_NAMES; do [ "$n" = "$2" ] && exit 0; done\nexit 2\n');
  chmodSync(join(stubs, 'getent'), 0o755);
  return stubs;
}

describe('the maintainer scripts under a fake root (DPKG_ROOT, stub commands)', () => {
  let control = '';
  let stubs = '';
  beforeAll(() => {
    control = temp('fg-ctl-');
    const r = run('dpkg-deb', ['-e', deb(HOST), control]);
    if (r.code !== 0) throw new Error(r.out);
    stubs = stubCommands();
  });

  function fakeRoot(): string {
    const root = temp('fg-fakeroot-');
    mkdirSync(join(root, 'run/systemd/system'), { recursive: true });
    mkdirSync(join(root, 'etc/fieldgate'), { recursive: true });
    writeFileSync(join(root, 'etc/fieldgate/fieldgate.yaml'), 'gateway: {}\n');
    chmodSync(join(root, 'etc/fieldgate/fieldgate.yaml'), 0o644);
    return root;
  }

  function script(root: string, name: string, args: string[], names: string) {
    if (!root.startsWith(tmpdir())) throw new Error('not a temporary root');
    const log = join(root, 'stub.log');
    writeFileSync(log, '');
    const env = { PATH: `${stubs}:/usr/bin:/bin`, DPKG_ROOT: root, STUB_LOG: log, FAKE_NAMES: names };
    const r = run('sh', [join(control, name), ...args], { env });
    return { code: r.code, out: r.out, calls: readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) };
  }

  it('postinst configure (first install): the user in dialout, the config readable by it only, enabled and started', () => {
    const root = fakeRoot();
    const r = script(root, 'postinst', ['configure', ''], 'dialout');
    expect(r.code, r.out).toBe(0);
    expect(r.calls).toEqual([
      'addgroup --system --quiet fieldgate',
      'adduser --system --quiet --ingroup fieldgate --home /var/lib/fieldgate --no-create-home --shell /usr/sbin/nologin --gecos fieldgate gateway fieldgate',
      'adduser --quiet fieldgate dialout',
      `chown root:fieldgate ${root}/etc/fieldgate ${root}/etc/fieldgate/fieldgate.yaml`,
      'systemctl daemon-reload',
      'systemctl enable --quiet fieldgate.service',
      'systemctl start fieldgate.service',
    ]);
    expect(statSync(join(root, 'etc/fieldgate/fieldgate.yaml')).mode & 0o777).toBe(0o640);
    expect(statSync(join(root, 'etc/fieldgate')).mode & 0o777).toBe(0o750);
  });

  it('postinst configure on an upgrade: the user kept, the config untouched, the service try-restarted', () => {
    const root = fakeRoot();
    const r = script(root, 'postinst', ['configure', '0.0.9'], 'fieldgate dialout');
    expect(r.code, r.out).toBe(0);
    expect(r.calls).toEqual([
      'adduser --quiet fieldgate dialout',
      'systemctl daemon-reload',
      'systemctl enable --quiet fieldgate.service',
      'systemctl try-restart fieldgate.service',
    ]);
    expect(statSync(join(root, 'etc/fieldgate/fieldgate.yaml')).mode & 0o777).toBe(0o644);
  });

  it('prerm stops and disables on remove, and leaves the service alone on upgrade', () => {
    const root = fakeRoot();
    const removed = script(root, 'prerm', ['remove'], 'fieldgate');
    expect(removed.code, removed.out).toBe(0);
    expect(removed.calls).toEqual(['systemctl stop fieldgate.service', 'systemctl disable --quiet fieldgate.service']);
    const upgraded = script(root, 'prerm', ['upgrade', '0.2.0'], 'fieldgate');
    expect(upgraded.code, upgraded.out).toBe(0);
    expect(upgraded.calls).toEqual([]);
  });

  it('postrm keeps the state on remove, and purge removes /var/lib/fieldgate and the user', () => {
    const root = fakeRoot();
    mkdirSync(join(root, 'var/lib/fieldgate/recordings'), { recursive: true });
    writeFileSync(join(root, 'var/lib/fieldgate/recordings/a.bin'), 'x');
    const removed = script(root, 'postrm', ['remove'], 'fieldgate');
    expect(removed.code, removed.out).toBe(0);
    expect(removed.calls).toEqual(['systemctl daemon-reload']);
    expect(existsSync(join(root, 'var/lib/fieldgate/recordings/a.bin'))).toBe(true);
    const purged = script(root, 'postrm', ['purge'], 'fieldgate');
    expect(purged.code, purged.out).toBe(0);
    expect(existsSync(join(root, 'var/lib/fieldgate'))).toBe(false);
    expect(purged.calls).toEqual([
      'systemctl daemon-reload',
      'deluser --system --quiet fieldgate',
      'delgroup --system --quiet fieldgate',
    ]);
  });
});

describe('dpkg itself, in a throwaway root (dpkg --root, maintainer scripts run with DPKG_ROOT)', () => {
  // dpkg installs, upgrades, removes and purges the package into a temporary root with its own
  // database; the maintainer scripts run outside a chroot (--force-script-chrootless) with DPKG_ROOT
  // set, and every command that would change this machine is a stub that logs its arguments.
  let root = '';
  let stubs = '';
  let log = '';
  beforeAll(() => {
    root = temp('fg-dpkgroot-');
    for (const d of ['var/lib/dpkg/info', 'var/lib/dpkg/updates', 'var/lib/dpkg/triggers', 'run/systemd/system'])
      mkdirSync(join(root, d), { recursive: true });
    writeFileSync(join(root, 'var/lib/dpkg/status'), '');
    writeFileSync(join(root, 'var/lib/dpkg/available'), '');
    stubs = stubCommands();
    log = join(stubs, 'calls.log');
  });

  function dpkg(args: string[], names: string) {
    if (!root.startsWith(tmpdir())) throw new Error('not a temporary root');
    writeFileSync(log, '');
    const env = { ...process.env, PATH: `${stubs}:/usr/sbin:/usr/bin:/sbin:/bin`, STUB_LOG: log, FAKE_NAMES: names };
    const base = [`--root=${root}`, '--force-not-root', '--force-depends', '--force-script-chrootless'];
    const r = run('dpkg', [...base, '--log=/dev/null', ...args], { env, timeout: 120_000 });
    return { ...r, calls: readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) };
  }
  const query = (format: string) =>
    run('dpkg-query', [`--admindir=${join(root, 'var/lib/dpkg')}`, '-W', `-f=${format}`, 'fieldgate']).stdout;

  it('installs: files in place, the config a registered conffile, the user made, the service enabled and started', () => {
    const r = dpkg(['-i', deb(HOST)], '');
    expect(r.code, r.out).toBe(0);
    expect(query('${Status} ${Version}')).toBe(`install ok installed ${PKG.version}`);
    expect(query('${Conffiles}')).toMatch(/^ \/etc\/fieldgate\/fieldgate\.yaml [0-9a-f]{32}$/);
    for (const f of ['usr/bin/fieldgate', 'usr/lib/fieldgate/dist/cli.js', 'etc/fieldgate/fieldgate.yaml'])
      expect(existsSync(join(root, f)), f).toBe(true);
    expect(r.calls).toContain(
      'adduser --system --quiet --ingroup fieldgate --home /var/lib/fieldgate --no-create-home --shell /usr/sbin/nologin --gecos fieldgate gateway fieldgate',
    );
    expect(r.calls.slice(-2)).toEqual([
      'systemctl enable --quiet fieldgate.service',
      'systemctl start fieldgate.service',
    ]);
    expect(statSync(join(root, 'etc/fieldgate/fieldgate.yaml')).mode & 0o777).toBe(0o640);
  }, 130_000);

  it('upgrades: the edited config kept, the service try-restarted, not stopped', () => {
    const conf = join(root, 'etc/fieldgate/fieldgate.yaml');
    const edited = `${readFileSync(conf, 'utf8')}# edited on site\n`;
    writeFileSync(conf, edited);
    const r = dpkg(['--force-confold', '-i', deb(HOST)], 'fieldgate dialout');
    expect(r.code, r.out).toBe(0);
    expect(readFileSync(conf, 'utf8')).toBe(edited);
    expect(r.calls).toContain('systemctl try-restart fieldgate.service');
    expect(r.calls).not.toContain('systemctl stop fieldgate.service');
  }, 130_000);

  it('remove keeps the config and the state; purge removes them and the user', () => {
    mkdirSync(join(root, 'var/lib/fieldgate'), { recursive: true });
    writeFileSync(join(root, 'var/lib/fieldgate/bdseq'), '7');
    const removed = dpkg(['-r', 'fieldgate'], 'fieldgate');
    expect(removed.code, removed.out).toBe(0);
    expect(removed.calls.slice(0, 2)).toEqual([
      'systemctl stop fieldgate.service',
      'systemctl disable --quiet fieldgate.service',
    ]);
    expect(existsSync(join(root, 'usr/lib/fieldgate/dist/cli.js'))).toBe(false);
    expect(existsSync(join(root, 'etc/fieldgate/fieldgate.yaml'))).toBe(true);
    expect(existsSync(join(root, 'var/lib/fieldgate/bdseq'))).toBe(true);
    const purged = dpkg(['-P', 'fieldgate'], 'fieldgate');
    expect(purged.code, purged.out).toBe(0);
    expect(existsSync(join(root, 'etc/fieldgate/fieldgate.yaml'))).toBe(false);
    expect(existsSync(join(root, 'var/lib/fieldgate'))).toBe(false);
    expect(purged.calls).toContain('deluser --system --quiet fieldgate');
    expect(query('${Status}')).not.toContain('installed');
  }, 130_000);
});

describe('the tarball', () => {
  const list = () => run('tar', ['tzf', tgz()]).stdout.split('\n');

  it('holds the build and the runtime dependencies, not the sources or the tests', () => {
    const files = list();
    expect(files).toContain('package/dist/cli.js');
    expect(files).toContain('package/bin/fieldgate.js');
    for (const dep of Object.keys(PKG.dependencies))
      expect(files, dep).toContain(`package/node_modules/${dep}/package.json`);
    expect(files.some((f) => /^package\/(src|test|bench)\//.test(f))).toBe(false);
    expect(files.some((f) => f.startsWith('package/node_modules/typescript/'))).toBe(false);
    const pkg = JSON.parse(run('tar', ['xzOf', tgz(), 'package/package.json']).stdout) as Record<string, unknown>;
    expect(pkg['bundleDependencies']).toEqual(Object.keys(PKG.dependencies));
    expect(pkg['devDependencies']).toBeUndefined();
    expect(pkg['scripts']).toBeUndefined();
  });

  it('installs with npm install -g offline, from an empty cache, and its command runs', () => {
    const prefix = temp('fg-global-');
    const cache = temp('fg-npmcache-');
    const r = run(
      'npm',
      ['install', '-g', tgz(), '--prefix', prefix, '--cache', cache, '--offline', '--no-audit', '--no-fund'],
      { timeout: 120_000 },
    );
    expect(r.code, r.out).toBe(0);
    const check = run(process.execPath, [join(prefix, 'bin/fieldgate'), 'check'], { cwd: prefix });
    expect(check.code, check.out).toBe(0);
    expect(check.out).toContain('demo-sim');
  }, 150_000);
});

describe('lintian', () => {
  const haveLintian = run('sh', ['-c', 'command -v lintian']).code === 0;

  it.skipIf(!haveLintian)(
    'reports no errors on the arm64 package',
    () => {
      const r = run('lintian', ['--tag-display-limit', '0', deb('arm64')], { timeout: 240_000 });
      const errors = r.out.split('\n').filter((l) => l.startsWith('E:'));
      expect(errors, r.out).toEqual([]);
      expect(r.code, r.out).toBe(0);
    },
    250_000,
  );
});
