/**
 * The `fieldgate simulate` command: parse, load the profile, play it until stopped or until --count
 * is reached. Signals and exit codes stay in cli.ts: it hands in the output streams and a promise
 * that resolves on SIGINT/SIGTERM. A wrong command line throws FG_ERR_USAGE (exit 64), a bad
 * profile FG_ERR_CONFIG (exit 78) with every problem of the profile file.
 */
import { existsSync, readdirSync } from 'node:fs';
import { formatIssue } from '../config/load.js';
import { isProfilePath, loadProfileFile, profilePath, SHIPPED_PROFILES } from '../config/profiles/file.js';
import type { ProfileConfig } from '../config/types.js';
import { FieldgateError } from '../errors.js';
import { parseSimulateArgs } from './options.js';
import { startSimulation } from './simulate.js';
import type { Say } from './types.js';

export interface SimulateIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** Resolves with the signal's name when the user stops the command. */
  readonly stopRequested: Promise<string>;
  /** Profile paths are relative to this directory. */
  readonly cwd: string;
}

/** The names of the profiles shipped with fieldgate (hardware/profiles/NAME.yaml), sorted. */
export function shippedProfiles(): string[] {
  try {
    return readdirSync(SHIPPED_PROFILES)
      .filter((f) => /\.ya?ml$/.test(f))
      .map((f) => f.replace(/\.ya?ml$/, ''))
      .sort();
  } catch {
    return [];
  }
}

/** A profile that is not there is a mistake on the command line: say which ones are. */
function noSuchProfile(name: string, path: string): FieldgateError {
  const shipped = shippedProfiles();
  const list =
    shipped.length > 0 ? `the shipped ones are ${shipped.join(', ')}` : 'no profiles are shipped in this installation';
  const what = isProfilePath(name) ? `no profile file ${path}` : `no profile "${name}"`;
  return new FieldgateError(
    'FG_ERR_USAGE',
    `simulate: ${what}: ${list} (or give the path to a profile file, e.g. ./profiles/my-board.yaml)`,
  );
}

export function loadProfileOrThrow(name: string, cwd: string): ProfileConfig {
  const path = profilePath(name, cwd);
  if (!existsSync(path)) throw noSuchProfile(name, path);
  const loaded = loadProfileFile(path);
  if (loaded.ok) return loaded.profile;
  throw new FieldgateError(
    'FG_ERR_CONFIG',
    `the profile ${path} is not valid (${loaded.issues.length} problem(s)):`,
    loaded.issues.map(formatIssue),
  );
}

/** `event key=value ...` on stderr, one line per connection or error. */
function sayTo(stderr: SimulateIo['stderr']): Say {
  return (event, fields = {}) => {
    const parts = Object.entries(fields).map(
      ([k, v]) => `${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`,
    );
    stderr.write(`fieldgate simulate: ${[event, ...parts].join(' ')}\n`);
  };
}

export async function simulateCommand(argv: readonly string[], io: SimulateIo): Promise<number> {
  const options = parseSimulateArgs(argv);
  const profile = loadProfileOrThrow(options.profile, io.cwd);
  const say = sayTo(io.stderr);
  const sim = await startSimulation(profile, options, say);
  io.stdout.write(
    `playing ${sim.what}${options.count !== undefined ? `, ${options.count} times` : ''} (Ctrl-C stops)\n`,
  );
  const why = await Promise.race([sim.done.then(() => 'count reached'), io.stopRequested]);
  await sim.stop();
  say('stopped', { reason: why, count: sim.count() });
  return 0;
}
