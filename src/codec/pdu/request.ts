/**
 * Request PDU decoding: dispatch on the function code. Never throws: anything a peer can send
 * decodes to a request or to the exception that answers it.
 */
import { decodeDeviceIdRequest } from './device-id.js';
import { exception, ExceptionCode } from './exception.js';
import { decodeMaskWriteRequest } from './mask-write.js';
import { decodeReadRequest } from './read.js';
import { decodeReadWriteRequest } from './read-write.js';
import type { Decoded } from './types.js';
import { decodeWriteMultipleRequest } from './write-multiple.js';
import { decodeWriteSingleRequest } from './write-single.js';

export function decodeRequest(pdu: Buffer): Decoded {
  const fc = pdu[0];
  switch (fc) {
    case undefined:
      return exception(0, ExceptionCode.IllegalFunction);
    case 1:
    case 2:
    case 3:
    case 4:
      return decodeReadRequest(pdu);
    case 5:
    case 6:
      return decodeWriteSingleRequest(pdu);
    case 15:
    case 16:
      return decodeWriteMultipleRequest(pdu);
    case 22:
      return decodeMaskWriteRequest(pdu);
    case 23:
      return decodeReadWriteRequest(pdu);
    case 43:
      return decodeDeviceIdRequest(pdu);
    default:
      return exception(fc & 0x7f, ExceptionCode.IllegalFunction);
  }
}
