/** YAML text -> JS value plus the syntax tree that maps key paths to line:col. */
import { LineCounter, parseDocument, type Document } from 'yaml';
import { isMapping, show, type Parsed } from './issues.js';
import { Locator } from './positions.js';
import type { ConfigIssue } from './types.js';

export type ParsedYaml =
  | { readonly ok: true; readonly value: Record<string, unknown>; readonly locator: Locator }
  | { readonly ok: false; readonly issues: ConfigIssue[] };

const SECTIONS = 'gateway, log, status, banks, servers, devices';

export function parseYaml(text: string, file: string): ParsedYaml {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, merge: true, uniqueKeys: true });
  const issue = (offset: number, message: string): ConfigIssue => ({
    key: '',
    message,
    file,
    ...lines.linePos(offset),
  });
  const errors = [...doc.errors, ...doc.warnings];
  if (errors.length > 0) {
    return { ok: false, issues: errors.map((e) => issue(e.pos[0], `YAML syntax error: ${e.message}`)) };
  }
  const js = toJs(doc);
  if (js.error !== undefined) return { ok: false, issues: [issue(0, js.error)] };
  const value = js.value;
  if (!isMapping(value)) {
    const found = value === null ? 'the file is empty' : `the file holds ${show(value)}`;
    return { ok: false, issues: [issue(0, `${found}: expected a mapping of sections (${SECTIONS})`)] };
  }
  return { ok: true, value, locator: new Locator(doc, lines) };
}

function toJs(doc: Document): Parsed<unknown> {
  try {
    return { value: doc.toJS({ maxAliasCount: 100 }) as unknown };
  } catch (err) {
    return { error: `YAML cannot be read: ${err instanceof Error ? err.message : String(err)}` };
  }
}
