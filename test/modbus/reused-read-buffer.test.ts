/**
 * A Modbus session reads into one reused buffer (transport/read-buffer.ts): every read overwrites
 * the bytes of the last one. These tests feed the session through such a buffer and check that
 * nothing kept past a read (a partial frame, a request answered later, the fc of a failed request,
 * a write executed after a device's reply) sees the bytes of a later read.
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { BankOverlay } from '../../src/bank/bank-overlay.js';
import { encodeAdu } from '../../src/codec/mbap.js';
import { deviceIdentity } from '../../src/modbus/device-identity.js';
import { createRequestHandler, type RequestHandler } from '../../src/modbus/request-handler.js';
import { ModbusSession } from '../../src/modbus/server-session.js';
import { UnitRouter } from '../../src/modbus/unit-router.js';
import type { SessionStream } from '../../src/transport/session-stream.js';
import { makeBank } from '../helpers/banks.js';
import { hex } from '../helpers/hex.js';
import { captureLogger } from '../helpers/log.js';

/** A stream whose every read arrives in the same 64-byte buffer, as with `onread`. */
class ReusedReadStream extends EventEmitter implements SessionStream {
  readonly shared = Buffer.alloc(64);
  readonly written: Buffer[] = [];
  readonly writableLength = 0;
  read(bytes: Buffer): void {
    this.shared.fill(0xee);
    bytes.copy(this.shared);
    this.emit('data', this.shared.subarray(0, bytes.length));
  }
  write(chunk: Buffer): boolean {
    this.written.push(Buffer.from(chunk));
    return true;
  }
  end(onFinish?: () => void): void {
    onFinish?.();
  }
  destroy(): void {
    this.emit('close');
  }
  pause(): void {}
  resume(): void {}
  output(): string {
    return Buffer.concat(this.written).toString('hex');
  }
}

function session(handler: RequestHandler): ReusedReadStream {
  const stream = new ReusedReadStream();
  new ModbusSession(stream, {
    id: 1,
    remote: 'mem:1',
    log: captureLogger().log,
    handler,
    maxInFlight: 16,
    idleTimeout: 0,
    sendTimeout: 1000,
  });
  return stream;
}

function bankSetup() {
  const bank = makeBank({ holding: 100 });
  const router = new UnitRouter(new Map(), 'b', new Map([['b', bank]]));
  return { bank, handler: createRequestHandler(router, { readOnly: false, identity: deviceIdentity('t') }) };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('a Modbus session reading into one reused buffer', () => {
  it('keeps a partial frame across reads that overwrite the buffer', () => {
    const { bank, handler } = bankSetup();
    const s = session(handler);
    const write = encodeAdu(5, 1, hex('10 0002 0002 04 1111 2222'));
    s.read(write.subarray(0, 11)); // header and part of the PDU: kept
    s.read(write.subarray(11)); // the rest, written over the first bytes
    expect([bank.holding![2], bank.holding![3]]).toEqual([0x1111, 0x2222]);
    expect(s.output()).toBe(encodeAdu(5, 1, hex('10 0002 0002')).toString('hex'));
  });

  it('answers a request whose handler fails later with its own function code, not a later read’s', async () => {
    let fail: ((e: Error) => void) | undefined;
    const handler: RequestHandler = (_unit, pdu) =>
      pdu[0] === 4
        ? new Promise((_resolve, reject) => (fail = reject))
        : Buffer.concat([Buffer.alloc(7), hex('10 0000 0001')]);
    const s = session(handler);
    s.read(encodeAdu(1, 1, hex('04 0000 0001')));
    s.read(encodeAdu(2, 1, hex('10 0000 0001 02 abcd'))); // overwrites the first request
    fail!(new Error('device gone'));
    await tick();
    expect(s.output()).toBe(
      encodeAdu(1, 1, hex('84 04')).toString('hex') + encodeAdu(2, 1, hex('10 0000 0001')).toString('hex'),
    );
  });

  it('writes the values a write-through request carried, after later reads overwrote them', async () => {
    const { bank, handler } = bankSetup();
    let release: (() => void) | undefined;
    const overlay: BankOverlay = {
      execute: (req, _pdu, onBank) =>
        req.fc === 16 && req.address === 2 ? new Promise((r) => (release = () => r(onBank()))) : onBank(),
    };
    bank.overlay = overlay;
    const s = session(handler);
    s.read(encodeAdu(1, 1, hex('10 0002 0002 04 1111 2222'))); // held, as by a device
    s.read(encodeAdu(2, 1, hex('10 0040 0002 04 dead beef'))); // same length: over every byte of it
    expect([bank.holding![64], bank.holding![65]]).toEqual([0xdead, 0xbeef]);
    release!();
    await tick();
    expect([bank.holding![2], bank.holding![3]]).toEqual([0x1111, 0x2222]);
    expect(s.output()).toBe(
      encodeAdu(1, 1, hex('10 0002 0002')).toString('hex') + encodeAdu(2, 1, hex('10 0040 0002')).toString('hex'),
    );
  });
});
