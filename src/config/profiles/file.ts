/**
 * Where a profile named in the config lives, and loading its file: a plain name is a file shipped
 * with fieldgate (`<package>/hardware/profiles/NAME.yaml`); a name with a `/` or ending in .yaml/.yml
 * is a path, relative to the config file's directory. Problems carry the PROFILE file's path, key
 * and line:col, all at once; nothing here throws for a bad file.
 */
import { basename, extname, isAbsolute, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatPath, type Path, type Problem } from '../issues.js';
import type { Position } from '../positions.js';
import { parseYaml } from '../parse-yaml.js';
import { readFileText, readFileTextSync, type FileText } from '../read-file.js';
import type { ConfigIssue, ProfileConfig } from '../types.js';
import { checkProfile } from './profile.js';

/** The profiles shipped with fieldgate (this file is src/config/profiles/ or dist/config/profiles/). */
export const SHIPPED_PROFILES = fileURLToPath(new URL('../../../hardware/profiles/', import.meta.url));

export type ProfileLoad =
  { readonly ok: true; readonly profile: ProfileConfig } | { readonly ok: false; readonly issues: ConfigIssue[] };

export function isProfilePath(name: string): boolean {
  return name.includes('/') || /\.ya?ml$/i.test(name);
}

/** Absolute path of the profile `name` for a config in `configDir`. */
export function profilePath(name: string, configDir: string): string {
  if (!isProfilePath(name)) return resolve(SHIPPED_PROFILES, `${name}.yaml`);
  return isAbsolute(name) ? name : resolve(configDir, name);
}

export type ProfileText = { readonly text: string } | { readonly error: string };

const profileText = (read: FileText): ProfileText =>
  read.ok ? { text: read.text } : { error: `cannot read the profile: ${read.reason}` };

/** Profile files read ahead (asynchronously) for the one synchronous validation running now. */
let readAhead: ReadonlyMap<string, ProfileText> | undefined;

/**
 * The file's bytes, or why it cannot be read (only a regular file of at most 4 MiB: read-file.ts).
 * Synchronous: a file read ahead by withProfileTexts is taken from there.
 */
export function readProfileText(path: string): ProfileText {
  return readAhead?.get(path) ?? profileText(readFileTextSync(path, 'no such profile file'));
}

/** The same, read without blocking the event loop. */
export async function readProfileTextAsync(path: string): Promise<ProfileText> {
  return profileText(await readFileText(path, 'no such profile file'));
}

/** Runs `validate` (synchronous) with these profile files already read: readProfileText takes them from `texts`. */
export function withProfileTexts<T>(texts: ReadonlyMap<string, ProfileText>, validate: () => T): T {
  const outer = readAhead;
  readAhead = texts;
  try {
    return validate();
  } finally {
    readAhead = outer;
  }
}

export function loadProfileFile(path: string): ProfileLoad {
  const read = readProfileText(path);
  if ('error' in read) return { ok: false, issues: [{ key: '', message: read.error, file: path, line: 0, col: 0 }] };
  return loadProfileText(read.text, path);
}

/** A profile file checked, and how to find a key of it (for messages that point into it). */
export interface ProfileSource {
  readonly result: ProfileLoad;
  readonly locate: (path: Path) => Position;
}

/** Validates `text` as the profile file at `path` (absolute). */
export function loadProfileText(text: string, path: string): ProfileLoad {
  return checkProfileSource(text, path).result;
}

export function checkProfileSource(text: string, path: string): ProfileSource {
  const parsed = parseYaml(text, path);
  if (!parsed.ok) {
    const issues = parsed.issues.map((i) => ({
      ...i,
      message: i.message.replace(
        /expected a mapping of sections \(.*\)$/,
        'expected a profile: profile, format, framing, fields, ...',
      ),
    }));
    return { result: { ok: false, issues }, locate: () => ({ line: 0, col: 0 }) };
  }
  const locate = (p: Path, at?: 'key'): Position => parsed.locator.locate(p, at);
  const checked = checkProfile(parsed.value, basename(path, extname(path)), path);
  if (checked.value !== undefined) return { result: { ok: true, profile: checked.value }, locate };
  const located = (p: Problem): ConfigIssue => ({
    key: formatPath(p.path),
    message: p.message,
    file: path,
    ...locate(p.path, p.at),
  });
  const issues = checked.problems.map(located).sort((a, b) => a.line - b.line || a.col - b.col);
  return { result: { ok: false, issues }, locate };
}
