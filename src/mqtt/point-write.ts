/**
 * A write to one bank point from the northbound side (a Sparkplug DCMD, a JSON /set), done exactly as
 * a Modbus client's write would be: the value is encoded into the point's registers (type and range
 * checked), sent as a write request (FC 05 for a coil, 06 for a bool in a holding register, 16
 * otherwise) and served by the bank like any client's request: polls' write-through, commands
 * triggered, the publisher told. Points in input registers and discrete inputs are read-only to
 * Modbus clients, and so they are here.
 */
import type { Bank } from '../bank/bank.js';
import type { BankPoint } from '../bank/bank-point.js';
import type { DeviceIdentity } from '../codec/pdu/device-id.js';
import { exceptionName } from '../codec/pdu/exception.js';
import { MBAP_HEADER_LENGTH } from '../codec/mbap.js';
import { encodePoint, type PointValue } from '../codec/point-codec.js';
import { serveBank } from '../modbus/bank-request.js';

/** The request PDU that writes `value` into `point`, or why it cannot be written. */
export function writeRequest(point: BankPoint, value: PointValue): Buffer | string {
  const c = point.config;
  if (c.table === 'input' || c.table === 'discrete')
    return `point ${c.name} is in the ${c.table} table, which is read-only`;
  if (c.type === 'bool') {
    const on = value === true || value === 1;
    if (!on && value !== false && value !== 0) return `${JSON.stringify(value)} is not a bool (point ${c.name})`;
    const pdu = Buffer.alloc(5);
    pdu[0] = c.table === 'coils' ? 5 : 6;
    pdu.writeUInt16BE(c.address, 1);
    pdu.writeUInt16BE(c.table === 'coils' ? (on ? 0xff00 : 0) : on ? 1 : 0, 3);
    return pdu;
  }
  if (c.type === 'string' && typeof value !== 'string') return `${JSON.stringify(value)} is not text (point ${c.name})`;
  if (c.type !== 'string' && (typeof value !== 'number' || !Number.isFinite(value)))
    return `${JSON.stringify(value)} is not a number (point ${c.name} is ${c.type})`;
  const words = encodePoint(c, value);
  if (typeof words === 'string') return `point ${c.name}: ${words}`;
  const pdu = Buffer.alloc(6 + 2 * words.length);
  pdu[0] = 16;
  pdu.writeUInt16BE(c.address, 1);
  pdu.writeUInt16BE(words.length, 3);
  pdu[5] = 2 * words.length;
  words.forEach((w, i) => pdu.writeUInt16BE(w, 6 + 2 * i));
  return pdu;
}

/** Writes `value` into point `name` of `bank`; resolves to undefined when done, else to why not. */
export async function writePoint(
  bank: Bank,
  name: string,
  value: PointValue,
  identity: DeviceIdentity,
): Promise<string | undefined> {
  const point = bank.point(name);
  if (point === undefined) return `bank ${bank.name} has no point ${name}`;
  const pdu = writeRequest(point, value);
  if (typeof pdu === 'string') return pdu;
  const reply = await serveBank(bank, pdu, identity);
  const fc = reply?.[MBAP_HEADER_LENGTH];
  if (reply === null || fc === undefined) return `point ${name}: no answer`;
  if (fc >= 0x80) {
    const code = reply[MBAP_HEADER_LENGTH + 1] ?? 0;
    return `point ${name}: the write was answered with exception ${code.toString(16).padStart(2, '0')} (${exceptionName(code)})`;
  }
  return undefined;
}
