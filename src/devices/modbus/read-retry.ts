/**
 * Which requests a device link may send again when they get no valid answer (`retries`): reads
 * only. A write, or any function whose effect fieldgate cannot tell (diagnostics, file records,
 * vendor functions), may have been executed although its reply was lost: sent once, never twice.
 */
const READS = new Set([1, 2, 3, 4]);
/** FC 43 (encapsulated interface) with MEI type 14: read device identification. */
const MEI = 0x2b;
const READ_DEVICE_ID = 0x0e;

export function isRetriableRead(pdu: Buffer): boolean {
  const fc = pdu[0] ?? 0;
  return READS.has(fc) || (fc === MEI && pdu[1] === READ_DEVICE_ID);
}
