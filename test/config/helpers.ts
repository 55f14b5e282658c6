/** Test helpers: load a fixture and find where things are in it. */
import { formatIssue, loadConfigText } from '../../src/config/load.js';
import type { ConfigIssue, GatewayConfig, LoadResult } from '../../src/config/types.js';

export const FILE = 'test.yaml';

export function load(text: string): LoadResult {
  return loadConfigText(text, FILE);
}

export function configOf(result: LoadResult): GatewayConfig {
  if (!result.ok) throw new Error(`expected a config, got:\n${result.issues.map(formatIssue).join('\n')}`);
  return result.config;
}

export function issuesOf(result: LoadResult): readonly ConfigIssue[] {
  if (result.ok) throw new Error('expected issues, but the config loaded');
  return result.issues;
}

/**
 * 1-based line:col of the character after `^` in `marked`, found (without the `^`) in `text`:
 * at(text, 'listen: ^0.0.0.0:70000') is where the value starts. `nth` picks a later occurrence.
 */
export function at(text: string, marked: string, nth = 1): { line: number; col: number } {
  const caret = marked.indexOf('^');
  const needle = marked.replace('^', '');
  let index = -1;
  for (let i = 0; i < nth; i++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`fixture does not contain ${JSON.stringify(needle)} ${nth} times`);
  }
  const before = text.slice(0, index + Math.max(caret, 0)).split('\n');
  return { line: before.length, col: (before.at(-1) ?? '').length + 1 };
}

/** The one issue with this key (fails when there is none or several). */
export function issueAt(issues: readonly ConfigIssue[], key: string): ConfigIssue {
  const found = issues.filter((i) => i.key === key);
  if (found.length !== 1) {
    throw new Error(`expected one issue at ${key}, found ${found.length}:\n${issues.map(formatIssue).join('\n')}`);
  }
  return found[0] as ConfigIssue;
}

/** A minimal valid config plus `extra` YAML (top-level sections), for tests of one feature. */
export function withBase(extra: string): string {
  return `banks:\n  plant: { holding: 10 }\n${extra}`;
}
