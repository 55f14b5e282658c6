/**
 * The RTU slave server on a mock serial port: how requests are cut from what the line delivers
 * (split reads, noise, silence), which requests get a reply, and what it counts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Bank } from '../../src/bank/bank.js';
import { encodeRtuFrame } from '../../src/codec/rtu/frame.js';
import { loadConfigText } from '../../src/config/load.js';
import type { ModbusServerConfig } from '../../src/config/types.js';
import { deviceIdentity } from '../../src/modbus/device-identity.js';
import { ModbusSerialServer, RESYNC_FLOOR_MS, type SerialServerConfig } from '../../src/modbus/serial-server.js';
import { until } from '../helpers/gateway.js';
import { captureLogger } from '../helpers/log.js';
import { hex, mockLine, type MockLine } from '../helpers/mock-serial.js';

const servers: ModbusSerialServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop('shutdown', 0)));
});

function config(path: string): SerialServerConfig {
  const r = loadConfigText(
    `banks: { plant: { holding: 10 }, line2: { holding: 10 } }
servers:
  - { name: hmi, protocol: modbus, serial: { path: ${path}, baudRate: 115200, parity: none }, units: { 1: { bank: plant }, 2: { bank: line2 } } }
`,
    'test.yaml',
  );
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.config.servers[0] as ModbusServerConfig as SerialServerConfig;
}

async function start(line: MockLine) {
  const plant = new Bank({ name: 'plant', points: [], tables: { holding: 10 }, values: {} });
  const line2 = new Bank({ name: 'line2', points: [], tables: { holding: 10 }, values: {} });
  plant.holding?.set([11, 12, 13]);
  const noop = () => undefined;
  let id = 0;
  const server = new ModbusSerialServer(
    config(line.path),
    {
      banks: new Map([
        ['plant', plant],
        ['line2', line2],
      ]),
      devices: new Map(),
      profiles: new Map(),
      identity: deviceIdentity('test'),
      log: captureLogger('warn').log,
      observer: { sessionOpened: noop, sessionClosed: noop, connectionRefused: noop, request: noop, bytes: noop },
      nextSessionId: () => ++id,
    },
    line.open,
  );
  servers.push(server);
  await server.start();
  await until(() => server.serialLine().state === 'up', 2000, 'port open');
  return { server, plant, line2 };
}

/** Resolves after the line has been quiet long enough to start a new frame. */
const quiet = () => new Promise((r) => setTimeout(r, RESYNC_FLOOR_MS + 5));

const READ = encodeRtuFrame(1, hex('03 0000 0002'));
const READ_REPLY = encodeRtuFrame(1, hex('03 04 000b 000c'));

describe('RTU slave server (mock serial port)', () => {
  it('answers a request that arrives in several reads, with unit + PDU + CRC', async () => {
    const line = mockLine();
    const { server } = await start(line);
    line.reply(READ.subarray(0, 3));
    line.reply(READ.subarray(3));
    expect(await line.nextWrite()).toEqual(READ_REPLY);
    expect(server.sessionStats()[0]).toMatchObject({ requests: 1, bytesIn: 8, bytesOut: 9 });
  });

  it('drops a partial frame at the next silence; the request after it is answered', async () => {
    const line = mockLine();
    const { server } = await start(line);
    line.reply(READ.subarray(0, 5));
    await quiet();
    line.reply(READ);
    expect(await line.nextWrite()).toEqual(READ_REPLY);
    expect(server.serialLine().dropped).toBe(5);
    expect(line.writes).toHaveLength(1);
  });

  it('drops bytes that make no request until the line is quiet, then answers again', async () => {
    const line = mockLine();
    const { server } = await start(line);
    line.reply('01 65 0203'); // FC 101: its length cannot be told
    line.reply(READ); // within the same burst: dropped too
    await quiet();
    line.reply(READ);
    expect(await line.nextWrite()).toEqual(READ_REPLY);
    expect(line.writes).toHaveLength(1);
    expect(server.serialLine().dropped).toBeGreaterThanOrEqual(4 + READ.length);
  });

  it('ignores other units, drops bad CRCs, executes a broadcast write on every bank without a reply', async () => {
    const line = mockLine();
    const { server, plant, line2 } = await start(line);
    line.reply(encodeRtuFrame(9, hex('03 0000 0001')));
    const bad = Buffer.from(READ);
    bad.writeUInt8(bad.at(-1)! ^ 0x10, bad.length - 1);
    line.reply(bad);
    line.reply(encodeRtuFrame(0, hex('06 0005 abcd')));
    line.reply(encodeRtuFrame(0, hex('03 0000 0001'))); // a broadcast read: ignored
    await until(() => line2.holding?.[5] === 0xabcd, 1000, 'broadcast executed');
    expect(plant.holding?.[5]).toBe(0xabcd);
    line.reply(encodeRtuFrame(2, hex('03 0005 0001')));
    expect(await line.nextWrite()).toEqual(encodeRtuFrame(2, hex('03 02 abcd')));
    expect(line.writes).toHaveLength(1);
    expect(server.crcErrors()).toBe(1);
    expect(server.serialLine()).toMatchObject({ ignored: 2, broadcasts: 1 });
  });
});
