/**
 * The profile part of loading a config: find where profiles are named, load them, check them
 * against the banks they fill and the pool ports that give those banks.
 */
import type { Problem } from '../issues.js';
import { formatPath } from '../issues.js';
import type { ConfigIssue, ProfileConfig } from '../types.js';
import { loadProfiles } from './load-all.js';
import { pointsChecks } from './points-check.js';
import { poolBankChecks } from './pool-banks.js';
import { profileRefs } from './refs.js';

export interface ConfigProfiles {
  readonly profiles: Map<string, ProfileConfig>;
  /** path -> bytes of every profile file named (null: it could not be read). */
  readonly texts: ReadonlyMap<string, string | null>;
  /** At keys of the config file. */
  readonly problems: readonly Problem[];
  /** In profile files. */
  readonly issues: readonly ConfigIssue[];
}

/** `locate`: "file:line:col" of a key of the config file. */
export function configProfiles(
  top: Record<string, unknown>,
  configFile: string,
  locate: (path: readonly (string | number)[]) => string,
): ConfigProfiles {
  const refs = profileRefs(top);
  const loaded = loadProfiles(refs, configFile, (ref) => `${formatPath(ref.path)} at ${locate(ref.path)}`);
  return {
    profiles: loaded.profiles,
    texts: loaded.texts,
    problems: [...loaded.problems, ...poolBankChecks(top), ...pointsChecks(refs, top, loaded.profiles, loaded.sources)],
    issues: loaded.issues,
  };
}
