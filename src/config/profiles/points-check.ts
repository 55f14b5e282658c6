/**
 * A profile against the bank it fills: the bank exists, every field's point and every bit's point
 * is declared in it, bits land in bool points, text lands in string points and numbers do not.
 * Problems are reported at the config key that names the bank (or the profile), and point into the
 * profile file for the field.
 */
import { isMapping, problem, show, type Path, type Problem } from '../issues.js';
import type { ProfileConfig } from '../types.js';
import type { ProfileSource } from './file.js';
import type { ProfileRef } from './refs.js';

type Raw = Record<string, unknown>;

function pointTypes(bank: unknown): Map<string, string> {
  const points = isMapping(bank) && Array.isArray(bank.points) ? bank.points : [];
  return new Map(
    points.flatMap((p: unknown) =>
      isMapping(p) && typeof p.name === 'string'
        ? [[p.name, typeof p.type === 'string' ? p.type : 'uint16'] as const]
        : [],
    ),
  );
}

interface Need {
  readonly point: string;
  readonly kind: 'bool' | 'string' | 'number';
  readonly field: number;
  readonly what: string;
}

function needs(profile: ProfileConfig): Need[] {
  return profile.fields.flatMap((f, i): Need[] => [
    ...(f.point !== undefined
      ? [
          {
            point: f.point,
            kind: f.type === 'string' ? ('string' as const) : ('number' as const),
            field: i,
            what: `field ${f.name}`,
          },
        ]
      : []),
    ...[...(f.bits ?? [])].map(([bit, point]) => ({
      point,
      kind: 'bool' as const,
      field: i,
      what: `bit ${bit} of field ${f.name}`,
    })),
  ]);
}

function kindProblem(need: Need, type: string): string | undefined {
  if (need.kind === 'bool' && type !== 'bool') return `is a ${type} point: a bit lands in a bool point`;
  if (need.kind === 'string' && type !== 'string') return `is a ${type} point: text lands in a string point`;
  if (need.kind === 'number' && type === 'string') return 'is a string point: a number cannot land in it';
  return undefined;
}

function bankProblems(
  ref: ProfileRef,
  profile: ProfileConfig,
  source: ProfileSource,
  banks: Raw,
  bank: string,
  path: Path,
): Problem[] {
  if (!Object.hasOwn(banks, bank)) {
    const known = Object.keys(banks);
    return [
      problem(
        path,
        `bank "${bank}" is not defined under banks (${known.length > 0 ? `defined: ${known.join(', ')}` : 'none is defined'})`,
      ),
    ];
  }
  const points = pointTypes(banks[bank]);
  const at = (need: Need) => {
    const pos = source.locate(['fields', need.field]);
    return `${profile.file}:${pos.line}:${pos.col}`;
  };
  const missing = needs(profile).filter((n) => !points.has(n.point));
  const problems: Problem[] = [];
  if (missing.length > 0) {
    const list = missing.map((n) => n.point).join(', ');
    problems.push(
      problem(
        path,
        `bank "${bank}" has no point ${list}, which profile ${profile.name} stores into (first: ${missing[0]?.what}, ${missing[0] ? at(missing[0]) : ''}): declare them under banks.${bank}.points, or write point: null on fields you do not keep`,
      ),
    );
  }
  for (const need of needs(profile)) {
    const type = points.get(need.point);
    const bad = type === undefined ? undefined : kindProblem(need, type);
    if (bad !== undefined)
      problems.push(
        problem(
          path,
          `point ${show(need.point)} of bank "${bank}" ${bad} (${need.what} of profile ${profile.name}, ${at(need)})`,
        ),
      );
  }
  return problems;
}

export function pointsChecks(
  refs: readonly ProfileRef[],
  top: Raw,
  profiles: ReadonlyMap<string, ProfileConfig>,
  sources: ReadonlyMap<string, ProfileSource>,
): Problem[] {
  const banks = isMapping(top.banks) ? top.banks : {};
  return refs.flatMap((ref) => {
    const profile = profiles.get(ref.name);
    const source = sources.get(ref.name);
    if (profile === undefined || source === undefined) return [];
    return ref.banks.flatMap(({ bank, path }) => bankProblems(ref, profile, source, banks, bank, path));
  });
}
