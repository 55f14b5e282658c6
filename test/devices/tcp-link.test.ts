/**
 * The device queue in front of a Modbus TCP device (a fake PLC on loopback): what a request that was
 * sent but not answered gets (writes are never sent twice; a reset with a request in flight is 0B).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ModbusTcpDeviceConfig } from '../../src/config/types.js';
import type { ModbusLink } from '../../src/devices/modbus/modbus-link.js';
import { createTcpLink } from '../../src/devices/factory.js';
import { startFakePlc, type FakePlc } from '../helpers/fake-plc.js';
import { until } from '../helpers/gateway.js';
import { hex } from '../helpers/hex.js';
import { captureLogger } from '../helpers/log.js';

const links: ModbusLink[] = [];
let plc: FakePlc | undefined;
afterEach(async () => {
  await Promise.all(links.splice(0).map((l) => l.stop()));
  await plc?.close();
  plc = undefined;
});

async function start(p: FakePlc, extra: Partial<ModbusTcpDeviceConfig> = {}): Promise<ModbusLink> {
  const config: ModbusTcpDeviceConfig = {
    name: 'plc',
    type: 'modbus-tcp',
    host: '127.0.0.1',
    ports: p.ports,
    unit: 1,
    timeout: 50,
    retries: 0,
    queue: 8,
    maxInFlight: 1,
    reconnect: { min: 5, max: 20, jitter: 0 },
    ...extra,
  };
  const link = createTcpLink(config, captureLogger('error').log);
  links.push(link);
  await link.start();
  await until(() => link.status().state === 'up', 2000, 'device connected');
  return link;
}

describe('Modbus device link (TCP, fake PLC)', () => {
  it('never retries a write to a device that does not answer (0B, sent once); a read is retried', async () => {
    plc = await startFakePlc(1, { silent: true });
    const link = await start(plc, { retries: 2 });
    expect(await link.request(1, hex('06 0001 0003'))).toEqual(hex('86 0b'));
    expect(plc.requests).toHaveLength(1);
    expect(await link.request(2, hex('10 0001 0001 02 0007'))).toEqual(hex('90 0b'));
    expect(plc.requests).toHaveLength(2);
    expect(await link.request(3, hex('03 0000 0001'))).toEqual(hex('83 0b'));
    expect(plc.requests).toHaveLength(5);
  });

  it('answers 0B, not 0A, when the PLC resets the connection with the request in flight', async () => {
    plc = await startFakePlc(1, { hold: true });
    const link = await start(plc, { timeout: 5000 });
    const reply = link.request(1, hex('06 0001 0003'));
    await until(() => plc!.requests.length === 1, 2000, 'request at the PLC');
    await plc.close();
    expect(await reply).toEqual(hex('86 0b'));
  });
});
