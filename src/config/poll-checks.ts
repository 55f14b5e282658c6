/**
 * Cross-section checks of `polls`: the device exists and speaks Modbus, the bank exists, has the
 * table, and the range fits in it; two polls do not write the same bank addresses. Read from the raw
 * document like the other cross-checks; what does not parse is left to the schema.
 */
import { isMapping, problem, type Problem } from './issues.js';
import { TABLE_NAMES, type TableName } from './types.js';
import { showSpan, spanOf } from './items/table-span.js';

const MODBUS = ['modbus-rtu', 'modbus-tcp'];

const int = (v: unknown): number | undefined => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);
const table = (v: unknown): TableName | undefined =>
  TABLE_NAMES.includes(v as TableName) ? (v as TableName) : undefined;

export function pollChecks(top: Record<string, unknown>): Problem[] {
  if (!Array.isArray(top.polls)) return [];
  const devices = new Map<string, unknown>();
  if (Array.isArray(top.devices))
    for (const d of top.devices) if (isMapping(d) && typeof d.name === 'string') devices.set(d.name, d.type);
  const banks = isMapping(top.banks) ? top.banks : {};
  const written = new Map<string, number>();
  return top.polls.flatMap((poll: unknown, i): Problem[] => {
    if (!isMapping(poll)) return [];
    return [...deviceCheck(poll, i, devices), ...bankCheck(poll, i, banks, written)];
  });
}

function deviceCheck(poll: Record<string, unknown>, i: number, devices: Map<string, unknown>): Problem[] {
  const name = poll.device;
  if (typeof name !== 'string') return [];
  if (!devices.has(name)) return [problem(['polls', i, 'device'], `device "${name}" is not defined under devices`)];
  const type = devices.get(name);
  if (typeof type === 'string' && !MODBUS.includes(type)) {
    return [
      problem(
        ['polls', i, 'device'],
        `device "${name}" is a ${type} device: polls read ${MODBUS.join(' or ')} devices`,
      ),
    ];
  }
  return [];
}

function bankCheck(
  poll: Record<string, unknown>,
  i: number,
  banks: Record<string, unknown>,
  written: Map<string, number>,
): Problem[] {
  const read = isMapping(poll.read) ? poll.read : {};
  const into = isMapping(poll.into) ? poll.into : {};
  const name = into.bank;
  if (typeof name !== 'string') return [];
  const bank = banks[name];
  if (!Object.hasOwn(banks, name) || !isMapping(bank))
    return [problem(['polls', i, 'into', 'bank'], `bank "${name}" is not defined under banks`)];
  const t = table(into.table) ?? table(read.table);
  const count = int(read.count);
  const address = int(into.address) ?? int(read.address);
  if (!t || count === undefined || address === undefined) return [];
  const span = spanOf(bank[t]);
  if (span === undefined) return [problem(['polls', i, 'into'], `bank "${name}" has no ${t} table`)];
  if (address < span.start || address + count > span.start + span.count) {
    return [
      problem(
        ['polls', i, 'into'],
        `addresses ${address}..${address + count - 1} are outside the ${t} table of bank "${name}" (${showSpan(span)})`,
      ),
    ];
  }
  for (let a = address; a < address + count; a++) {
    const key = `${name}/${t}/${a}`;
    const other = written.get(key);
    if (other !== undefined)
      return [
        problem(['polls', i, 'into'], `address ${a} of ${t} in bank "${name}" is already written by polls[${other}]`),
      ];
    written.set(key, i);
  }
  return [];
}
