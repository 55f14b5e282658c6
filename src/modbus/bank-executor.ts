/**
 * Executes a decoded request against a bank and builds the response PDU (with MBAP headroom).
 * Order of checks follows the spec's state diagrams: the function (01), then the values (03, done by
 * the decoder), then the address range (02: outside start..start+count-1 of the table, `Bank.indexOf`).
 * Nothing here throws for anything a peer can send.
 */
import { MBAP_HEADER_LENGTH } from '../codec/mbap.js';
import {
  applyMask,
  encodeDeviceIdResponse,
  exceptionReply,
  encodeMaskWrite,
  encodeReadBitsResponse,
  encodeReadRegistersResponse,
  encodeWriteMultipleResponse,
  encodeWriteSingleResponse,
  ExceptionCode,
  unpackBits,
  type Request,
} from '../codec/pdu/index.js';
import type { Bank } from '../bank/bank.js';
import type { TableName } from '../config/types.js';
import type { DeviceIdentity } from '../codec/pdu/device-id.js';

const H = MBAP_HEADER_LENGTH;

const illegal = (fc: number): Buffer => exceptionReply(fc, ExceptionCode.IllegalDataAddress);

function readBits(bank: Bank, fc: 1 | 2, address: number, quantity: number): Buffer {
  const name = fc === 1 ? 'coils' : 'discrete';
  const table = bank[name];
  const i = bank.indexOf(name, address, quantity);
  if (!table || i < 0) return illegal(fc);
  return encodeReadBitsResponse(fc, table.subarray(i, i + quantity), H);
}

function readRegisters(bank: Bank, fc: 3 | 4, address: number, quantity: number): Buffer {
  const name = fc === 3 ? 'holding' : 'input';
  const table = bank[name];
  const i = bank.indexOf(name, address, quantity);
  if (!table || i < 0) return illegal(fc);
  return encodeReadRegistersResponse(fc, table, H, i, quantity);
}

function writeRegisters(table: Uint16Array, index: number, data: Buffer): void {
  for (let i = 0, n = data.length >> 1; i < n; i++) table[index + i] = data.readUInt16BE(2 * i);
}

function readWrite(bank: Bank, req: Extract<Request, { fc: 23 }>): Buffer {
  const table = bank.holding;
  const w = bank.indexOf('holding', req.writeAddress, req.writeQuantity);
  const r = bank.indexOf('holding', req.readAddress, req.readQuantity);
  if (!table || w < 0 || r < 0) return illegal(23);
  writeRegisters(table, w, req.data);
  const rsp = encodeReadRegistersResponse(3, table, H, r, req.readQuantity);
  rsp[H] = 23;
  return rsp;
}

function maskWrite(bank: Bank, req: Extract<Request, { fc: 22 }>): Buffer {
  const table = bank.holding;
  const i = bank.indexOf('holding', req.address, 1);
  if (!table || i < 0) return illegal(22);
  table[i] = applyMask(table[i] ?? 0, req.andMask, req.orMask);
  return encodeMaskWrite(req, H);
}

function writeSingle(bank: Bank, req: Extract<Request, { fc: 5 | 6 }>): Buffer {
  const name = req.fc === 5 ? 'coils' : 'holding';
  const table = bank[name];
  const i = bank.indexOf(name, req.address, 1);
  if (!table || i < 0) return illegal(req.fc);
  table[i] = req.value;
  return encodeWriteSingleResponse(req, H);
}

function writeMultiple(bank: Bank, req: Extract<Request, { fc: 15 | 16 }>): Buffer {
  const { fc, address, quantity } = req;
  if (fc === 15) {
    const coils = bank.coils;
    const i = bank.indexOf('coils', address, quantity);
    if (!coils || i < 0) return illegal(fc);
    unpackBits(req.data, 0, quantity, coils.subarray(i, i + quantity));
  } else {
    const holding = bank.holding;
    const i = bank.indexOf('holding', address, quantity);
    if (!holding || i < 0) return illegal(fc);
    writeRegisters(holding, i, req.data);
  }
  return encodeWriteMultipleResponse(req.fc, req.address, req.quantity, H);
}

function deviceId(identity: DeviceIdentity, req: Extract<Request, { fc: 43 }>): Buffer {
  const rsp = encodeDeviceIdResponse(req.readCode, req.objectId, identity, H);
  return Buffer.isBuffer(rsp) ? rsp : exceptionReply(43, rsp.exception);
}

/** Returns a response PDU preceded by MBAP_HEADER_LENGTH bytes of headroom. */
export function executeOnBank(req: Request, bank: Bank, identity: DeviceIdentity): Buffer {
  switch (req.fc) {
    case 1:
    case 2:
      return readBits(bank, req.fc, req.address, req.quantity);
    case 3:
    case 4:
      return readRegisters(bank, req.fc, req.address, req.quantity);
    case 5:
    case 6:
      return reported(bank, req.fc === 5 ? 'coils' : 'holding', req.address, 1, writeSingle(bank, req));
    case 15:
    case 16:
      return reported(bank, req.fc === 15 ? 'coils' : 'holding', req.address, req.quantity, writeMultiple(bank, req));
    case 22:
      return reported(bank, 'holding', req.address, 1, maskWrite(bank, req));
    case 23:
      return reported(bank, 'holding', req.writeAddress, req.writeQuantity, readWrite(bank, req));
    case 43:
      return deviceId(identity, req);
  }
}

/** Tells the bank about a write that was applied (not an exception), when someone listens. */
function reported(bank: Bank, table: TableName, address: number, count: number, reply: Buffer): Buffer {
  if (bank.watched && (reply[H] ?? 0x80) < 0x80) bank.written(table, address, count);
  return reply;
}
