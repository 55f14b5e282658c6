/**
 * Unit maps: unit id (0..255) -> { bank: NAME } or { device: NAME, unit?: ID }. Used by a server
 * and by each pool port.
 */
import { parseWhole } from '../address.js';
import { mapOf, record } from '../declare/kit.js';
import { duration, int, name } from '../declare/leaves.js';
import { failed, isMapping, problem, show, type Problem } from '../issues.js';

const SHAPE = '{ bank: NAME } or { device: NAME, unit: ID }';

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
    unit: int({ doc: 'unit id sent to the device, 0..255 (default: the same id)', min: 0, max: 255 }),
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
    doc: 'unit id (0..255) -> { bank: NAME } or { device: NAME, unit: ID }; an unmapped unit gets exception 0A',
    keyDoc: 'unit id 0..255',
    keyPattern: '^\\d+$',
    key: (k) => {
      const id = parseWhole(k, 0, 255);
      return id === undefined ? { error: `${show(k)} is not a unit id: use 0..255` } : { value: id };
    },
    notMap: (raw) => `${show(raw)} is not a unit map: write unit id: ${SHAPE}, e.g. { 1: { bank: plant } }`,
    finish: (
      entries,
    ): ReadonlyMap<
      number,
      | { readonly kind: 'bank'; readonly bank: string }
      | { readonly kind: 'device'; readonly device: string; readonly unit: number; readonly cache?: number }
    > =>
      new Map(
        entries.map(([id, e]) => [
          id,
          e.bank !== undefined
            ? { kind: 'bank', bank: e.bank }
            : {
                kind: 'device',
                device: e.device ?? '',
                unit: e.unit ?? id,
                ...(e.cache !== undefined ? { cache: e.cache } : {}),
              },
        ]),
      ),
  },
  UNIT_ENTRY,
);
