/**
 * Role `rtu-slave` (a Modbus RTU instrument on RS-485; also any register profile run with --serial):
 * answers requests for `unit` on a serial line from a bank holding the profile's register layout,
 * refreshed every `every` ms from the simulated values. Requests are cut by their function code
 * (codec/rtu/request-framer.ts); a frame with a bad CRC, or bytes that make no request, are dropped after the
 * line falls silent, as an instrument does. Other units' requests are ignored (another slave's);
 * broadcasts (unit 0) are executed without a reply. Served with fieldgate's own bank executor.
 */
import { Bank } from '../bank/bank.js';
import { MBAP_HEADER_LENGTH } from '../codec/mbap.js';
import { decodeRequest, encodeException } from '../codec/pdu/index.js';
import { encodeRtuFrame } from '../codec/rtu/frame.js';
import { crcMatches } from '../codec/rtu/crc.js';
import { encodeRegisters, registerSpan } from '../codec/profile/encode.js';
import { openSerialPort, type SerialPortLike } from '../transport/serial-opener.js';
import { FieldgateError } from '../errors.js';
import { executeOnBank } from '../modbus/bank-executor.js';
import { deviceIdentity } from '../modbus/device-identity.js';
import { requestLength } from '../codec/rtu/request-framer.js';
import type { PlaySettings, Say } from './types.js';
import { SimulatedValues } from './values.js';

/** ms of silence that ends a frame whose length is unknown, or drops bytes that make none. */
const SILENCE_MS = 20;

export interface RtuSlaveSettings extends PlaySettings {
  readonly unit: number;
  /** The first register of the layout in the slave's table. */
  readonly address: number;
  readonly path: string;
  readonly baudRate: number;
  readonly parity: 'none' | 'even' | 'odd';
}

export async function startRtuSlave(s: RtuSlaveSettings, say: Say): Promise<{ stop(): Promise<void> }> {
  const values = new SimulatedValues(s.values);
  const span = registerSpan(s.profile);
  const bank = new Bank({
    name: s.profile.name,
    points: [],
    tables: { [s.profile.table]: Math.max(1, s.address + span.count) },
    values: {},
  });
  const refresh = () => bank[s.profile.table]?.set(encodeRegisters(s.profile, values.next()), s.address);
  refresh();
  const port = await open(s);
  say('serial port open', { path: s.path, baudRate: s.baudRate, parity: s.parity, unit: s.unit });
  const line = new SlaveLine(port, bank, s, say);
  port.on('data', (chunk: Buffer) => line.feed(chunk));
  port.on('error', (err) => say('serial port error', { path: s.path, error: err.message }));
  port.on('close', () => say('serial port closed', { path: s.path }));
  const timer = setInterval(refresh, Math.max(s.every, 10));
  return {
    stop: () => {
      clearInterval(timer);
      line.stop();
      return new Promise<void>((resolve) => (port.isOpen ? port.close(() => resolve()) : resolve()));
    },
  };
}

function open(s: RtuSlaveSettings): Promise<SerialPortLike> {
  return new Promise((resolve, reject) => {
    const port = openSerialPort(
      { path: s.path, baudRate: s.baudRate, parity: s.parity, dataBits: 8, stopBits: 1 },
      (err) => {
        if (err) reject(new FieldgateError('FG_ERR_START', `cannot open the serial port ${s.path}: ${err.message}`));
        else resolve(port);
      },
    );
  });
}

/** The slave's side of the line: bytes in, requests cut and answered. */
class SlaveLine {
  private held: Buffer = Buffer.alloc(0);
  private silence: NodeJS.Timeout | undefined;
  private readonly identity;

  constructor(
    private readonly port: SerialPortLike,
    private readonly bank: Bank,
    private readonly s: RtuSlaveSettings,
    private readonly say: Say,
  ) {
    this.identity = deviceIdentity(`simulated ${s.profile.name}`);
  }

  feed(chunk: Buffer): void {
    this.held = this.held.length === 0 ? chunk : Buffer.concat([this.held, chunk]);
    for (;;) {
      const len = requestLength(this.held, 0, this.held.length);
      if (typeof len !== 'number' || this.held.length < len) break;
      const frame = this.held.subarray(0, len);
      this.held = this.held.subarray(len);
      if (!crcMatches(frame, 0, len)) {
        this.say('bad CRC, request dropped', { bytes: frame.subarray(0, 16).toString('hex') });
        this.held = Buffer.alloc(0);
        break;
      }
      this.answer(frame);
    }
    clearTimeout(this.silence);
    if (this.held.length > 0) this.silence = setTimeout(() => this.onSilence(), SILENCE_MS);
  }

  stop(): void {
    clearTimeout(this.silence);
  }

  /** What is held when the line falls silent: a request of unknown length, or noise. */
  private onSilence(): void {
    const frame = this.held;
    this.held = Buffer.alloc(0);
    if (frame.length >= 4 && crcMatches(frame, 0, frame.length)) this.answer(frame);
    else this.say('noise on the line dropped', { bytes: frame.subarray(0, 16).toString('hex') });
  }

  private answer(frame: Buffer): void {
    const unit = frame[0] ?? 0;
    if ((unit !== this.s.unit && unit !== 0) || !this.s.tally.open) return;
    const req = decodeRequest(frame.subarray(1, frame.length - 2));
    const reply =
      'exception' in req
        ? encodeException(req.fc, req.exception)
        : executeOnBank(req, this.bank, this.identity).subarray(MBAP_HEADER_LENGTH);
    if (unit === 0) return;
    this.port.write(encodeRtuFrame(unit, reply), () => undefined);
    this.s.tally.add();
  }
}
