/**
 * The BankOverlay of a bank that polls write into:
 *   - a read of a range whose poll is stale and says `onStale: exception` answers 0B;
 *   - a write into a `writeThrough` range is forwarded to the device at the matching address first;
 *     the bank is written and the client answered only once the device accepted it (its exception,
 *     or 0A / 0B, comes back instead). A write that covers a write-through range only in part is
 *     refused with 02 (it cannot be applied all or nothing); FC 23 into such a range with 01.
 */
import type { BankOverlay } from '../../bank/bank-overlay.js';
import { MBAP_HEADER_LENGTH } from '../../codec/mbap.js';
import { exceptionReply, ExceptionCode, type Request } from '../../codec/pdu/index.js';
import type { TableName } from '../../config/types.js';
import type { DeviceLink } from '../device.js';
import { isModbusLink, type RequestOrigin } from '../modbus/modbus-link.js';
import type { PollMember } from './plan.js';
import type { PollState } from './poll-state.js';

interface Range {
  readonly table: TableName;
  readonly address: number;
  readonly count: number;
}

type Reply = Buffer | null;

function headroom(pdu: Buffer): Buffer {
  const out = Buffer.allocUnsafe(MBAP_HEADER_LENGTH + pdu.length);
  pdu.copy(out, MBAP_HEADER_LENGTH);
  return out;
}

/** The bank range a request reads, and the one it writes. */
function ranges(req: Request): { read?: Range; write?: Range } {
  switch (req.fc) {
    case 1:
      return { read: { table: 'coils', address: req.address, count: req.quantity } };
    case 2:
      return { read: { table: 'discrete', address: req.address, count: req.quantity } };
    case 3:
      return { read: { table: 'holding', address: req.address, count: req.quantity } };
    case 4:
      return { read: { table: 'input', address: req.address, count: req.quantity } };
    case 5:
      return { write: { table: 'coils', address: req.address, count: 1 } };
    case 6:
    case 22:
      return { write: { table: 'holding', address: req.address, count: 1 } };
    case 15:
    case 16:
      return { write: { table: req.fc === 15 ? 'coils' : 'holding', address: req.address, count: req.quantity } };
    case 23:
      return {
        read: { table: 'holding', address: req.readAddress, count: req.readQuantity },
        write: { table: 'holding', address: req.writeAddress, count: req.writeQuantity },
      };
    default:
      return {};
  }
}

const overlaps = (m: PollMember, r: Range): boolean =>
  m.config.into.table === r.table &&
  r.address < m.config.into.address + m.config.read.count &&
  m.config.into.address < r.address + r.count;

const contains = (m: PollMember, r: Range): boolean =>
  m.config.into.table === r.table &&
  r.address >= m.config.into.address &&
  r.address + r.count <= m.config.into.address + m.config.read.count;

export class PollOverlay implements BankOverlay {
  constructor(
    private readonly members: readonly PollMember[],
    private readonly states: ReadonlyMap<number, PollState>,
    private readonly devices: ReadonlyMap<string, DeviceLink>,
  ) {}

  execute(req: Request, pdu: Buffer, onBank: () => Buffer, origin?: RequestOrigin): Reply | Promise<Reply> {
    const { read, write } = ranges(req);
    if (
      read &&
      this.members.some((m) => m.config.onStale === 'exception' && this.states.get(m.index)?.stale && overlaps(m, read))
    ) {
      return exceptionReply(req.fc, ExceptionCode.GatewayTargetFailed);
    }
    if (!write) return onBank();
    const through = this.members.filter((m) => m.config.writeThrough && overlaps(m, write));
    if (through.length === 0) return onBank();
    const member = through[0] as PollMember;
    if (req.fc === 23) return exceptionReply(req.fc, ExceptionCode.IllegalFunction);
    if (through.length > 1 || !contains(member, write)) return exceptionReply(req.fc, ExceptionCode.IllegalDataAddress);
    return this.forward(member, req.fc, write.address, pdu, onBank, origin);
  }

  private async forward(
    m: PollMember,
    fc: number,
    address: number,
    pdu: Buffer,
    onBank: () => Buffer,
    origin?: RequestOrigin,
  ): Promise<Reply> {
    const link = this.devices.get(m.config.device);
    if (!isModbusLink(link)) return exceptionReply(fc, ExceptionCode.GatewayPathUnavailable);
    const devicePdu = Buffer.from(pdu);
    devicePdu.writeUInt16BE(m.config.read.address + (address - m.config.into.address), 1);
    const reply = await link.request(m.unit, devicePdu, origin);
    if (!reply) return null;
    if ((reply[0] ?? 0) & 0x80) return headroom(reply);
    return onBank();
  }
}
