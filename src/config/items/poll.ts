/**
 * One `polls` item: read a table range from a device every `every` into a bank range (the device
 * and bank exist, the range fits the bank's table: poll-checks.ts).
 */
import { optionalSection, record } from '../declare/kit.js';
import { bool, choice, duration, int, name } from '../declare/leaves.js';
import { failed, isMapping, problem, show, type Problem } from '../issues.js';
import { TABLE_NAMES, type TableName } from '../types.js';

const ON_STALE = ['serve', 'exception'] as const;
const isBits = (t: TableName) => t === 'coils' || t === 'discrete';

export const POLL = record(
  { doc: 'a read from a Modbus device into a bank, on a schedule' },
  {
    device: name({
      doc: 'the modbus-rtu or modbus-tcp device to read (a name under devices)',
      required: true,
      example: 'rs485',
    }),
    unit: int({
      doc: "unit id read on the device, 0..255 (default: the modbus-tcp device's unit; 1 on an RTU bus)",
      min: 1,
      max: 255,
    }),
    every: duration({ doc: 'how often to read, e.g. 500ms', min: 10, required: true, example: '500ms' }),
    read: optionalSection('what is read on the device', {
      table: choice(TABLE_NAMES, { doc: `device table: ${TABLE_NAMES.join(' | ')}`, required: true }),
      address: int({
        doc: 'first address read on the device (0-based PDU address)',
        min: 0,
        max: 65535,
        required: true,
        example: 0,
      }),
      count: int({
        doc: 'how many registers (1..125) or bits (1..2000) to read',
        min: 1,
        max: 2000,
        required: true,
        example: 10,
      }),
    }),
    into: optionalSection('where the values land in a bank', {
      bank: name({ doc: 'bank the values are written into (a name under banks)', required: true, example: 'plant' }),
      table: choice(TABLE_NAMES, { doc: 'bank table (default: the same table as read)' }),
      address: int({ doc: 'first bank address written (default: the same address as read)', min: 0, max: 65535 }),
    }),
    onStale: choice(ON_STALE, {
      doc: 'serve | exception: how reads of the range are answered while its last poll failed (exception: 0B)',
      default: 'serve',
    }),
    writeThrough: bool({
      doc: 'true: client writes into the bank range are forwarded to the device, and answered after it accepted them',
      default: false,
    }),
  },
  {
    pre: (raw) =>
      isMapping(raw)
        ? { input: raw }
        : failed([
            problem([], `${show(raw)} is not a poll: write { device: NAME, every: 1s, read: {...}, into: {...} }`),
          ]),
    check: (p) => {
      const problems: Problem[] = [];
      if (p.read === undefined)
        problems.push(problem(['read'], 'is required: { table: holding, address: 0, count: 10 }'));
      if (p.into === undefined) problems.push(problem(['into'], 'is required: { bank: NAME, address: 0 }'));
      if (p.read === undefined || p.into === undefined) return problems;
      const max = isBits(p.read.table) ? 2000 : 125;
      if (p.read.count > max)
        problems.push(
          problem(['read', 'count'], `${p.read.count} is more than one read of ${p.read.table} can carry (1..${max})`),
        );
      if (p.read.address + p.read.count > 65536)
        problems.push(problem(['read', 'count'], 'the range goes past address 65535'));
      const into = p.into.table ?? p.read.table;
      if (isBits(into) !== isBits(p.read.table)) {
        problems.push(
          problem(
            ['into', 'table'],
            `${into} cannot take ${p.read.table}: bits go into coils or discrete, registers into holding or input`,
          ),
        );
      }
      if (p.writeThrough && (p.read.table === 'input' || p.read.table === 'discrete' || into !== p.read.table)) {
        problems.push(
          problem(
            ['writeThrough'],
            'needs a writable table on both sides: read holding into holding, or coils into coils',
          ),
        );
      }
      return problems;
    },
    // `unit` absent: the modbus-tcp device's unit, 1 on an RTU bus
    finish: ({ read, into, ...p }) => {
      const r = read as NonNullable<typeof read>;
      const i = into as NonNullable<typeof into>;
      return { ...p, read: r, into: { bank: i.bank, table: i.table ?? r.table, address: i.address ?? r.address } };
    },
  },
);
