// The Debian package, for scripts/package.mjs: a tree staged from the built program, packed by
// `dpkg-deb --build --root-owner-group` (Debian's dpkg-deb; no debhelper, no network).
//   /usr/lib/fieldgate/                   bin, dist, config, console, hardware, node_modules (runtime only)
//   /usr/bin/fieldgate                    the command (uses /etc/fieldgate/fieldgate.yaml by default)
//   /lib/systemd/system/fieldgate.service systemd/fieldgate.service with the package's paths
//   /etc/fieldgate/fieldgate.yaml         the demo config with a status endpoint (a conffile: an edited
//                                         copy is kept on upgrade)
//   /usr/share/man/man8, man5             fieldgate(8), fieldgate.yaml(5), gzipped
//   /usr/share/doc/fieldgate/             copyright, changelog.gz
//   DEBIAN/                               control, conffiles, postinst, prerm, postrm (packaging/debian)
// The architecture is that of the serialport binding inside: node_modules holds a native binary, so
// the package is not `all`. Only the glibc prebuild(s) for that architecture are kept.
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  cpSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';

/** Debian architecture -> the directory of @serialport/bindings-cpp/prebuilds it needs. */
const PREBUILDS = { amd64: 'linux-x64', arm64: 'linux-arm64', armhf: 'linux-arm' };
const APP = 'usr/lib/fieldgate';
const CONFIG = 'etc/fieldgate/fieldgate.yaml';
/**
 * What the package needs: Node.js (package.json "engines"), adduser (postinst), and what the serialport
 * binding links against (readelf -d: libstdc++, libgcc_s, libm, libc; objdump -T: GLIBC_2.28 and
 * GLIBCXX_3.4.21 at most, the same for the amd64, arm64 and armhf prebuilds).
 */
const DEPENDS = 'nodejs (>= 20.19), adduser, libc6 (>= 2.28), libgcc-s1, libstdc++6 (>= 5.2)';
/** Files nobody needs at run time that lintian reports (version control, CI, editor settings). */
const JUNK = new Set([
  '.gitignore',
  '.gitattributes',
  '.npmignore',
  '.travis.yml',
  '.editorconfig',
  '.eslintrc',
  '.github',
]);

export function hostArch() {
  try {
    return execFileSync('dpkg', ['--print-architecture'], { encoding: 'utf8' }).trim();
  } catch {
    return { x64: 'amd64', arm64: 'arm64', arm: 'armhf' }[process.arch] ?? process.arch;
  }
}

function write(file, content, mode = 0o644) {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content);
  chmodSync(file, mode);
}

/** The unit from systemd/fieldgate.service with the package's paths; fails if the unit changed shape. */
function unit(repo) {
  const text = readFileSync(path.join(repo, 'systemd', 'fieldgate.service'), 'utf8');
  const edits = [
    [
      /^# fieldgate as a systemd service\..*$/m,
      '# fieldgate as a systemd service, installed by the fieldgate package.',
    ],
    [/^Documentation=.*$/m, 'Documentation=man:fieldgate(8) man:fieldgate.yaml(5)'],
    [/^ExecStart=\/opt\/fieldgate\/bin\/fieldgate\.js /m, 'ExecStart=/usr/bin/fieldgate '],
  ];
  let out = text;
  for (const [pattern, replacement] of edits) {
    if (!pattern.test(out)) throw new Error(`systemd/fieldgate.service: no line matches ${pattern}`);
    out = out.replace(pattern, replacement);
  }
  if (out.includes('/opt/fieldgate')) throw new Error('systemd/fieldgate.service still names /opt/fieldgate');
  return out;
}

/** The demo config, with the status endpoint `fieldgate status` reads (as systemd/install.sh does). */
function config(repo) {
  let text = readFileSync(path.join(repo, 'config', 'fieldgate.yaml'), 'utf8');
  if (!/^status:/m.test(text)) {
    text +=
      '\nstatus:\n  listen: 127.0.0.1:8081           # HTTP /health /status /metrics; `fieldgate status` reads it\n';
  }
  return text;
}

