/**
 * Decoded Modbus requests, one shape per function code. Every field has been checked against the
 * spec's limits by the decoder; address ranges are checked against the table by whoever executes.
 */
import type { ExceptionResult } from './exception.js';

export const FC = {
  ReadCoils: 1,
  ReadDiscreteInputs: 2,
  ReadHoldingRegisters: 3,
  ReadInputRegisters: 4,
  WriteSingleCoil: 5,
  WriteSingleRegister: 6,
  WriteMultipleCoils: 15,
  WriteMultipleRegisters: 16,
  MaskWriteRegister: 22,
  ReadWriteMultipleRegisters: 23,
  EncapsulatedInterface: 43,
} as const;

/** MEI type of "Read Device Identification" inside FC 43. */
export const MEI_READ_DEVICE_ID = 0x0e;

export interface ReadBitsRequest {
  readonly fc: 1 | 2;
  readonly address: number;
  readonly quantity: number;
}

export interface ReadRegistersRequest {
  readonly fc: 3 | 4;
  readonly address: number;
  readonly quantity: number;
}

export interface WriteSingleCoilRequest {
  readonly fc: 5;
  readonly address: number;
  readonly value: 0 | 1;
}

export interface WriteSingleRegisterRequest {
  readonly fc: 6;
  readonly address: number;
  readonly value: number;
}

export interface WriteMultipleCoilsRequest {
  readonly fc: 15;
  readonly address: number;
  readonly quantity: number;
  /** Packed bits as on the wire (ceil(quantity/8) bytes). */
  readonly data: Buffer;
}

export interface WriteMultipleRegistersRequest {
  readonly fc: 16;
  readonly address: number;
  readonly quantity: number;
  /** Big-endian register values as on the wire (2 * quantity bytes). */
  readonly data: Buffer;
}

export interface MaskWriteRegisterRequest {
  readonly fc: 22;
  readonly address: number;
  readonly andMask: number;
  readonly orMask: number;
}

export interface ReadWriteRegistersRequest {
  readonly fc: 23;
  readonly readAddress: number;
  readonly readQuantity: number;
  readonly writeAddress: number;
  readonly writeQuantity: number;
  /** Big-endian register values to write (2 * writeQuantity bytes). */
  readonly data: Buffer;
}

export interface ReadDeviceIdRequest {
  readonly fc: 43;
  /** 1 basic, 2 regular, 3 extended (stream access), 4 one specific object. */
  readonly readCode: 1 | 2 | 3 | 4;
  readonly objectId: number;
}

export type Request =
  | ReadBitsRequest
  | ReadRegistersRequest
  | WriteSingleCoilRequest
  | WriteSingleRegisterRequest
  | WriteMultipleCoilsRequest
  | WriteMultipleRegistersRequest
  | MaskWriteRegisterRequest
  | ReadWriteRegistersRequest
  | ReadDeviceIdRequest;

export type Decoded = Request | ExceptionResult;
