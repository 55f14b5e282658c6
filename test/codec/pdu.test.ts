/**
 * PDU codec byte vectors. Where a vector is annotated "spec", it is the example from the Modbus
 * Application Protocol Specification V1.1b3, section 6.
 */
import { describe, expect, it } from 'vitest';
import { MBAP_HEADER_LENGTH } from '../../src/codec/mbap.js';
import {
  decodeDeviceIdResponse,
  decodeReadBitsResponse,
  decodeReadRegistersResponse,
  decodeRequest,
  encodeDeviceIdRequest,
  encodeDeviceIdResponse,
  encodeException,
  exceptionReply,
  ExceptionCode,
  encodeMaskWrite,
  encodeReadBitsResponse,
  encodeReadRegistersResponse,
  encodeReadRequest,
  encodeReadWriteRequest,
  encodeWriteCoilsRequest,
  encodeWriteMultipleResponse,
  encodeWriteRegistersRequest,
  encodeWriteSingleRequest,
  encodeWriteSingleResponse,
  applyMask,
  isExceptionPdu,
  type Decoded,
} from '../../src/codec/pdu/index.js';
import { hex } from '../helpers/hex.js';

const h = (b: Buffer) => b.toString('hex');
const ex = (fc: number, code: number): Decoded => ({ fc, exception: code }) as Decoded;

describe('request decoding: spec examples', () => {
  it.each<[string, string, Decoded]>([
    ['FC1 read coils 20..38', '01 0013 0013', { fc: 1, address: 0x13, quantity: 0x13 }],
    ['FC2 read discrete inputs 197..218', '02 00C4 0016', { fc: 2, address: 0xc4, quantity: 0x16 }],
    ['FC3 read holding 108..110', '03 006B 0003', { fc: 3, address: 0x6b, quantity: 3 }],
    ['FC4 read input 9', '04 0008 0001', { fc: 4, address: 8, quantity: 1 }],
    ['FC5 coil 173 ON', '05 00AC FF00', { fc: 5, address: 0xac, value: 1 }],
    ['FC5 coil 173 OFF', '05 00AC 0000', { fc: 5, address: 0xac, value: 0 }],
    ['FC6 register 2 = 3', '06 0001 0003', { fc: 6, address: 1, value: 3 }],
    ['FC22 mask write 5', '16 0004 00F2 0025', { fc: 22, address: 4, andMask: 0xf2, orMask: 0x25 }],
    ['FC43/14 basic from object 0', '2B 0E 01 00', { fc: 43, readCode: 1, objectId: 0 }],
    ['FC43/14 one object (6)', '2B 0E 04 06', { fc: 43, readCode: 4, objectId: 6 }],
  ])('%s', (_name, bytes, expected) => {
    expect(decodeRequest(hex(bytes))).toEqual(expected);
  });

  it('FC15 write coils 20..29 (spec): data kept packed', () => {
    const d = decodeRequest(hex('0F 0013 000A 02 CD01'));
    expect(d).toMatchObject({ fc: 15, address: 0x13, quantity: 10 });
    expect(h((d as { data: Buffer }).data)).toBe('cd01');
  });

  it('FC16 write registers 2..3 (spec)', () => {
    const d = decodeRequest(hex('10 0001 0002 04 000A 0102'));
    expect(d).toMatchObject({ fc: 16, address: 1, quantity: 2 });
    expect(h((d as { data: Buffer }).data)).toBe('000a0102');
  });

  it('FC23 read 4..9 / write 15..17 (spec)', () => {
    const d = decodeRequest(hex('17 0003 0006 000E 0003 06 00FF 00FF 00FF'));
    expect(d).toMatchObject({ fc: 23, readAddress: 3, readQuantity: 6, writeAddress: 14, writeQuantity: 3 });
    expect(h((d as { data: Buffer }).data)).toBe('00ff00ff00ff');
  });
});

