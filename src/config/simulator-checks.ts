/**
 * Cross-section checks of `type: simulator` devices: the bank exists, and every signal names a
 * point of that bank that can hold it (text into string points only, numbers not into string
 * points). Read from the raw document like the other cross-checks; what does not parse is left to
 * the schema.
 */
import { isMapping, problem, show, type Problem } from './issues.js';

/** point name -> type, of each bank that declares points. */
function pointTypes(bank: unknown): Map<string, unknown> {
  const points = isMapping(bank) && Array.isArray(bank.points) ? bank.points : [];
  return new Map(
    points.flatMap((p: unknown) => (isMapping(p) && typeof p.name === 'string' ? [[p.name, p.type] as const] : [])),
  );
}

export function simulatorChecks(top: Record<string, unknown>): Problem[] {
  if (!Array.isArray(top.devices)) return [];
  const banks = isMapping(top.banks) ? top.banks : {};
  return top.devices.flatMap((device: unknown, i): Problem[] => {
    if (!isMapping(device) || device.type !== 'simulator' || typeof device.bank !== 'string') return [];
    const name = device.bank;
    if (!Object.hasOwn(banks, name)) {
      const known = Object.keys(banks);
      return [
        problem(
          ['devices', i, 'bank'],
          `bank "${name}" is not defined under banks (${known.length ? `defined: ${known.join(', ')}` : 'none is defined'})`,
        ),
      ];
    }
    if (!isMapping(device.signals)) return [];
    const points = pointTypes(banks[name]);
    return Object.entries(device.signals).flatMap(([point, signal]) =>
      signalCheck(name, points, point, signal, ['devices', i, 'signals', point]),
    );
  });
}

function signalCheck(
  bank: string,
  points: Map<string, unknown>,
  point: string,
  signal: unknown,
  path: (string | number)[],
): Problem[] {
  if (!points.has(point)) {
    const known = [...points.keys()];
    return [
      problem(
        path,
        `bank "${bank}" has no point "${point}" (${known.length ? `its points: ${known.join(', ')}` : 'it declares no points: add them under points:'})`,
        'key',
      ),
    ];
  }
  const type = points.get(point);
  const text =
    typeof signal === 'string' ||
    (isMapping(signal) && signal.signal === 'constant' && typeof signal.value === 'string');
  if (text && type !== 'string')
    return [
      problem(
        path,
        `${show(isMapping(signal) ? signal.value : signal)} is text, but point "${point}" is a ${String(type)}: text goes into string points`,
      ),
    ];
  if (!text && type === 'string' && isMapping(signal) && signal.signal !== 'constant') {
    return [
      problem(path, `point "${point}" is a string: give it a constant text, not a ${String(signal.signal)} signal`),
    ];
  }
  return [];
}
