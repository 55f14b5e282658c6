import { describe, expect, it } from 'vitest';
import { MBAP_HEADER_LENGTH } from '../../src/codec/mbap.js';
import { handlerForRole, type Roles } from '../../src/modbus/role-rights.js';
import type { RequestHandler } from '../../src/modbus/request-handler.js';

/** A handler that answers every request with its function code alone (as if served). */
const served: RequestHandler = (_unit, pdu) => Buffer.from([0, 0, 0, 0, 0, 0, 0, pdu[0] ?? 0]);
const roles: Roles = new Map([
  ['Operator', { write: true }],
  ['Viewer', { write: false }],
  ['Line1', { write: true, units: [1, 2] }],
  ['Line1Viewer', { write: false, units: [1] }],
]);

/** The reply PDU (after the MBAP headroom) for function `fc` to `unit`. */
function answer(handler: RequestHandler, unit: number, pdu: number[]): number[] {
  const reply = handler(unit, Buffer.from(pdu));
  if (!(reply instanceof Buffer)) throw new Error('expected a synchronous reply');
  return [...reply.subarray(MBAP_HEADER_LENGTH)];
}

const READ = [3, 0, 0, 0, 1];
const WRITE = [6, 0, 0, 0, 7];
const READ_WRITE = [23, 0, 0, 0, 1, 0, 0, 0, 1, 2, 0, 7];

describe('role rights', () => {
  it('no roles: the handler itself (nothing added)', () => {
    expect(handlerForRole(served, undefined, null)).toBe(served);
    expect(handlerForRole(served, roles, 'Operator')).toBe(served);
  });

  it('no role, or a role not listed: 01 for everything', () => {
    for (const role of [null, 'Admin', 'operator']) {
      const h = handlerForRole(served, roles, role);
      expect(answer(h, 1, READ)).toEqual([0x83, 0x01]);
      expect(answer(h, 1, WRITE)).toEqual([0x86, 0x01]);
      expect(answer(h, 1, [43, 14, 1, 0])).toEqual([0xab, 0x01]);
    }
  });

  it('write: false: reads served, writes (23 included) and other functions 01', () => {
    const h = handlerForRole(served, roles, 'Viewer');
    expect(answer(h, 9, READ)).toEqual([3]);
    expect(answer(h, 9, [43, 14, 1, 0])).toEqual([43]);
    for (const pdu of [
      WRITE,
      [5, 0, 0, 0xff, 0],
      [15, 0, 0, 0, 1, 1, 1],
      [16, 0, 0, 0, 1, 2, 0, 1],
      [22, 0, 0, 0, 0, 0, 0],
      READ_WRITE,
      [8, 0, 1, 0, 0],
    ])
      expect(answer(h, 9, pdu)).toEqual([(pdu[0] ?? 0) | 0x80, 0x01]);
  });

  it("units: other unit ids 01, the role's write right within them", () => {
    const line = handlerForRole(served, roles, 'Line1');
    expect(answer(line, 1, WRITE)).toEqual([6]);
    expect(answer(line, 2, READ)).toEqual([3]);
    expect(answer(line, 3, READ)).toEqual([0x83, 0x01]);
    expect(answer(line, 0, WRITE)).toEqual([0x86, 0x01]);
    const viewer = handlerForRole(served, roles, 'Line1Viewer');
    expect(answer(viewer, 1, READ)).toEqual([3]);
    expect(answer(viewer, 1, WRITE)).toEqual([0x86, 0x01]);
    expect(answer(viewer, 2, READ)).toEqual([0x83, 0x01]);
  });
});
