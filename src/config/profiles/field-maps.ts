/** The mappings inside a profile field: `bits:` (bit -> bool point) and an enum's `values:` (word -> number). */
import { parseWhole } from '../address.js';
import { checkName } from '../formats.js';
import { isMapping, problem, show, type Problem } from '../issues.js';

export function checkBits(raw: unknown): string | Problem[] {
  if (!isMapping(raw) || Object.keys(raw).length === 0) return `${show(raw)} is not a mapping of bit -> point, e.g. { 0: running, 1: fault }`;
  const problems: Problem[] = [];
  for (const [bit, name] of Object.entries(raw)) {
    if (parseWhole(bit, 0, 31) === undefined) problems.push(problem([bit], `${show(bit)} is not a bit number: 0 (least significant) .. 31`, 'key'));
    const bad = checkName(name);
    if (bad !== undefined) problems.push(problem([bit], bad));
  }
  return problems;
}

export function checkEnumValues(raw: unknown): string | Problem[] {
  if (!isMapping(raw) || Object.keys(raw).length === 0) return `${show(raw)} is not a mapping of word -> number, e.g. { OK: 1, NG: 2 }`;
  return Object.entries(raw).flatMap(([word, v]) =>
    typeof v === 'number' && Number.isFinite(v) ? [] : [problem([word], `${show(v)} is not a number`)]);
}
