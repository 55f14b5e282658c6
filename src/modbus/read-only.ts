/**
 * What a read-only server lets through: an allow list, not a list of writes. Anything not on it
 * (FC 8 diagnostics such as "restart communications" or "force listen-only mode", FC 21 write file
 * record, vendor function codes, ...) is answered 01 and never reaches a bank or a device.
 *   1, 2, 3, 4  read coils, discrete inputs, holding and input registers
 *   20          read file record (forwarded by routes; a bank answers it 01)
 *   43/14       read device identification (MEI type 14 only)
 */

/** MEI type of FC 43 that reads the device identification. */
const MEI_READ_DEVICE_ID = 14;

/** True when a read-only server may execute or forward `pdu`. */
export function readOnlyAllows(pdu: Buffer): boolean {
  switch (pdu[0]) {
    case 1:
    case 2:
    case 3:
    case 4:
    case 20:
      return true;
    case 43:
      return pdu[1] === MEI_READ_DEVICE_ID;
    default:
      return false;
  }
}
