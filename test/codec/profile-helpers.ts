/** Profiles for codec tests, built from YAML text with the real loader (so they are what the daemon sees). */
import { loadProfileText } from '../../src/config/profiles/index.js';
import type { ProfileConfig } from '../../src/config/types.js';

export function profileOf(name: string, yaml: string): ProfileConfig {
  const result = loadProfileText(`profile: ${name}\n${yaml}`, `/profiles/${name}.yaml`);
  if (!result.ok) throw new Error(result.issues.map((i) => `${i.line}:${i.col} ${i.key}: ${i.message}`).join('\n'));
  return result.profile;
}
