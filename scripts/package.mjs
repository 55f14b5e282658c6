#!/usr/bin/env node
// `npm run package`: builds into package/ (or --out DIR)
//   fieldgate-<version>.tgz           what `npm pack` makes, with the runtime dependencies inside
//                                     (bundleDependencies), so `npm install -g ./fieldgate-<v>.tgz`
//                                     needs no registry;
//   fieldgate_<version>_<arch>.deb    a Debian package (scripts/package-deb.mjs), one per --arch
//                                     (default: this machine's; `--arch arm64` for a Pi,
//                                     `--arch arm64,armhf,amd64` for several).
// Both come from one staged copy of the program: the files package.json lists, after a build, with
// `npm ci --omit=dev --ignore-scripts` run in it (no dev dependencies; the network only for npm, and
// not even that when npm's cache holds the packages). Options: --no-build (use dist/ as it is),
// --no-tgz, --no-deb.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDeb, hostArch } from './package-deb.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

function parseArgs(argv) {
  const opts = { out: path.join(root, 'package'), arches: [], build: true, tgz: true, deb: true };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--out') opts.out = path.resolve(argv[++i] ?? '');
    else if (arg === '--arch') opts.arches.push(...(argv[++i] ?? '').split(',').filter(Boolean));
    else if (arg === '--no-build') opts.build = false;
    else if (arg === '--no-tgz') opts.tgz = false;
    else if (arg === '--no-deb') opts.deb = false;
    else throw new Error(`unknown option ${arg} (--out DIR, --arch ARCH[,ARCH], --no-build, --no-tgz, --no-deb)`);
  }
  if (opts.arches.length === 0) opts.arches.push(hostArch());
  return opts;
}

function run(cmd, args, cwd) {
  execFileSync(cmd, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
}

/** The program as it is installed: package.json's "files", built, with runtime dependencies only. */
function stage(dir) {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
  for (const item of [...pkg.files, 'package.json', 'package-lock.json', 'README.md', 'LICENSE']) {
    cpSync(path.join(root, item), path.join(dir, item), { recursive: true });
  }
  // npm ci checks package.json against the lock file, so it runs before package.json is trimmed.
  run(
    'npm',
    ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'],
    dir,
  );
  rmSync(path.join(dir, 'node_modules', '.bin'), { recursive: true, force: true });
  rmSync(path.join(dir, 'package-lock.json'));
  // What an installed copy needs: no dev dependencies, no scripts (`prepare` would want tsc), and the
  // runtime dependencies bundled so that npm takes them from the tarball, not from a registry.
  delete pkg.devDependencies;
  delete pkg.scripts;
  pkg.bundleDependencies = Object.keys(pkg.dependencies ?? {});
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(pkg, null, 2)}\n`);
  return pkg;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.build)
    run(
      process.execPath,
      [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
      root,
    );
  mkdirSync(opts.out, { recursive: true });
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'fieldgate-package-'));
  try {
    const app = path.join(tmp, 'app');
    mkdirSync(app);
    const pkg = stage(app);
    if (opts.tgz) {
      run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', opts.out], app);
      process.stdout.write(`built ${path.join(opts.out, `${pkg.name}-${pkg.version}.tgz`)}\n`);
    }
    if (opts.deb) {
      for (const arch of opts.arches) {
        const deb = buildDeb({ app, pkg, arch, tmp, out: opts.out, repo: root });
        process.stdout.write(`built ${deb}\n`);
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

try {
  main();
} catch (err) {
  process.stderr.write(`package: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
}
