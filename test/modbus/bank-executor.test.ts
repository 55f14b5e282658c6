import { describe, expect, it } from 'vitest';
import { decodeRequest } from '../../src/codec/pdu/index.js';
import { executeOnBank } from '../../src/modbus/bank-executor.js';
import { deviceIdentity } from '../../src/modbus/device-identity.js';
import { makeBank } from '../helpers/banks.js';
import { hex } from '../helpers/hex.js';

const identity = deviceIdentity('line3-pi');

/** Executes a request PDU given in hex; returns the response PDU in hex (headroom stripped). */
function exec(bank: ReturnType<typeof makeBank>, pdu: string): string {
  const req = decodeRequest(hex(pdu));
  if ('exception' in req) throw new Error('test request does not decode');
  return executeOnBank(req, bank, identity).subarray(7).toString('hex');
}

function specBank() {
  const bank = makeBank({ holding: 200, input: 20, coils: 200, discrete: 300 });
  // spec §6.1: coils 20..38 hold CD 6B 05
  [1, 0, 1, 1, 0, 0, 1, 1, 1, 1, 0, 1, 0, 1, 1, 0, 1, 0, 1].forEach((b, i) => (bank.coils![19 + i] = b));
  // spec §6.2: inputs 197..218 hold AC DB 35
  [0, 0, 1, 1, 0, 1, 0, 1, 1, 1, 0, 1, 1, 0, 1, 1, 1, 0, 1, 0, 1, 1].forEach((b, i) => (bank.discrete![196 + i] = b));
  bank.holding!.set([0x022b, 0x0000, 0x0064], 107); // spec §6.3
  bank.input![8] = 0x000a; // spec §6.4
  return bank;
}

describe('executing requests on a bank (spec examples)', () => {
  it('FC1..FC4 read what the bank holds', () => {
    const bank = specBank();
    expect(exec(bank, '01 0013 0013')).toBe('0103cd6b05');
    expect(exec(bank, '02 00C4 0016')).toBe('0203acdb35');
    expect(exec(bank, '03 006B 0003')).toBe('0306022b00000064');
    expect(exec(bank, '04 0008 0001')).toBe('0402000a');
  });

  it('FC5 and FC6 write one value and echo', () => {
    const bank = specBank();
    expect(exec(bank, '05 00AC FF00')).toBe('0500acff00');
    expect(bank.coils![0xac]).toBe(1);
    expect(exec(bank, '05 00AC 0000')).toBe('0500ac0000');
    expect(bank.coils![0xac]).toBe(0);
    expect(exec(bank, '06 0001 0003')).toBe('0600010003');
    expect(bank.holding![1]).toBe(3);
  });

  it('FC15 writes coils 20..29 from packed bits', () => {
    const bank = makeBank({ coils: 40 });
    expect(exec(bank, '0F 0013 000A 02 CD01')).toBe('0f0013000a');
    expect([...bank.coils!.subarray(19, 31)]).toEqual([1, 0, 1, 1, 0, 0, 1, 1, 1, 0, 0, 0]);
  });

  it('FC16 writes registers 2..3', () => {
    const bank = makeBank({ holding: 10 });
    expect(exec(bank, '10 0001 0002 04 000A 0102')).toBe('1000010002');
    expect([...bank.holding!.subarray(0, 4)]).toEqual([0, 0x0a, 0x0102, 0]);
  });

  it('FC22 masks register 5: 0x12 becomes 0x17', () => {
    const bank = makeBank({ holding: 10 }, { holding: [[4, 0x12]] });
    expect(exec(bank, '16 0004 00F2 0025')).toBe('16000400f20025');
    expect(bank.holding![4]).toBe(0x17);
  });

  it('FC23 writes before it reads (spec §6.17)', () => {
    const bank = makeBank(
      { holding: 20 },
      {
        holding: [
          [3, 0xfe],
          [4, 0x0acd],
          [5, 1],
          [6, 3],
          [7, 0x0d],
          [8, 0xff],
        ],
      },
    );
    expect(exec(bank, '17 0003 0006 000E 0003 06 00FF 00FF 00FF')).toBe('170c00fe0acd00010003000d00ff');
    expect([...bank.holding!.subarray(14, 17)]).toEqual([0xff, 0xff, 0xff]);
    // overlapping ranges: the read sees the write
    expect(exec(bank, '17 0000 0002 0001 0001 02 BEEF')).toBe('17040000beef');
  });

  it('FC43/14 names the vendor and the gateway', () => {
    const rsp = exec(makeBank({ holding: 1 }), '2B 0E 04 06');
    expect(Buffer.from(rsp, 'hex').subarray(9).toString()).toBe('line3-pi');
    expect(
      Buffer.from(exec(makeBank({ holding: 1 }), '2B 0E 04 00'), 'hex')
        .subarray(9)
        .toString(),
    ).toBe('fieldgate');
  });
});

describe('exception 02: addresses outside the table, or no such table', () => {
  const bank = makeBank({ holding: 10, coils: 16 });
  it.each([
    ['FC3 last register + 1', '03 0009 0002'],
    ['FC3 at the size', '03 000A 0001'],
    ['FC3 near 65535', '03 FFFF 0001'],
    ['FC4 on a bank without input registers', '04 0000 0001'],
    ['FC2 on a bank without discrete inputs', '02 0000 0001'],
    ['FC1 past the coils', '01 000F 0002'],
    ['FC5 past the coils', '05 0010 FF00'],
    ['FC6 past the registers', '06 000A 0001'],
    ['FC15 past the coils', '0F 000F 0002 01 03'],
    ['FC16 past the registers', '10 0009 0002 04 00010002'],
    ['FC22 past the registers', '16 000A FFFF 0000'],
    ['FC23 write past the registers', '17 0000 0001 0009 0002 04 00010002'],
    ['FC23 read past the registers', '17 0009 0002 0000 0001 02 0001'],
  ])('%s', (_name, pdu) => {
    const fc = hex(pdu)[0]!;
    expect(exec(bank, pdu)).toBe((fc | 0x80).toString(16).padStart(2, '0') + '02');
  });

  it('the edge of the table is inside', () => {
    expect(exec(bank, '03 0009 0001')).toBe('03020000');
    expect(exec(bank, '01 000F 0001')).toBe('010100');
  });

  it('a failed write changes nothing', () => {
    const b = makeBank({ holding: 4 });
    exec(b, '10 0003 0002 04 11112222');
    expect([...b.holding!]).toEqual([0, 0, 0, 0]);
  });
});
