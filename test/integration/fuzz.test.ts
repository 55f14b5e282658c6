/**
 * Property: whatever bytes a peer sends, nothing throws out of a session, and the server keeps
 * answering other clients correctly.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeAdu } from '../../src/codec/mbap.js';
import { deviceIdentity } from '../../src/modbus/device-identity.js';
import { createRequestHandler } from '../../src/modbus/request-handler.js';
import { ModbusSession } from '../../src/modbus/server-session.js';
import { UnitRouter } from '../../src/modbus/unit-router.js';
import { makeBank } from '../helpers/banks.js';
import { closeClient, modbusClient, rawConnect } from '../helpers/clients.js';
import { duplexPair } from '../helpers/duplex-pair.js';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { captureLogger } from '../helpers/log.js';

/** Frames with a valid MBAP header around random PDUs (reaches the PDU decoders), or raw garbage. */
const frame = fc.oneof(
  fc
    .record({
      tid: fc.integer({ min: 0, max: 0xffff }),
      unit: fc.integer({ min: 0, max: 255 }),
      pdu: fc.uint8Array({ minLength: 1, maxLength: 253 }),
    })
    .map(({ tid, unit, pdu }) => encodeAdu(tid, unit, Buffer.from(pdu))),
  fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => Buffer.from(b)),
);

describe('random input to a session (in memory)', () => {
  it('never throws, always answers well-formed frames with a well-formed reply', () => {
    const bank = makeBank({ holding: 100, input: 10, coils: 100 });
    const handler = createRequestHandler(new UnitRouter(new Map(), 'b', new Map([['b', bank]])), {
      readOnly: false,
      identity: deviceIdentity('fuzz'),
    });
    fc.assert(
      fc.property(fc.array(frame, { minLength: 1, maxLength: 20 }), fc.integer({ min: 1, max: 64 }), (frames, cut) => {
        const [client, server] = duplexPair();
        const replies: Buffer[] = [];
        client.on('data', (c: Buffer) => replies.push(c));
        const session = new ModbusSession(server, {
          id: 1,
          remote: 'fuzz',
          log: captureLogger('fatal').log,
          handler,
          maxInFlight: 16,
          idleTimeout: 0,
          sendTimeout: 1000,
        });
        const bytes = Buffer.concat(frames);
        for (let o = 0; o < bytes.length; o += cut) server.emit('data', bytes.subarray(o, o + cut));
        // Every reply is a whole MBAP frame with protocol id 0.
        const out = Buffer.concat(replies);
        for (let o = 0; o < out.length;) {
          expect(out.readUInt16BE(o + 2)).toBe(0);
          o += 6 + out.readUInt16BE(o + 4);
        }
        session.close('shutdown');
      }),
      { numRuns: 300 },
    );
  });
});

describe('random input over loopback', () => {
  let gw: RunningGateway;
  beforeAll(async () => {
    gw = await startGateway(`
banks: { b: { holding: 100, coils: 64 } }
servers: [ { name: s, protocol: modbus, listen: "127.0.0.1:0", bank: b, maxClients: 100 } ]
`);
  });
  afterAll(() => gw.stop());

  it('garbage on one connection never disturbs another client', async () => {
    const good = await modbusClient(gw.port('s'));
    await good.writeRegister(3, 1234);
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 8 }), async (frames) => {
          const conn = await rawConnect(gw.port('s'));
          conn.socket.write(Buffer.concat(frames));
          expect((await good.readHoldingRegisters(3, 1)).data).toEqual([1234]);
          conn.socket.destroy();
        }),
        { numRuns: 60 },
      );
    } finally {
      await closeClient(good);
    }
  }, 30_000);
});
