/**
 * Cross-section checks of `commands`: names unique; the bank exists and has the point, in a table
 * clients can write (holding or coils); the device exists and is a raw device (tcp or serial); every
 * placeholder of the frame names the written value or a point of the bank (a number point for a
 * binary field); `on: rising` is not used on text; `reset` only on a point that can hold 0. Read from
 * the raw document like the other cross-checks; what does not parse is left to the schema.
 */
import { intRange } from '../codec/point-codec.js';
import { parseTemplate, placeholderNames, singlePlaceholder } from '../commands/template.js';
import { isMapping, problem, show, type Path, type Problem } from './issues.js';

type Where = (path: Path) => string;
type Raw = Record<string, unknown>;

const RAW_DEVICES = ['tcp', 'serial'];
const WRITABLE = ['holding', 'coils'];

const num = (v: unknown, d: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : d);

function pointsOf(bank: unknown): Map<string, Raw> {
  const out = new Map<string, Raw>();
  if (isMapping(bank) && Array.isArray(bank.points)) {
    for (const p of bank.points as unknown[]) if (isMapping(p) && typeof p.name === 'string') out.set(p.name, p);
  }
  return out;
}

export function commandChecks(top: Raw, where: Where): Problem[] {
  if (!Array.isArray(top.commands)) return [];
  const devices = new Map<string, unknown>();
  if (Array.isArray(top.devices))
    for (const d of top.devices as unknown[])
      if (isMapping(d) && typeof d.name === 'string') devices.set(d.name, d.type);
  const banks = isMapping(top.banks) ? top.banks : {};
  const names = new Map<string, number>();
  return (top.commands as unknown[]).flatMap((c, i): Problem[] => {
    if (!isMapping(c)) return [];
    const path = ['commands', i];
    const problems = [...deviceCheck(c, path, devices), ...bankCheck(c, path, banks)];
    if (typeof c.name === 'string') {
      const first = names.get(c.name);
      if (first === undefined) names.set(c.name, i);
      else
        problems.push(
          problem(
            [...path, 'name'],
            `${show(c.name)} is already the name of commands[${first}] (${where(['commands', first, 'name'])}): command names must be unique`,
          ),
        );
    }
    return problems;
  });
}

function deviceCheck(c: Raw, path: Path, devices: Map<string, unknown>): Problem[] {
  const name = c.device;
  if (typeof name !== 'string') return [];
  if (!devices.has(name)) return [problem([...path, 'device'], `device "${name}" is not defined under devices`)];
  const type = devices.get(name);
  if (typeof type === 'string' && !RAW_DEVICES.includes(type)) {
    return [
      problem(
        [...path, 'device'],
        `device "${name}" is a ${type} device: a command sends its frame to a raw device (type tcp or serial)`,
      ),
    ];
  }
  return [];
}

function bankCheck(c: Raw, path: Path, banks: Raw): Problem[] {
  const name = c.bank;
  if (typeof name !== 'string') return [];
  if (!Object.hasOwn(banks, name) || !isMapping(banks[name]))
    return [problem([...path, 'bank'], `bank "${name}" is not defined under banks`)];
  const points = pointsOf(banks[name]);
  const own = typeof c.point === 'string' ? points.get(c.point) : undefined;
  const problems = frameChecks(c.frame, [...path, 'frame'], name, own ? new Map([...points, ['value', own]]) : points);
  if (typeof c.point !== 'string') return problems;
  const point = points.get(c.point);
  if (point === undefined) {
    const known =
      points.size > 0 ? `its points: ${[...points.keys()].join(', ')}` : 'it has no points: add them under points:';
    return [...problems, problem([...path, 'point'], `bank "${name}" has no point "${c.point}" (${known})`)];
  }
  return [...problems, ...pointRules(c, path, point)];
}

function pointRules(c: Raw, path: Path, point: Raw): Problem[] {
  const problems: Problem[] = [];
  const table = typeof point.table === 'string' ? point.table : '';
  if (table !== '' && !WRITABLE.includes(table)) {
    problems.push(
      problem(
        [...path, 'point'],
        `"${String(point.name)}" is in ${table}, which Modbus clients cannot write: a command's point must be in holding or coils`,
      ),
    );
  }
  const type = typeof point.type === 'string' ? point.type : 'uint16';
  if (c.on === 'rising' && type === 'string')
    problems.push(
      problem(
        [...path, 'on'],
        `rising needs a number or bool point; "${String(point.name)}" is a string: use change or write`,
      ),
    );
  if (c.reset === true) {
    const why = zeroProblem(type, num(point.scale, 1), num(point.offset, 0));
    if (why !== undefined)
      problems.push(problem([...path, 'reset'], `"${String(point.name)}" cannot be set back to 0: ${why}`));
  }
  return problems;
}

/** Why a point of this type, scale and offset cannot hold the engineering value 0. */
function zeroProblem(type: string, scale: number, offset: number): string | undefined {
  if (type === 'string') return 'it is a string point';
  const range = intRange(type);
  if (range === undefined || scale === 0) return undefined;
  const raw = Math.round((0 - offset) / scale);
  return raw >= range[0] && raw <= range[1]
    ? undefined
    : `with offset ${offset} and scale ${scale}, 0 is outside ${type}`;
}

/** `points`: the bank's points, and under `value` the command's own point when it exists. */
function frameChecks(frame: unknown, path: Path, bank: string, points: Map<string, Raw>): Problem[] {
  const unknown = (name: string, at: Path): Problem[] =>
    name === 'value' || points.has(name)
      ? []
      : [problem(at, `{${name}} is neither {value} nor a point of bank "${bank}"`)];
  if (typeof frame === 'string') {
    const parsed = parseTemplate(frame);
    return 'error' in parsed ? [] : placeholderNames(parsed.parts).flatMap((n) => unknown(n, path));
  }
  if (!Array.isArray(frame)) return [];
  return (frame as unknown[]).flatMap((field, j): Problem[] => {
    if (!isMapping(field) || typeof field.value !== 'string') return [];
    const name = singlePlaceholder(field.value);
    if (name === undefined) return [];
    const at = [...path, j, 'value'];
    const found = unknown(name, at);
    if (found.length > 0) return found;
    const point = points.get(name);
    const what =
      name === 'value'
        ? `{value} is the written value of "${String(point?.name)}", a string point`
        : `{${name}} is a string point`;
    return point?.type === 'string' ? [problem(at, `${what}: a binary field takes a number`)] : [];
  });
}
