/**
 * One `polls` item: read a table range from a device every `every` into a bank range. Validated with
 * its own convict schema (strict); cross-section checks (the device and bank exist, the range fits
 * the bank's table) are in poll-checks.ts.
 */
import type { SchemaDef } from '../convict-bridge.js';
import { durationMs } from '../duration.js';
import { BOOL, CHOICE, DURATION, INT, NAME } from '../formats.js';
import { failed, isMapping, ok, problem, show, type Checked, type Problem } from '../issues.js';
import { runSchema } from '../run-schema.js';
import { TABLE_NAMES, type PollConfig, type TableName } from '../types.js';

const ON_STALE = ['serve', 'exception'] as const;
const address = (doc: string, required: boolean) =>
  ({ doc, format: INT, min: 0, max: 65535, default: undefined, ...(required ? { required } : {}) });

export const POLL: SchemaDef = {
  device: { doc: 'the modbus-rtu or modbus-tcp device to read (a name under devices)', format: NAME, default: undefined, required: true },
  unit: { doc: 'unit id read on the device, 0..255 (default: the modbus-tcp device\'s unit; 1 on an RTU bus)', format: INT, min: 1, max: 255, default: undefined },
  every: { doc: 'how often to read, e.g. 500ms', format: DURATION, min: 10, default: undefined, required: true },
  read: {
    table: { doc: `device table: ${TABLE_NAMES.join(' | ')}`, format: CHOICE, values: TABLE_NAMES, default: undefined, required: true },
    address: address('first address read on the device (0-based PDU address)', true),
    count: { doc: 'how many registers (1..125) or bits (1..2000) to read', format: INT, min: 1, max: 2000, default: undefined, required: true },
  },
  into: {
    bank: { doc: 'bank the values are written into (a name under banks)', format: NAME, default: undefined, required: true },
    table: { doc: 'bank table (default: the same table as read)', format: CHOICE, values: TABLE_NAMES, default: undefined },
    address: address('first bank address written (default: the same address as read)', false),
  },
  onStale: { doc: 'serve | exception: how reads of the range are answered while its last poll failed (exception: 0B)', format: CHOICE, values: ON_STALE, default: 'serve' },
  writeThrough: { doc: 'true: client writes into the bank range are forwarded to the device, and answered after it accepted them', format: BOOL, default: false },
};

interface PollProps {
  device: string;
  unit?: number;
  every: string | number;
  read: { table: TableName; address: number; count: number };
  into: { bank: string; table?: TableName; address?: number };
  onStale: 'serve' | 'exception';
  writeThrough: boolean;
}

const isBits = (t: TableName) => t === 'coils' || t === 'discrete';

export function checkPoll(raw: unknown): Checked<PollConfig> {
  if (!isMapping(raw)) return failed([problem([], `${show(raw)} is not a poll: write { device: NAME, every: 1s, read: {...}, into: {...} }`)]);
  const checked = runSchema<PollProps>(POLL, raw);
  const problems: Problem[] = [...checked.problems];
  if (problems.length === 0 && checked.value) problems.push(...pollRules(raw, checked.value));
  if (problems.length > 0 || checked.value === undefined) return failed(problems);
  return ok(buildPoll(checked.value));
}

function pollRules(raw: Record<string, unknown>, p: PollProps): Problem[] {
  const problems: Problem[] = [];
  if (!isMapping(raw.read)) problems.push(problem(['read'], 'is required: { table: holding, address: 0, count: 10 }'));
  if (!isMapping(raw.into)) problems.push(problem(['into'], 'is required: { bank: NAME, address: 0 }'));
  if (problems.length > 0) return problems;
  const max = isBits(p.read.table) ? 2000 : 125;
  if (p.read.count > max) problems.push(problem(['read', 'count'], `${p.read.count} is more than one read of ${p.read.table} can carry (1..${max})`));
  if (p.read.address + p.read.count > 65536) problems.push(problem(['read', 'count'], 'the range goes past address 65535'));
  const into = p.into.table ?? p.read.table;
  if (isBits(into) !== isBits(p.read.table)) {
    problems.push(problem(['into', 'table'], `${into} cannot take ${p.read.table}: bits go into coils or discrete, registers into holding or input`));
  }
  if (p.writeThrough && (p.read.table === 'input' || p.read.table === 'discrete' || into !== p.read.table)) {
    problems.push(problem(['writeThrough'], 'needs a writable table on both sides: read holding into holding, or coils into coils'));
  }
  return problems;
}

function buildPoll(p: PollProps): PollConfig {
  return {
    device: p.device,
    ...(p.unit !== undefined ? { unit: p.unit } : {}),
    every: durationMs(p.every),
    read: { table: p.read.table, address: p.read.address, count: p.read.count },
    into: { bank: p.into.bank, table: p.into.table ?? p.read.table, address: p.into.address ?? p.read.address },
    onStale: p.onStale,
    writeThrough: p.writeThrough,
  };
}
