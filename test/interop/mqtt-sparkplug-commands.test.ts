/**
 * Sparkplug B commands to fieldgate (the built daemon) through Debian's mosquitto, encoded as a host
 * would with sparkplug-payload: DCMD writes read back over Modbus with modbus-serial (exact registers)
 * and the DDATA that follows; refused DCMDs (unknown point, wrong type, out of range, read-only
 * table, unpublished bank, malformed protobuf) counted, logged, the session going on; NCMD rebirth.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ModbusRTU } from 'modbus-serial/ModbusRTU.js';
import { closeClient, modbusClient } from '../helpers/clients.js';
import { MOSQUITTO, startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import type { Watch } from '../helpers/mqtt-watch.js';
import {
  LINE_BANK,
  metric,
  nextOf,
  published,
  rawUInt32,
  sendCommand,
  shape,
  startNode,
  watchNode,
  workDir,
  type CommandMetric,
  type RunningNode,
} from '../helpers/sparkplug-daemon.js';
import { requireTool } from './tools.js';

requireTool(MOSQUITTO, 'mosquitto');

const DCMD = 'spBv1.0/plant/DCMD/edge1/line';
const NCMD = 'spBv1.0/plant/NCMD/edge1';

let broker: Mosquitto;
let w: Watch;
let node: RunningNode;
let c: ModbusRTU;

beforeAll(async () => {
  broker = await startMosquitto();
  w = await watchNode(broker.url);
  node = await startNode({
    broker: broker.url,
    dir: workDir(),
    banks: ['line'],
    body: `banks:${LINE_BANK}
servers:
  - { name: scada, protocol: modbus, listen: 127.0.0.1:0, bank: line }
`,
  });
  await nextOf(w, 'DBIRTH', 'line');
  c = await modbusClient(node.port('scada'), 1);
});

afterAll(async () => {
  if (c) await closeClient(c);
  await node?.stop();
  await w?.close();
  await broker?.stop();
});

/** Sends a DCMD to bank line and resolves with the DDATA of line that follows. */
async function command(metrics: readonly CommandMetric[] | Buffer, topic = DCMD) {
  await sendCommand(w, topic, metrics);
  return nextOf(w, 'DDATA', 'line');
}

