/**
 * systemd/install.sh and uninstall.sh in a throwaway root (DESTDIR), the installed program run from
 * there, and `systemd-analyze verify` (Debian package systemd) on the unit as installed.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  accessSync,
  constants,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { tempFile } from '../helpers/daemon.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const UNIT_SOURCE = join(REPO, 'systemd', 'fieldgate.service');

function sh(script: string, destdir: string, args: string[] = []) {
  const r = spawnSync('sh', [join(REPO, 'systemd', script), ...args], {
    env: { ...process.env, DESTDIR: destdir },
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

const executable = (path: string) => {
  accessSync(path, constants.X_OK);
  return true;
};

let root = '';
let firstRun = { code: null as number | null, out: '' };

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'fg-root-'));
  firstRun = sh('install.sh', root);
}, 200_000);

describe('install.sh into a throwaway root', () => {
  it('exits 0 and says how to check the service', () => {
    expect(firstRun.code, firstRun.out).toBe(0);
    expect(firstRun.out).toContain('systemctl status fieldgate');
    expect(firstRun.out).toContain('journalctl -u fieldgate');
  });

  it('installs the program with production dependencies only', () => {
    const app = join(root, 'opt/fieldgate');
    expect(executable(join(app, 'bin/fieldgate.js'))).toBe(true);
    for (const f of ['dist/cli.js', 'config/fieldgate.yaml', 'package.json', 'systemd/uninstall.sh'])
      expect(existsSync(join(app, f)), f).toBe(true);
    for (const dep of ['pino', 'convict', 'yaml', 'prom-client', 'serialport'])
      expect(existsSync(join(app, 'node_modules', dep)), dep).toBe(true);
    for (const dev of ['vitest', 'typescript', 'modbus-serial', 'fast-check'])
      expect(existsSync(join(app, 'node_modules', dev)), dev).toBe(false);
    expect(existsSync(join(root, 'opt/fieldgate.new'))).toBe(false);
  });

  it('installs the unit, the state directory and the fieldgate command', () => {
    expect(readFileSync(join(root, 'etc/systemd/system/fieldgate.service'), 'utf8')).toBe(
      readFileSync(UNIT_SOURCE, 'utf8'),
    );
    expect(statSync(join(root, 'var/lib/fieldgate')).isDirectory()).toBe(true);
    const command = join(root, 'usr/local/bin/fieldgate');
    expect(executable(command)).toBe(true);
    expect(readFileSync(command, 'utf8')).toContain('exec /opt/fieldgate/bin/fieldgate.js "$@"');
    expect(readFileSync(command, 'utf8')).toContain('FIELDGATE_CONFIG:=/etc/fieldgate/fieldgate.yaml');
  });

  it('installs both man pages, as in the checkout', () => {
    for (const [section, page] of [
      ['8', 'fieldgate.8'],
      ['5', 'fieldgate.yaml.5'],
    ] as const)
      expect(readFileSync(join(root, `usr/local/share/man/man${section}`, page), 'utf8'), page).toBe(
        readFileSync(join(REPO, 'man', page), 'utf8'),
      );
  });

  it('installs a valid config with the status endpoint on 127.0.0.1', () => {
    const conf = join(root, 'etc/fieldgate/fieldgate.yaml');
    const r = spawnSync(join(root, 'opt/fieldgate/bin/fieldgate.js'), ['check', '-c', conf], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('status endpoint http://127.0.0.1:8081');
  });

  it('the installed program runs from there (its dependencies are complete)', async () => {
    const conf = tempFile(
      'run.yaml',
      'status: { listen: 127.0.0.1:0 }\nbanks: { b: { holding: 1 } }\nservers:\n  - { name: s, protocol: modbus, listen: 127.0.0.1:0, bank: b }\n',
    );
    const child = spawn(process.execPath, [join(root, 'opt/fieldgate/bin/fieldgate.js'), 'run', '-c', conf], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const started = new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('"msg":"started"')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
    });
    await started;
    expect(out).toContain('status endpoint listening');
    child.kill('SIGTERM');
    expect(await new Promise((r) => child.on('exit', r))).toBe(0);
  });

  it('systemd-analyze verify passes on the installed unit', () => {
    // systemd's own units and /bin/kill (ExecReload) must exist inside the root for --root to resolve
    mkdirSync(join(root, 'usr/lib/systemd'), { recursive: true });
    cpSync('/usr/lib/systemd/system', join(root, 'usr/lib/systemd/system'), { recursive: true });
    mkdirSync(join(root, 'bin'), { recursive: true });
    cpSync('/bin/kill', join(root, 'bin/kill'));
    const r = spawnSync(
      'systemd-analyze',
      ['verify', `--root=${root}`, join(root, 'etc/systemd/system/fieldgate.service')],
      { encoding: 'utf8' },
    );
    if (r.error) throw new Error(`systemd-analyze is needed (Debian package systemd): ${r.error.message}`);
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('running it again changes nothing and never overwrites the config', () => {
    const conf = join(root, 'etc/fieldgate/fieldgate.yaml');
    const edited = `${readFileSync(conf, 'utf8')}\n# edited on site\n`;
    writeFileSync(conf, edited);
    const again = sh('install.sh', root);
    expect(again.code, again.out).toBe(0);
    expect(again.out).toContain('kept the existing /etc/fieldgate/fieldgate.yaml');
    expect(readFileSync(conf, 'utf8')).toBe(edited);
    expect(executable(join(root, 'opt/fieldgate/bin/fieldgate.js'))).toBe(true);
    expect(existsSync(join(root, 'opt/fieldgate/node_modules/pino'))).toBe(true);
  });
});

describe('uninstall.sh', () => {
  it('removes the program, the unit and the command, keeps /etc/fieldgate; twice is fine; --purge removes the state', () => {
    const conf = readFileSync(join(root, 'etc/fieldgate/fieldgate.yaml'), 'utf8');
    const r = sh('uninstall.sh', root);
    expect(r.code, r.out).toBe(0);
    for (const gone of [
      'opt/fieldgate',
      'opt/fieldgate-releases',
      'etc/systemd/system/fieldgate.service',
      'usr/local/bin/fieldgate',
      'usr/local/share/man/man8/fieldgate.8',
      'usr/local/share/man/man5/fieldgate.yaml.5',
    ])
      expect(existsSync(join(root, gone)), gone).toBe(false);
    expect(readFileSync(join(root, 'etc/fieldgate/fieldgate.yaml'), 'utf8')).toBe(conf);
    expect(existsSync(join(root, 'var/lib/fieldgate'))).toBe(true);
    expect(r.out).toContain('kept /etc/fieldgate');
    const again = sh('uninstall.sh', root);
    expect(again.code, again.out).toBe(0);
    const purge = sh('uninstall.sh', root, ['--purge']);
    expect(purge.code, purge.out).toBe(0);
    expect(existsSync(join(root, 'var/lib/fieldgate'))).toBe(false);
    expect(existsSync(join(root, 'etc/fieldgate/fieldgate.yaml'))).toBe(true);
  });
});

describe('the unit file', () => {
  const unit = new Map<string, string[]>();
  let section = '';
  for (const line of readFileSync(UNIT_SOURCE, 'utf8').split('\n')) {
    const head = /^\[(\w+)\]$/.exec(line);
    if (head) section = head[1] ?? '';
    const kv = /^(\w+)=(.*)$/.exec(line);
    if (kv) unit.set(`${section}.${kv[1]}`, [...(unit.get(`${section}.${kv[1]}`) ?? []), kv[2] ?? '']);
  }
  const get = (key: string) => unit.get(key)?.join(' ');

  it('is a notify service with a watchdog that restarts on failure but not on a bad config', () => {
    expect(get('Service.Type')).toBe('notify');
    expect(get('Service.NotifyAccess')).toBe('all');
    expect(get('Service.WatchdogSec')).toMatch(/^\d+s$/);
    expect(get('Service.ExecReload')).toBe('/bin/kill -HUP $MAINPID');
    expect(get('Service.Restart')).toBe('on-failure');
    expect(get('Service.RestartPreventExitStatus')).toBe('78');
    expect(get('Service.ExecStart')).toBe('/opt/fieldgate/bin/fieldgate.js run -c /etc/fieldgate/fieldgate.yaml');
  });

  it('runs as its own user with the least it needs', () => {
    expect(get('Service.User')).toBe('fieldgate');
    expect(get('Service.SupplementaryGroups')).toBe('dialout');
    expect(get('Service.AmbientCapabilities')).toBe('CAP_NET_BIND_SERVICE');
    expect(get('Service.NoNewPrivileges')).toBe('yes');
    expect(get('Service.ProtectSystem')).toBe('strict');
    expect(get('Service.ProtectHome')).toBe('yes');
    expect(get('Service.PrivateTmp')).toBe('yes');
    expect(get('Service.StateDirectory')).toBe('fieldgate');
    expect(get('Service.StandardOutput')).toBe('journal');
    // these would hide /dev/ttyUSB0 and friends
    for (const k of ['PrivateDevices', 'DevicePolicy', 'ProtectClock']) expect(get(`Service.${k}`), k).toBeUndefined();
    expect(get('Install.WantedBy')).toBe('multi-user.target');
  });
});