describe('request decoding: spec limits and exceptions', () => {
  it.each<[string, string, Decoded]>([
    // quantity limits (03 illegal data value)
    ['FC1 quantity 0', '01 0000 0000', ex(1, 3)],
    ['FC1 quantity 2000 ok', '01 0000 07D0', { fc: 1, address: 0, quantity: 2000 }],
    ['FC1 quantity 2001', '01 0000 07D1', ex(1, 3)],
    ['FC2 quantity 2001', '02 0000 07D1', ex(2, 3)],
    ['FC3 quantity 0', '03 0000 0000', ex(3, 3)],
    ['FC3 quantity 125 ok', '03 0000 007D', { fc: 3, address: 0, quantity: 125 }],
    ['FC3 quantity 126', '03 0000 007E', ex(3, 3)],
    ['FC4 quantity 126', '04 0000 007E', ex(4, 3)],
    ['FC3 quantity 65535', '03 0000 FFFF', ex(3, 3)],
    // wrong PDU lengths (03: the implied length is incorrect)
    ['FC3 short', '03 0000 00', ex(3, 3)],
    ['FC3 long', '03 0000 0001 00', ex(3, 3)],
    ['FC5 short', '05 0000 FF', ex(5, 3)],
    ['FC6 long', '06 0000 0001 02', ex(6, 3)],
    ['FC22 short', '16 0004 00F2 00', ex(22, 3)],
    ['FC43 MEI only', '2B', ex(43, 3)],
    // FC5 value must be 0x0000 or 0xFF00
    ['FC5 value 0x0001', '05 0000 0001', ex(5, 3)],
    ['FC5 value 0xFFFF', '05 0000 FFFF', ex(5, 3)],
    ['FC5 value 0x00FF', '05 0000 00FF', ex(5, 3)],
    // FC15: quantity 1..1968, byte count = ceil(n/8)
    ['FC15 quantity 0', '0F 0000 0000 00', ex(15, 3)],
    ['FC15 quantity 1969', '0F 0000 07B1 F7' + '00'.repeat(0xf7), ex(15, 3)],
    ['FC15 byte count too small', '0F 0000 0009 01 FF', ex(15, 3)],
    ['FC15 byte count disagrees with data', '0F 0000 0008 01 FF FF', ex(15, 3)],
    ['FC15 header only', '0F 0000 00', ex(15, 3)],
    // FC16: quantity 1..123, byte count = 2n
    ['FC16 quantity 124', '10 0000 007C F8' + '00'.repeat(0xf8), ex(16, 3)],
    ['FC16 byte count odd', '10 0000 0001 03 000000', ex(16, 3)],
    ['FC16 data missing', '10 0000 0002 04 0001', ex(16, 3)],
    // FC23: read 1..125, write 1..121
    ['FC23 read quantity 0', '17 0000 0000 0000 0001 02 0000', ex(23, 3)],
    ['FC23 read quantity 126', '17 0000 007E 0000 0001 02 0000', ex(23, 3)],
    ['FC23 write quantity 122', '17 0000 0001 0000 007A F4' + '00'.repeat(0xf4), ex(23, 3)],
    ['FC23 byte count wrong', '17 0000 0001 0000 0001 04 00000000', ex(23, 3)],
    // FC43: MEI type other than 14 is not served; read code 1..4
    ['FC43 MEI 13 (CANopen)', '2B 0D 00 00', ex(43, 1)],
    ['FC43 read code 0', '2B 0E 00 00', ex(43, 3)],
    ['FC43 read code 5', '2B 0E 05 00', ex(43, 3)],
    // unknown function codes (01 illegal function)
    ['FC7 read exception status', '07', ex(7, 1)],
    ['FC8 diagnostics', '08 0000 A537', ex(8, 1)],
    ['FC 0', '00', ex(0, 1)],
    ['FC 0x7F', '7F 01 02', ex(0x7f, 1)],
    ['FC 0x83 (an exception code as a request)', '83 02', ex(3, 1)],
  ])('%s', (_name, bytes, expected) => {
    expect(decodeRequest(hex(bytes))).toEqual(expected);
  });

  it('FC15 at its limit (1968 coils, 246 bytes) is accepted', () => {
    expect(decodeRequest(hex('0F 0000 07B0 F6' + 'FF'.repeat(0xf6)))).toMatchObject({ fc: 15, quantity: 1968 });
  });

  it('FC16 at its limit (123 registers) is accepted', () => {
    expect(decodeRequest(hex('10 0000 007B F6' + '00'.repeat(0xf6)))).toMatchObject({ fc: 16, quantity: 123 });
  });

  it('FC23 at its limits (read 125, write 121) is accepted', () => {
    expect(decodeRequest(hex('17 0000 007D 0000 0079 F2' + '00'.repeat(0xf2)))).toMatchObject({
      fc: 23,
      readQuantity: 125,
      writeQuantity: 121,
    });
  });

  it('an empty PDU is an illegal function', () => {
    expect(decodeRequest(Buffer.alloc(0))).toEqual(ex(0, 1));
  });
});