const COMMAND = `#!/bin/sh
# fieldgate, from the fieldgate package: uses the service's configuration unless -c or
# FIELDGATE_CONFIG says otherwise.
: "\${FIELDGATE_CONFIG:=/${CONFIG}}"
export FIELDGATE_CONFIG
exec /${APP}/bin/fieldgate.js "$@"
`;

function copyright(repo) {
  const license = readFileSync(path.join(repo, 'LICENSE'), 'utf8').trim();
  const holder = /^Copyright (.*)$/m.exec(license)?.[1] ?? '(c) the fieldgate developers';
  const body = license
    .split('\n')
    .map((line) => (line.trim() === '' ? ' .' : ` ${line}`))
    .join('\n');
  return [
    'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/',
    'Upstream-Name: fieldgate',
    '',
    'Files: *',
    `Copyright: ${holder.replace(/^\(c\)\s*/i, '')}`,
    'License: MIT',
    '',
    'Files: usr/lib/fieldgate/node_modules/*',
    'Copyright: the authors of each module, as its package.json and LICENSE file say',
    'License: various (MIT, ISC, Apache-2.0, BSD), each in the module directory',
    '',
    'License: MIT',
    body,
    '',
  ].join('\n');
}

function changelog(pkg, date) {
  return (
    `fieldgate (${pkg.version}) unstable; urgency=medium\n\n` +
    `  * fieldgate ${pkg.version}, packaged by scripts/package.mjs.\n\n` +
    ` -- ${maintainer()}  ${date}\n`
  );
}

function maintainer() {
  const name = process.env['DEBFULLNAME'] || 'fieldgate maintainers';
  const email = process.env['DEBEMAIL'] || 'maintainers@fieldgate.example';
  return `${name} <${email}>`;
}

function control(pkg, arch, installedSize) {
  const long = `${pkg.description}.`
    .replace(/\.\.$/, '.')
    .match(/.{1,76}(\s|$)/g)
    .map((line) => ` ${line.trim()}`);
  return [
    'Package: fieldgate',
    `Version: ${pkg.version}`,
    `Architecture: ${arch}`,
    `Maintainer: ${maintainer()}`,
    `Installed-Size: ${installedSize}`,
    `Depends: ${DEPENDS}`,
    'Section: net',
    'Priority: optional',
    'Description: Modbus TCP/RTU and raw TCP gateway daemon for field hardware',
    ...long,
    ' .',
    ' Runs as the systemd service fieldgate, configured by',
    ' /etc/fieldgate/fieldgate.yaml.',
    '',
  ].join('\n');
}

/** Walks a tree: drops junk and other platforms' binaries, sets modes (dirs 0755, files 0644). */
function tidy(dir, keepPrebuilds) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const at = path.join(dir, entry.name);
    if (JUNK.has(entry.name)) {
      rmSync(at, { recursive: true, force: true });
      continue;
    }
    if (entry.isDirectory()) {
      if (path.basename(dir) === 'prebuilds' && entry.name !== keepPrebuilds) {
        rmSync(at, { recursive: true, force: true });
        continue;
      }
      chmodSync(at, 0o755);
      tidy(at, keepPrebuilds);
    } else if (entry.isFile()) {
      if (entry.name.endsWith('.node') && entry.name.includes('.musl.')) rmSync(at);
      else chmodSync(at, isScript(at) ? 0o755 : 0o644);
    }
  }
}

/** A file that starts with `#!` (the modules' command-line tools): executable, as npm installs it. */
function isScript(file) {
  const head = Buffer.alloc(2);
  const fd = openSync(file, 'r');
  try {
    return readSync(fd, head, 0, 2, 0) === 2 && head.toString('latin1') === '#!';
  } finally {
    closeSync(fd);
  }
}

