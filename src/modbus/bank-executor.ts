/**
 * Executes a decoded request against a bank and builds the response PDU (with MBAP headroom).
 * Order of checks follows the spec's state diagrams: the function (01), then the values (03, done by
 * the decoder), then the address range (02). Nothing here throws for anything a peer can send.
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
import { inRange, type Bank } from '../bank/bank.js';
import type { TableName } from '../config/types.js';
import type { DeviceIdentity } from '../codec/pdu/device-id.js';

const H = MBAP_HEADER_LENGTH;

function readBits(bank: Bank, fc: 1 | 2, address: number, quantity: number): Buffer {
  const table = fc === 1 ? bank.coils : bank.discrete;
  if (!table || !inRange(table, address, quantity)) return exceptionReply(fc, ExceptionCode.IllegalDataAddress);
  return encodeReadBitsResponse(fc, table.subarray(address, address + quantity), H);
}

function readRegisters(bank: Bank, fc: 3 | 4, address: number, quantity: number): Buffer {
  const table = fc === 3 ? bank.holding : bank.input;
  if (!table || !inRange(table, address, quantity)) return exceptionReply(fc, ExceptionCode.IllegalDataAddress);
  return encodeReadRegistersResponse(fc, table.subarray(address, address + quantity), H);
}

function writeRegisters(table: Uint16Array, address: number, data: Buffer): void {
  for (let i = 0, n = data.length >> 1; i < n; i++) table[address + i] = data.readUInt16BE(2 * i);
}

function readWrite(bank: Bank, req: Extract<Request, { fc: 23 }>): Buffer {
  const table = bank.holding;
  if (
    !table ||
    !inRange(table, req.writeAddress, req.writeQuantity) ||
    !inRange(table, req.readAddress, req.readQuantity)
  ) {
    return exceptionReply(23, ExceptionCode.IllegalDataAddress);
  }
  writeRegisters(table, req.writeAddress, req.data);
  const rsp = encodeReadRegistersResponse(3, table.subarray(req.readAddress, req.readAddress + req.readQuantity), H);
  rsp[H] = 23;
  return rsp;
}

function maskWrite(bank: Bank, req: Extract<Request, { fc: 22 }>): Buffer {
  const table = bank.holding;
  if (!table || !inRange(table, req.address, 1)) return exceptionReply(22, ExceptionCode.IllegalDataAddress);
  table[req.address] = applyMask(table[req.address] ?? 0, req.andMask, req.orMask);
  return encodeMaskWrite(req, H);
}

function writeSingle(bank: Bank, req: Extract<Request, { fc: 5 | 6 }>): Buffer {
  const table = req.fc === 5 ? bank.coils : bank.holding;
  if (!table || !inRange(table, req.address, 1)) return exceptionReply(req.fc, ExceptionCode.IllegalDataAddress);
  table[req.address] = req.value;
  return encodeWriteSingleResponse(req, H);
}

function writeMultiple(bank: Bank, req: Extract<Request, { fc: 15 | 16 }>): Buffer {
  const { fc, address, quantity } = req;
  if (fc === 15) {
    const coils = bank.coils;
    if (!coils || !inRange(coils, address, quantity)) return exceptionReply(fc, ExceptionCode.IllegalDataAddress);
    unpackBits(req.data, 0, quantity, coils.subarray(address, address + quantity));
  } else {
    const holding = bank.holding;
    if (!holding || !inRange(holding, address, quantity)) return exceptionReply(fc, ExceptionCode.IllegalDataAddress);
    writeRegisters(holding, address, req.data);
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