describe('DCMD', () => {
  it('int16: the register holds it (FC 16 as a client would), a DDATA carries it', async () => {
    const before = Date.now();
    const d = await command([{ name: 'i16', type: 'Int16', value: -1234 }]);
    expect(shape(d)).toEqual([['i16', 'Int16', -1234]]);
    expect(Number(metric(d, 'i16').timestamp)).toBeGreaterThanOrEqual(before);
    expect((await c.readHoldingRegisters(0, 2)).data).toEqual([0x10000 - 1234, 65000]);
  });

  it('float32, a coil, a string, a scaled int16, a uint32 (UInt64 and UInt32): exact registers and bits', async () => {
    let d = await command([{ name: 'f32', type: 'Float', value: 2.5 }]);
    expect(shape(d)).toEqual([['f32', 'Float', 2.5]]);
    expect((await c.readHoldingRegisters(6, 2)).data).toEqual([0x4020, 0]);

    d = await command([{ name: 'run', type: 'Boolean', value: true }]);
    expect(shape(d)).toEqual([['run', 'Boolean', true]]);
    expect((await c.readCoils(0, 2)).data.slice(0, 2)).toEqual([true, false]);

    d = await command([{ name: 'text', type: 'String', value: 'XYZ' }]);
    expect(shape(d)).toEqual([['text', 'String', 'XYZ']]);
    expect((await c.readHoldingRegisters(12, 4)).data).toEqual([0x5859, 0x5a00, 0, 0]);

    d = await command([{ name: 'temp', type: 'Double', value: 12.3 }]);
    expect(shape(d)).toEqual([['temp', 'Double', 12.3]]);
    expect((await c.readHoldingRegisters(16, 1)).data).toEqual([123]);

    d = await command([{ name: 'u32', type: 'UInt64', value: 4_000_000_001 }]);
    expect(rawUInt32(d, 'u32')).toBe(4_000_000_001);
    expect((await c.readHoldingRegisters(4, 2)).data).toEqual([0xee6b, 0x2801]);
    // UInt32 as sparkplug-payload encodes it (in long_value, unlike Sparkplug 3.0's int_value)
    d = await command([{ name: 'u32', type: 'UInt32', value: 123_456 }]);
    expect(rawUInt32(d, 'u32')).toBe(123_456);
    expect((await c.readHoldingRegisters(4, 2)).data).toEqual([0x0001, 0xe240]);

    // two metrics in one DCMD: two writes, both published
    await sendCommand(w, DCMD, [
      { name: 'i16', type: 'Int16', value: 7 },
      { name: 'u16', type: 'UInt16', value: 8 },
    ]);
    const seen = new Map<string, unknown>();
    while (seen.size < 2) for (const m of (await nextOf(w, 'DDATA', 'line')).metrics) seen.set(String(m.name), m.value);
    expect(Object.fromEntries(seen)).toEqual({ i16: 7, u16: 8 });
    expect((await c.readHoldingRegisters(0, 2)).data).toEqual([7, 8]);
    expect(await node.mqttStatus()).toMatchObject({ commandsAccepted: 9, commandsRefused: 0 });
  });

  it('refused: unknown point, wrong type, out of range, read-only table, unpublished bank, bad protobuf', async () => {
    const refusals: [string, readonly CommandMetric[] | Buffer, string?][] = [
      ['unknown point', [{ name: 'nope', type: 'Int16', value: 1 }]],
      ['String to an int16', [{ name: 'i16', type: 'String', value: 'abc' }]],
      ['40000 to an int16', [{ name: 'i16', type: 'Int32', value: 40000 }]],
      ['input table', [{ name: 'ro', type: 'Int16', value: 5 }]],
      ['unpublished bank', [{ name: 'i16', type: 'Int16', value: 5 }], 'spBv1.0/plant/DCMD/edge1/ghost'],
      ['not protobuf', Buffer.from([0xff, 0xff, 0xff, 0x0f])],
      ['a Boolean to a string point', [{ name: 'text', type: 'Boolean', value: true }]],
    ];
    let marker = 100;
    for (const [what, metrics, topic] of refusals) {
      await sendCommand(w, topic ?? DCMD, metrics);
      // the next good command still works, and its DDATA carries only its own point
      const d = await command([{ name: 'u16', type: 'UInt16', value: ++marker }]);
      expect({ what, got: shape(d) }).toEqual({ what, got: [['u16', 'UInt16', marker]] });
    }
    // nothing of the refused ones reached the registers
    expect((await c.readHoldingRegisters(0, 2)).data).toEqual([7, marker]);
    expect((await c.readInputRegisters(0, 1)).data).toEqual([0]);
    expect((await c.readHoldingRegisters(12, 4)).data).toEqual([0x5859, 0x5a00, 0, 0]);
    expect(await node.mqttStatus()).toMatchObject({
      state: 'online',
      connects: 1,
      commandsAccepted: 9 + refusals.length,
      commandsRefused: refusals.length,
    });
    // the first refusal is logged at once with its reason (repeats are summed by the log limit)
    const first = await node.d.waitFor((l) => l['msg'] === 'mqtt: command refused', 2_000);
    expect(first).toMatchObject({ command: DCMD });
    expect(String(first['reason'])).toContain('nope');
    // still the first session: one NBIRTH only
    expect(published(w).filter((m) => m.type === 'NBIRTH')).toHaveLength(1);
  });
});

describe('NCMD', () => {
  it('Node Control/Rebirth = true: NBIRTH with seq 0 and the same bdSeq, then the DBIRTH with current values', async () => {
    const first = published(w).find((m) => m.type === 'NBIRTH')!;
    const bdSeq = metric(first, 'bdSeq').value;
    await sendCommand(w, NCMD, [{ name: 'Node Control/Rebirth', type: 'Boolean', value: true }]);
    const nbirth = await nextOf(w, 'NBIRTH');
    expect(nbirth.seq).toBe(0);
    expect(metric(nbirth, 'bdSeq')).toMatchObject({ type: 'UInt64', value: bdSeq });
    expect(metric(nbirth, 'Node Control/Rebirth').value).toBe(false);
    const dbirth = await nextOf(w, 'DBIRTH', 'line');
    expect(dbirth.seq).toBe(1);
    expect(Object.fromEntries(dbirth.metrics.map((m) => [m.name, m.value]))).toMatchObject({
      i16: 7,
      u16: 107,
      f32: 2.5,
      run: true,
      text: 'XYZ',
      temp: 12.3,
    });
    expect(rawUInt32(dbirth, 'u32')).toBe(123_456);
    // seq goes on from the rebirth
    const d = await command([{ name: 'u16', type: 'UInt16', value: 555 }]);
    expect(d.seq).toBe(2);
    expect(await node.mqttStatus()).toMatchObject({ births: 2, connects: 1, bdSeq });
  });

  it('a node command other than Rebirth = true is refused, and no birth follows', async () => {
    const before = (await node.mqttStatus())['commandsRefused'] as number;
    await sendCommand(w, NCMD, [{ name: 'Node Control/Rebirth', type: 'Boolean', value: false }]);
    await sendCommand(w, NCMD, [{ name: 'Node Control/Reboot', type: 'Boolean', value: true }]);
    const d = await command([{ name: 'u16', type: 'UInt16', value: 556 }]);
    expect(d.seq).toBe(3);
    expect(await node.mqttStatus()).toMatchObject({ births: 2, commandsRefused: before + 2 });
  });
});
