/**
 * Loading the configuration file: read, parse YAML keeping positions, validate the whole document
 * (schema + cross-checks), then either every problem with file:line:col, or the normalized config,
 * deep-frozen. Nothing here throws for a bad file. Only a regular file of at most 4 MiB is read
 * (read-file.ts), the config and every profile it names; start and reload use the async loaders,
 * which read every file without blocking the event loop.
 */
import { dirname, resolve } from 'node:path';
import { configProfiles } from './profiles/config-profiles.js';
import { crossCheck } from './cross-checks.js';
import { deepFreeze } from './freeze.js';
import { formatPath, type Problem } from './issues.js';
import { parseYaml, type ParsedYaml } from './parse-yaml.js';
import type { Locator } from './positions.js';
import { profilePath, readProfileTextAsync, withProfileTexts, type ProfileText } from './profiles/file.js';
import { profileRefs } from './profiles/refs.js';
import { readFileText, readFileTextSync, type FileText } from './read-file.js';
import { check } from './declare/walk.js';
import { TOP } from './schema.js';
import type { ConfigIssue, LoadResult } from './types.js';

export { formatIssue } from './issues.js';

/** What the validation of a config file gives: the result, and the bytes of every profile it named. */
export interface LoadedSources {
  readonly result: LoadResult;
  /** path -> bytes of every profile file the config named (null: unreadable): a reload compares them. */
  readonly profileTexts: ReadonlyMap<string, string | null>;
}

/** Reads and validates the file, synchronously (tools and tests; the daemon uses loadConfigFileAsync). */
export function loadConfigFile(path: string): LoadResult {
  const text = readConfigText(path);
  return typeof text === 'string' ? loadConfigFileText(text, path) : text;
}

/** Reads and validates the file and its profiles without blocking the event loop (start, reload, check). */
export async function loadConfigFileAsync(path: string): Promise<LoadResult> {
  const text = await readConfigTextAsync(path);
  return typeof text === 'string' ? (await loadConfigSourcesAsync(text, path)).result : text;
}

/** The file's text, or the issue that says why it cannot be read. */
export function readConfigText(path: string): string | LoadResult {
  return configText(readFileTextSync(path), path);
}

/** The same, read without blocking the event loop. */
export async function readConfigTextAsync(path: string): Promise<string | LoadResult> {
  return configText(await readFileText(path), path);
}

function configText(read: FileText, path: string): string | LoadResult {
  if (read.ok) return read.text;
  return {
    ok: false,
    issues: [{ key: '', message: `cannot read the configuration file: ${read.reason}`, file: path, line: 0, col: 0 }],
  };
}

/** Validates `text` as the content of the file at `path` (what loadConfigFile does after reading). */
export function loadConfigFileText(text: string, path: string): LoadResult {
  return load(text, path, resolve(path)).result;
}

/** The same, with the bytes of every profile file the config named: a reload compares them. */
export function loadConfigFileSources(text: string, path: string): LoadedSources {
  return load(text, path, resolve(path));
}

/** The same, the profile files read first without blocking the event loop. */
export async function loadConfigSourcesAsync(text: string, path: string): Promise<LoadedSources> {
  const configFile = resolve(path);
  const parsed = parseYaml(text, path);
  if (!parsed.ok) return validate(parsed, path, configFile);
  const texts = new Map<string, ProfileText>();
  for (const ref of profileRefs(parsed.value)) {
    const at = profilePath(ref.name, dirname(configFile));
    if (!texts.has(at)) texts.set(at, await readProfileTextAsync(at));
  }
  return withProfileTexts(texts, () => validate(parsed, path, configFile));
}

/** `file` names the text in issues, and becomes `config.file`. */
export function loadConfigText(text: string, file: string): LoadResult {
  return load(text, file, file).result;
}

function load(text: string, file: string, configFile: string): LoadedSources {
  return validate(parseYaml(text, file), file, configFile);
}

function validate(parsed: ParsedYaml, file: string, configFile: string): LoadedSources {
  if (!parsed.ok) return { result: { ok: false, issues: parsed.issues }, profileTexts: new Map() };
  const { value, locator } = parsed;
  const checked = check(TOP, value);
  const where = (path: readonly (string | number)[]): string => `line ${locator.locate(path).line}`;
  const at = (path: readonly (string | number)[]): string =>
    `${file}:${locator.locate(path).line}:${locator.locate(path).col}`;
  const profiles = configProfiles(value, configFile, at);
  const problems = [...checked.problems, ...crossCheck(value, where), ...profiles.problems];
  if (problems.length > 0 || profiles.issues.length > 0 || checked.value === undefined) {
    return {
      result: { ok: false, issues: [...toIssues(problems, locator, file), ...profiles.issues] },
      profileTexts: profiles.texts,
    };
  }
  const config = deepFreeze({ file: configFile, ...checked.value, profiles: profiles.profiles });
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
