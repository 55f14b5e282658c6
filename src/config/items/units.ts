/**
 * Unit maps: unit id (0..255) or a range of them ("1-247") -> { bank: NAME } or { device: NAME,
 * unit?: ID }. Used by a server and by each pool port. A range maps each of its ids, a device route
 * keeping the id unchanged; overlapping keys are found by the cross-checks (unit-checks.ts), which
 * know the lines of both keys.
 */
import { parseWhole } from '../address.js';
import { mapOf, record } from '../declare/kit.js';
import { duration, int, name } from '../declare/leaves.js';
import { failed, isMapping, problem, show, type Problem } from '../issues.js';

const SHAPE = '{ bank: NAME } or { device: NAME, unit: ID }';

/** The unit ids a key of a unit map names: "5", or the range "1-247" (0..255, FIRST <= LAST). */
export interface UnitKey {
  readonly first: number;
  readonly last: number;
}

export function parseUnitKey(k: string): { readonly value?: UnitKey; readonly error?: string } {
  const m = /^(\d+)\s*-\s*(\d+)$/.exec(k);
  if (m === null) {
    const id = parseWhole(k, 0, 255);
    return id === undefined
      ? { error: `${show(k)} is not a unit id: use 0..255, or a range FIRST-LAST such as "1-247"` }
      : { value: { first: id, last: id } };
  }
  const first = parseWhole(m[1], 0, 255);
  const last = parseWhole(m[2], 0, 255);
  if (first === undefined || last === undefined || last < first) {
    return { error: `${show(k)} is not a unit range: write FIRST-LAST with 0 <= FIRST <= LAST <= 255, e.g. "1-247"` };
  }
  return { value: { first, last } };
}

/** "7", or "1-247". */
export const showUnits = (k: UnitKey): string => (k.first === k.last ? String(k.first) : `${k.first}-${k.last}`);

function targetRules(entry: Record<string, unknown>): Problem[] {
  const hasBank = entry.bank != null;
  const hasDevice = entry.device != null;
  if (hasBank && hasDevice) return [problem([], `sets both bank and device: a unit id goes to one of them (${SHAPE})`)];
  if (!hasBank && !hasDevice) return [problem([], `needs a target: ${SHAPE}`)];
  if (hasBank && entry.unit != null) {
    return [problem(['unit'], 'only applies to a device route: a bank serves the unit id as it is')];
  }
  if (hasBank && entry.cache != null) {
    return [problem(['cache'], 'only applies to a device route: a bank is answered from memory already')];
  }
  return [];
}

export const UNIT_ENTRY = record(
  { doc: 'where requests for one unit id go' },
  {
    bank: name({ doc: 'serve this unit id from this bank (a name under banks)', example: 'plant' }),
    device: name({
      doc: 'forward requests for this unit id to this device (a gateway route; a name under devices)',
      example: 'rs485',
    }),
    unit: int({
      doc: 'unit id sent to the device, 0..255 (default: the same id); not on a range, whose ids go unchanged',
      min: 0,
      max: 255,
    }),
    cache: duration({
      doc:
        "answer a read (FC 1-4) from an identical read's reply at most this old, without asking the device; " +
        'a write through the gateway to the unit drops its cached replies; not for counters or alarms (default: no cache)',
      example: '250ms',
      min: 1,
    }),
  },
  {
    pre: (raw) => {
      if (raw === null) return failed([problem([], `has no target: write ${SHAPE}`)]);
      return isMapping(raw)
        ? { input: raw }
        : failed([problem([], `${show(raw)} is not a unit target: write ${SHAPE}`)]);
    },
    rules: targetRules,
  },
);

export const UNIT_MAP = mapOf(
  {
    doc: 'unit id (0..255) or range "FIRST-LAST" -> { bank: NAME } or { device: NAME, unit: ID }; ranges and ids must not overlap; an unmapped unit gets exception 0A (or goes to the server\'s bank or device)',
    keyDoc: 'unit id 0..255, or a range "1-247"',
    keyPattern: '^\\d+(\\s*-\\s*\\d+)?$',
    key: parseUnitKey,
    notMap: (raw) => `${show(raw)} is not a unit map: write unit id: ${SHAPE}, e.g. { 1: { bank: plant } }`,
    finish: (
      entries,
    ): ReadonlyMap<
      number,
      | { readonly kind: 'bank'; readonly bank: string }
      | { readonly kind: 'device'; readonly device: string; readonly unit: number; readonly cache?: number }
    > =>
      new Map(
        entries.flatMap(([{ first, last }, e]) =>
          Array.from({ length: last - first + 1 }, (_, i) => {
            const id = first + i;
            return [
              id,
              e.bank !== undefined
                ? ({ kind: 'bank', bank: e.bank } as const)
                : ({
                    kind: 'device',
                    device: e.device ?? '',
                    unit: e.unit ?? id,
                    ...(e.cache !== undefined ? { cache: e.cache } : {}),
                  } as const),
            ] as const;
          }),
        ),
      ),
  },
  UNIT_ENTRY,
);
