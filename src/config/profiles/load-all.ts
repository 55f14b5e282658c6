/**
 * Every profile the config names, loaded while the config is loaded (so `fieldgate check` and a
 * reload report profile errors). A profile's own problems are reported with the PROFILE file's
 * path, key and line:col, and say which config key uses it; a profile that cannot be found is
 * reported at the config key that names it. Results are reused while a file's bytes stay the same.
 */
import { dirname } from 'node:path';
import { readdirSync } from 'node:fs';
import { problem, type Problem } from '../issues.js';
import type { ConfigIssue, ProfileConfig } from '../types.js';
import {
  checkProfileSource,
  isProfilePath,
  profilePath,
  readProfileText,
  SHIPPED_PROFILES,
  type ProfileSource,
} from './file.js';
import type { ProfileRef } from './refs.js';

export interface LoadedProfiles {
  /** name as written -> profile (only those that loaded). */
  readonly profiles: Map<string, ProfileConfig>;
  readonly sources: Map<string, ProfileSource>;
  /** path -> bytes of every profile file named (null: it could not be read); a reload compares them. */
  readonly texts: Map<string, string | null>;
  /** At the config keys that name profiles. */
  readonly problems: Problem[];
  /** In the profile files. */
  readonly issues: ConfigIssue[];
}

const MAX_REMEMBERED = 256;
const remembered = new Map<string, { readonly text: string; readonly source: ProfileSource }>();

function checked(path: string, text: string): ProfileSource {
  const known = remembered.get(path);
  if (known?.text === text) return known.source;
  const source = checkProfileSource(text, path);
  if (remembered.size >= MAX_REMEMBERED) remembered.clear();
  remembered.set(path, { text, source });
  return source;
}

function shipped(): string {
  try {
    const names = readdirSync(SHIPPED_PROFILES)
      .filter((f) => f.endsWith('.yaml'))
      .map((f) => f.slice(0, -5));
    return names.length > 0 ? `shipped profiles: ${names.join(', ')}` : 'no profiles are shipped';
  } catch {
    return 'no profiles are shipped';
  }
}

/** `where`: "file:line:col" of a config key, to say in a profile's issues who uses it. */
export function loadProfiles(
  refs: readonly ProfileRef[],
  configFile: string,
  where: (ref: ProfileRef) => string,
): LoadedProfiles {
  const out: LoadedProfiles = { profiles: new Map(), sources: new Map(), texts: new Map(), problems: [], issues: [] };
  const reported = new Set<string>();
  for (const ref of refs) {
    const path = profilePath(ref.name, dirname(configFile));
    const known = out.texts.get(path);
    const read = typeof known === 'string' ? { text: known } : readProfileText(path);
    if ('error' in read) {
      out.texts.set(path, null);
      const hint = isProfilePath(ref.name) ? 'a path is relative to the config file' : shipped();
      out.problems.push(problem(ref.path, `profile ${JSON.stringify(ref.name)}: ${read.error} (${path}; ${hint})`));
      continue;
    }
    out.texts.set(path, read.text);
    const source = checked(path, read.text);
    out.sources.set(ref.name, source);
    if (source.result.ok) out.profiles.set(ref.name, source.result.profile);
    else if (!reported.has(path)) {
      reported.add(path);
      out.issues.push(
        ...source.result.issues.map((i) => ({ ...i, message: `${i.message} (profile used by ${where(ref)})` })),
      );
      out.problems.push(
        problem(
          ref.path,
          `profile ${JSON.stringify(ref.name)} has ${source.result.issues.length} problem(s), listed with its file ${path}`,
        ),
      );
    }
  }
  return out;
}