function duKiB(dir) {
  let bytes = 0;
  const walk = (d) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const at = path.join(d, entry.name);
      if (entry.isDirectory()) walk(at);
      else bytes += Math.ceil(lstatSync(at).size / 1024) * 1024;
    }
  };
  walk(dir);
  return Math.ceil(bytes / 1024);
}

/** Builds fieldgate_<version>_<arch>.deb from the staged program `app`; returns its path. */
export function buildDeb({ app, pkg, arch, tmp, out, repo }) {
  const prebuilds = PREBUILDS[arch];
  if (!prebuilds) throw new Error(`--arch ${arch}: one of ${Object.keys(PREBUILDS).join(', ')}`);
  const tree = path.join(tmp, `deb-${arch}`);
  rmSync(tree, { recursive: true, force: true });
  const appDir = path.join(tree, APP);
  mkdirSync(appDir, { recursive: true });
  for (const item of ['bin', 'dist', 'config', 'console', 'hardware', 'node_modules', 'package.json']) {
    cpSync(path.join(app, item), path.join(appDir, item), { recursive: true });
  }
  tidy(tree, prebuilds);
  const binding = path.join(appDir, 'node_modules', '@serialport', 'bindings-cpp', 'prebuilds', prebuilds);
  if (readdirSync(binding).filter((f) => f.endsWith('.node')).length === 0) {
    throw new Error(`no serialport prebuild in ${binding}`);
  }
  chmodSync(path.join(appDir, 'bin', 'fieldgate.js'), 0o755);
  write(path.join(tree, 'usr/bin/fieldgate'), COMMAND, 0o755);
  write(path.join(tree, 'lib/systemd/system/fieldgate.service'), unit(repo));
  write(path.join(tree, CONFIG), config(repo));
  for (const page of ['fieldgate.8', 'fieldgate.yaml.5']) {
    const section = page.slice(page.lastIndexOf('.') + 1);
    const text = readFileSync(path.join(repo, 'man', page));
    write(path.join(tree, `usr/share/man/man${section}/${page}.gz`), gzipSync(text, { level: 9 }));
  }
  const epoch = sourceDateEpoch(repo);
  const date = new Date(epoch * 1000).toUTCString().replace(/GMT$/, '+0000');
  write(path.join(tree, 'usr/share/doc/fieldgate/copyright'), copyright(repo));
  write(path.join(tree, 'usr/share/doc/fieldgate/changelog.gz'), gzipSync(changelog(pkg, date), { level: 9 }));
  const debian = path.join(tree, 'DEBIAN');
  write(path.join(debian, 'control'), control(pkg, arch, duKiB(tree)));
  write(path.join(debian, 'conffiles'), `/${CONFIG}\n`);
  for (const script of ['postinst', 'prerm', 'postrm']) {
    write(path.join(debian, script), readFileSync(path.join(repo, 'packaging', 'debian', script)), 0o755);
  }
  for (const d of ['usr', 'usr/bin', 'usr/lib', 'usr/share', 'usr/share/man', 'usr/share/doc', 'lib', 'etc']) {
    chmodSync(path.join(tree, d), 0o755);
  }
  const deb = path.join(out, `fieldgate_${pkg.version}_${arch}.deb`);
  execFileSync('dpkg-deb', ['--build', '--root-owner-group', '-Zgzip', tree, deb], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, SOURCE_DATE_EPOCH: String(epoch) },
  });
  return deb;
}

/** The last commit's time (reproducible dates and mtimes), or now outside a git checkout. */
function sourceDateEpoch(repo) {
  if (process.env['SOURCE_DATE_EPOCH']) return Number(process.env['SOURCE_DATE_EPOCH']);
  try {
    return Number(execFileSync('git', ['log', '-1', '--format=%ct'], { cwd: repo, encoding: 'utf8' }).trim());
  } catch {
    return Math.floor(Date.now() / 1000);
  }
}
