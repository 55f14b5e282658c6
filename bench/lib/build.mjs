// Builds the bench's C programs into bench/bin/ when they are missing or older than their source.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';

function libFlags(pkg, fallback) {
  try {
    return execFileSync('pkg-config', ['--cflags', '--libs', pkg], { encoding: 'utf8' })
      .trim()
      .split(/\s+/)
      .filter(Boolean);
  } catch {
    return fallback;
  }
}

/**
 * targets: [{ name, src, libs?: { pkg, fallback } }] with src relative to bench/src.
 * Returns { name: { path } | { error } }; a failed build does not throw, so the caller can skip
 * what depends on it and say why.
 */
export function ensureBuilt(benchDir, targets, log = () => {}) {
  const binDir = path.join(benchDir, 'bin');
  mkdirSync(binDir, { recursive: true });
  const result = {};
  for (const t of targets) {
    const src = path.join(benchDir, 'src', t.src);
    const out = path.join(binDir, t.name);
    if (existsSync(out) && statSync(out).mtimeMs >= statSync(src).mtimeMs) {
      result[t.name] = { path: out };
      continue;
    }
    const flags = t.libs ? libFlags(t.libs.pkg, t.libs.fallback) : [];
    const args = ['-O2', '-Wall', '-Wextra', '-o', out, src, ...flags];
    log(`building ${path.relative(process.cwd(), out)}: cc ${args.join(' ')}`);
    try {
      execFileSync('cc', args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
      result[t.name] = { path: out };
    } catch (e) {
      const why = (e.stderr || e.message || '').toString().trim().split('\n').slice(0, 6).join('\n');
      result[t.name] = { error: `cc failed for ${t.src}: ${why}` };
    }
  }
  return result;
}
