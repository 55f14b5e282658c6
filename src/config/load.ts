/**
 * Loading the configuration file (DESIGN §2.2, §3.5): read, parse YAML keeping positions, validate
 * the whole document (schema + cross-checks), then either every problem with file:line:col, or the
 * normalized config, deep-frozen. Nothing here throws for a bad file.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { configProfiles } from './profiles/config-profiles.js';
import { crossCheck } from './cross-checks.js';
import { deepFreeze } from './freeze.js';
import { formatPath, type Problem } from './issues.js';
import { normalize } from './normalize.js';
import { parseYaml } from './parse-yaml.js';
import type { Locator } from './positions.js';
import { runSchema } from './run-schema.js';
import { NOT_YET, TOP, type TopProps } from './schema.js';
import type { ConfigIssue, LoadResult } from './types.js';

export { formatIssue } from './issues.js';

export function loadConfigFile(path: string): LoadResult {
  const text = readConfigText(path);
  return typeof text === 'string' ? loadConfigFileText(text, path) : text;
}

/** The file's text, or the issue that says why it cannot be read. */
export function readConfigText(path: string): string | LoadResult {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    return { ok: false, issues: [{ key: '', message: readError(err), file: path, line: 0, col: 0 }] };
  }
}

/** Validates `text` as the content of the file at `path` (what loadConfigFile does after reading). */
export function loadConfigFileText(text: string, path: string): LoadResult {
  return load(text, path, resolve(path)).result;
}

/** The same, with the bytes of every profile file the config named (path -> text, null: unreadable): a reload compares them. */
export function loadConfigFileSources(text: string, path: string): { readonly result: LoadResult; readonly profileTexts: ReadonlyMap<string, string | null> } {
  return load(text, path, resolve(path));
}

/** `file` names the text in issues, and becomes `config.file`. */
export function loadConfigText(text: string, file: string): LoadResult {
  return load(text, file, file).result;
}

function load(text: string, file: string, configFile: string): { result: LoadResult; profileTexts: ReadonlyMap<string, string | null> } {
  const parsed = parseYaml(text, file);
  if (!parsed.ok) return { result: { ok: false, issues: parsed.issues }, profileTexts: new Map() };
  const { value, locator } = parsed;
  const checked = runSchema<TopProps>(TOP, value, NOT_YET);
  const where = (path: readonly (string | number)[]): string => `line ${locator.locate(path).line}`;
  const at = (path: readonly (string | number)[]): string => `${file}:${locator.locate(path).line}:${locator.locate(path).col}`;
  const profiles = configProfiles(value, configFile, at);
  const problems = [...checked.problems, ...crossCheck(value, where), ...profiles.problems];
  if (problems.length > 0 || profiles.issues.length > 0 || checked.value === undefined) {
    return { result: { ok: false, issues: [...toIssues(problems, locator, file), ...profiles.issues] }, profileTexts: profiles.texts };
  }
  const config = deepFreeze({ ...normalize(checked.value, configFile), profiles: profiles.profiles });
  return { result: { ok: true, config }, profileTexts: profiles.texts };
}

/** Positioned, without repeats, in file order. */
function toIssues(problems: readonly Problem[], locator: Locator, file: string): ConfigIssue[] {
  const seen = new Set<string>();
  const issues: ConfigIssue[] = [];
  for (const p of problems) {
    const key = formatPath(p.path);
    if (seen.has(`${key}\n${p.message}`)) continue;
    seen.add(`${key}\n${p.message}`);
    issues.push({ key, message: p.message, file, ...locator.locate(p.path, p.at) });
  }
  return issues.sort((a, b) => a.line - b.line || a.col - b.col);
}

function readError(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const reason =
    code === 'ENOENT' ? 'no such file'
    : code === 'EACCES' || code === 'EPERM' ? 'permission denied'
    : code === 'EISDIR' ? 'it is a directory, not a file'
    : err instanceof Error ? err.message : String(err);
  return `cannot read the configuration file: ${reason}`;
}