describe('response encoding: spec examples', () => {
  it('FC1: coils 20..38 = CD 6B 05', () => {
    const bits = [1, 0, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1];
    expect(h(encodeReadBitsResponse(1, bits))).toBe('0103cd6b05');
  });

  it('FC2: inputs 197..218 = AC DB 35', () => {
    const bits = [0, 0, 1, 1, 0, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 0, 1, 1];
    expect(h(encodeReadBitsResponse(2, bits))).toBe('0203acdb35');
  });

  it('FC3: registers 108..110 = 555, 0, 100', () => {
    expect(h(encodeReadRegistersResponse(3, [0x022b, 0, 0x64]))).toBe('0306022b00000064');
  });

  it('FC3 from a slice of a table, without a view of it: registers 2..4 of the table', () => {
    const table = Uint16Array.from([9, 9, 0x022b, 0, 0x64, 9]);
    expect(h(encodeReadRegistersResponse(3, table, 0, 2, 3))).toBe('0306022b00000064');
    expect(h(encodeReadRegistersResponse(3, table, 7, 5, 1).subarray(7))).toBe('03020009');
  });

  it('FC4: input register 9 = 10', () => {
    expect(h(encodeReadRegistersResponse(4, [10]))).toBe('0402000a');
  });

  it('FC5/FC6: the response echoes the request', () => {
    expect(h(encodeWriteSingleResponse({ fc: 5, address: 0xac, value: 1 }))).toBe('0500acff00');
    expect(h(encodeWriteSingleResponse({ fc: 6, address: 1, value: 3 }))).toBe('0600010003');
  });

  it('FC15/FC16: address and quantity', () => {
    expect(h(encodeWriteMultipleResponse(15, 0x13, 10))).toBe('0f0013000a');
    expect(h(encodeWriteMultipleResponse(16, 1, 2))).toBe('1000010002');
  });

  it('FC22: echo; the mask of the spec turns 0x12 into 0x17', () => {
    expect(h(encodeMaskWrite({ address: 4, andMask: 0xf2, orMask: 0x25 }))).toBe('16000400f20025');
    expect(applyMask(0x12, 0xf2, 0x25)).toBe(0x17);
  });

  it('exceptions: function code | 0x80, then the code', () => {
    expect(h(encodeException(3, 2))).toBe('8302');
    expect(h(encodeException(43, 0x0b))).toBe('ab0b');
    expect(isExceptionPdu(hex('8302'))).toBe(true);
    expect(isExceptionPdu(hex('0302 0000'))).toBe(false);
  });

  it('exception reply: the exception PDU behind MBAP headroom (one builder for every server)', () => {
    const reply = exceptionReply(0x10, ExceptionCode.GatewayTargetFailed);
    expect(reply.length).toBe(MBAP_HEADER_LENGTH + 2);
    expect(h(reply.subarray(MBAP_HEADER_LENGTH))).toBe('900b');
    expect(h(exceptionReply(0x83, 2).subarray(MBAP_HEADER_LENGTH))).toBe('8302');
  });

  it('headroom leaves space in front for a transport header', () => {
    const buf = encodeReadRegistersResponse(3, [1, 2], 7);
    expect(buf.length).toBe(7 + 6);
    expect(h(buf.subarray(7))).toBe('030400010002');
  });
});

