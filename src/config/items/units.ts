/**
 * Unit maps: unit id (0..255) -> { bank: NAME } or { device: NAME, unit?: ID }. Used by a server
 * and by each pool port. Each entry is validated with its own convict schema (strict).
 */
import { parseWhole } from '../address.js';
import type { SchemaDef } from '../convict-bridge.js';
import { INT, NAME } from '../formats.js';
import { failed, isMapping, ok, problem, show, under, type Checked, type Problem } from '../issues.js';
import { runSchema } from '../run-schema.js';
import type { UnitTarget } from '../types.js';

export const UNIT_ENTRY: SchemaDef = {
  bank: { doc: 'serve this unit id from this bank (a name under banks)', format: NAME, default: undefined },
  device: {
    doc: 'forward requests for this unit id to this device (a gateway route; a name under devices)',
    format: NAME,
    default: undefined,
  },
  unit: {
    doc: 'unit id sent to the device, 0..255 (default: the same id)',
    format: INT,
    min: 0,
    max: 255,
    default: undefined,
  },
};

interface UnitEntryProps {
  bank?: string;
  device?: string;
  unit?: number;
}

const SHAPE = '{ bank: NAME } or { device: NAME, unit: ID }';

export function checkUnitMap(raw: unknown): Checked<Map<number, UnitTarget>> {
  if (!isMapping(raw)) {
    return failed([problem([], `${show(raw)} is not a unit map: write unit id: ${SHAPE}, e.g. { 1: { bank: plant } }`)]);
  }
  const problems: Problem[] = [];
  const units = new Map<number, UnitTarget>();
  for (const [key, entry] of Object.entries(raw)) {
    const id = parseWhole(key, 0, 255);
    if (id === undefined) {
      problems.push(problem([key], `${show(key)} is not a unit id: use 0..255`, 'key'));
      continue;
    }
    const target = checkUnitEntry(id, entry);
    problems.push(...under([key], target.problems));
    if (target.value !== undefined) units.set(id, target.value);
  }
  return problems.length > 0 ? failed(problems) : ok(units);
}

/** Problems only, for the schema's `check`. */
export function unitMapProblems(raw: unknown): readonly Problem[] {
  return checkUnitMap(raw).problems;
}

function checkUnitEntry(id: number, entry: unknown): Checked<UnitTarget> {
  if (entry === null) return failed([problem([], `has no target: write ${SHAPE}`)]);
  if (!isMapping(entry)) return failed([problem([], `${show(entry)} is not a unit target: write ${SHAPE}`)]);
  const checked = runSchema<UnitEntryProps>(UNIT_ENTRY, entry);
  const problems = [...checked.problems, ...targetRules(entry)];
  if (problems.length > 0 || checked.value === undefined) return failed(problems);
  const { bank, device, unit } = checked.value;
  if (bank !== undefined) return ok({ kind: 'bank', bank });
  return ok({ kind: 'device', device: device ?? '', unit: unit ?? id });
}

function targetRules(entry: Record<string, unknown>): Problem[] {
  const hasBank = entry.bank != null;
  const hasDevice = entry.device != null;
  if (hasBank && hasDevice) return [problem([], `sets both bank and device: a unit id goes to one of them (${SHAPE})`)];
  if (!hasBank && !hasDevice) return [problem([], `needs a target: ${SHAPE}`)];
  if (hasBank && entry.unit != null) {
    return [problem(['unit'], 'only applies to a device route: a bank serves the unit id as it is')];
  }
  return [];
}
