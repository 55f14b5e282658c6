/**
 * Response PDUs are allocated with `headroom` spare bytes in front, so a transport can write its own
 * header (MBAP: 7 bytes) into the same buffer instead of copying the PDU.
 */
export function allocPdu(pduLength: number, headroom: number): Buffer {
  return Buffer.allocUnsafe(headroom + pduLength);
}