describe('client side: requests encoded, responses decoded (used by masters and pollers)', () => {
  it('round-trips each request through the decoder', () => {
    expect(h(encodeReadRequest({ fc: 3, address: 0x6b, quantity: 3 }))).toBe('03006b0003');
    expect(h(encodeWriteSingleRequest({ fc: 5, address: 0xac, value: 1 }))).toBe('0500acff00');
    expect(h(encodeWriteCoilsRequest(0x13, [1, 0, 1, 1, 0, 0, 1, 1, 1, 0]))).toBe('0f0013000a02cd01');
    expect(h(encodeWriteRegistersRequest(1, [0x0a, 0x0102]))).toBe('100001000204000a0102');
    expect(h(encodeReadWriteRequest(3, 6, 14, [0xff, 0xff, 0xff]))).toBe('1700030006000e00030600ff00ff00ff');
    expect(h(encodeDeviceIdRequest(1, 0))).toBe('2b0e0100');
  });

  it('decodes read responses and refuses malformed ones', () => {
    expect([...(decodeReadBitsResponse(hex('0103cd6b05'), 19) ?? [])]).toEqual([
      1, 0, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1,
    ]);
    expect([...(decodeReadRegistersResponse(hex('0306022b00000064'), 3) ?? [])]).toEqual([555, 0, 100]);
    expect(decodeReadRegistersResponse(hex('0306022b0000'), 3)).toBeUndefined();
    expect(decodeReadRegistersResponse(hex('0304022b00000064'), 3)).toBeUndefined();
    expect(decodeReadBitsResponse(hex('0103cd6b'), 19)).toBeUndefined();
  });
});

describe('FC43/14 read device identification', () => {
  const objects = new Map<number, Buffer>([
    [0, Buffer.from('fieldgate')],
    [1, Buffer.from('FG')],
    [2, Buffer.from('0.1.0')],
    [6, Buffer.from('line3')],
  ]);

  it('basic stream: objects 0..2', () => {
    const rsp = encodeDeviceIdResponse(1, 0, objects) as Buffer;
    // 2B 0E | code 01 | conformity 82 | more 00 | next 00 | count 03 | 00 09 "fieldgate" | 01 02 "FG" | 02 05 "0.1.0"
    expect(h(rsp)).toBe(
      '2b0e01820000' +
        '03' +
        '0009' +
        h(Buffer.from('fieldgate')) +
        '0102' +
        h(Buffer.from('FG')) +
        '0205' +
        h(Buffer.from('0.1.0')),
    );
    expect(decodeDeviceIdResponse(rsp)).toEqual(
      new Map([
        [0, 'fieldgate'],
        [1, 'FG'],
        [2, '0.1.0'],
      ]),
    );
  });

  it('regular stream includes object 6; starting at object 2 skips 0 and 1', () => {
    expect(decodeDeviceIdResponse(encodeDeviceIdResponse(2, 0, objects) as Buffer)?.get(6)).toBe('line3');
    expect([...(decodeDeviceIdResponse(encodeDeviceIdResponse(2, 2, objects) as Buffer)?.keys() ?? [])]).toEqual([
      2, 6,
    ]);
  });

  it('an unknown start object restarts the stream at object 0 (spec)', () => {
    expect([...(decodeDeviceIdResponse(encodeDeviceIdResponse(1, 0x55, objects) as Buffer)?.keys() ?? [])]).toEqual([
      0, 1, 2,
    ]);
  });

  it('individual access: the object, or exception 02 when unknown', () => {
    expect(decodeDeviceIdResponse(encodeDeviceIdResponse(4, 6, objects) as Buffer)).toEqual(new Map([[6, 'line3']]));
    expect(encodeDeviceIdResponse(4, 5, objects)).toEqual({ fc: 43, exception: 2 });
  });

  it('objects that do not fit in one PDU are announced with more-follows and the next id', () => {
    const big = new Map<number, Buffer>([
      [0, Buffer.alloc(200, 0x41)],
      [1, Buffer.alloc(100, 0x42)],
      [2, Buffer.from('x')],
    ]);
    const rsp = encodeDeviceIdResponse(1, 0, big) as Buffer;
    expect(rsp.length).toBeLessThanOrEqual(253);
    expect(rsp[4]).toBe(0xff);
    expect(rsp[5]).toBe(1);
    expect(rsp[6]).toBe(1);
  });
});
