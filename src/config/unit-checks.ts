/**
 * Unit maps across their keys: a unit id goes to one target, so two keys of one map (ids or
 * ranges) must not name the same id; a range routes its ids unchanged, so it takes no `unit:`.
 * A pool port's map is checked on its own: its entries take precedence over the server's, by design.
 * Read from the raw document (keys that do not parse are reported by the schema). An overlap is
 * reported at the later key as the mapping is read, which puts integer keys first: a range that
 * covers a single id is the one reported, naming the id and its line.
 */
import { isMapping, problem, show, type Path, type Problem } from './issues.js';
import { parseUnitKey, showUnits, type UnitKey } from './items/units.js';
import type { Where } from './cross-checks.js';

export function unitMapChecks(units: unknown, path: Path, where: Where): Problem[] {
  if (!isMapping(units)) return [];
  const problems: Problem[] = [];
  const seen: [string, UnitKey][] = [];
  for (const [k, target] of Object.entries(units)) {
    const key = parseUnitKey(k).value;
    if (key === undefined) continue;
    if (key.first !== key.last && isMapping(target) && target.unit != null) {
      problems.push(
        problem(
          [...path, k, 'unit'],
          `a range routes each of its unit ids unchanged: map a single id to send it as unit ${show(target.unit)}`,
          'key',
        ),
      );
    }
    const other = seen.find(([, o]) => o.first <= key.last && key.first <= o.last);
    if (other !== undefined) {
      const [otherKey, o] = other;
      const shared = { first: Math.max(o.first, key.first), last: Math.min(o.last, key.last) };
      const ids = shared.first === shared.last ? `unit id ${shared.first}` : `unit ids ${showUnits(shared)}`;
      problems.push(
        problem(
          [...path, k],
          `overlaps ${JSON.stringify(otherKey)} (${where([...path, otherKey])}) at ${ids}: a unit id goes to one target; narrow the range so the keys do not overlap`,
          'key',
        ),
      );
    }
    seen.push([k, key]);
  }
  return problems;
}

/** Every unit map of every Modbus server: the server's and its pool ports'. */
export function unitChecks(servers: unknown, where: Where): Problem[] {
  if (!Array.isArray(servers)) return [];
  return servers.flatMap((server: unknown, i) => {
    if (!isMapping(server) || server.protocol === 'raw') return [];
    const ports = isMapping(server.ports) ? Object.entries(server.ports) : [];
    return [
      ...unitMapChecks(server.units, ['servers', i, 'units'], where),
      ...ports.flatMap(([port, entry]) =>
        isMapping(entry) ? unitMapChecks(entry.units, ['servers', i, 'ports', port, 'units'], where) : [],
      ),
    ];
  });
}
