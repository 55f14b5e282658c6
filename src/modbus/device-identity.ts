/**
 * The objects fieldgate answers "read device identification" (FC 43 / MEI 14) with.
 */
import { DeviceObject, type DeviceIdentity } from '../codec/pdu/device-id.js';
import { VERSION } from '../version.js';

export function deviceIdentity(gatewayName: string): DeviceIdentity {
  const ascii = (s: string) => Buffer.from(s, 'latin1');
  return new Map<number, Buffer>([
    [DeviceObject.VendorName, ascii('fieldgate')],
    [DeviceObject.ProductCode, ascii('FG-GW')],
    [DeviceObject.MajorMinorRevision, ascii(VERSION)],
    [DeviceObject.VendorUrl, ascii('https://www.npmjs.com/package/fieldgate')],
    [DeviceObject.ProductName, ascii('fieldgate Modbus gateway')],
    [DeviceObject.ModelName, ascii(`fieldgate ${VERSION}`)],
    [DeviceObject.UserApplicationName, ascii(gatewayName)],
  ]);
}
