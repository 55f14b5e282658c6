/**
 * SCADA clients fieldgate did not write, against a gateway on loopback:
 * mbpoll (Debian `mbpoll`) and pymodbus (Debian `python3-pymodbus`, run with /usr/bin/python3).
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type RunningGateway } from '../helpers/gateway.js';
import { requireTool, run } from './tools.js';

const MBPOLL = '/usr/bin/mbpoll';
const PYTHON = '/usr/bin/python3';
const PY_CLIENT = fileURLToPath(new URL('./pymodbus_client.py', import.meta.url));

let gw: RunningGateway;
beforeAll(async () => {
  requireTool(MBPOLL, 'mbpoll');
  requireTool(PYTHON, 'python3-pymodbus');
  gw = await startGateway(`
gateway: { name: interop }
banks:
  plant:
    holding: 1000
    input: 100
    coils: 256
    discrete: 64
    values:
      holding: { 0: [1, 2, 3] }
      input: { 0: [500, 501] }
      coils: { 5: [1, 0, 1] }
      discrete: { 1: [1, 1] }
servers:
  - { name: scada, protocol: modbus, listen: "127.0.0.1:0", units: { 1: { bank: plant } } }
`);
});
afterAll(() => gw.stop());

/** mbpoll: -m tcp, -a unit, -t table (0 coils, 1 discrete, 3 input, 4 holding), -r 1-based reference. */
function mbpoll(args: string[], values: string[] = []) {
  return run(MBPOLL, [
    '-m',
    'tcp',
    '-p',
    String(gw.port('scada')),
    '-a',
    '1',
    '-1',
    '-o',
    '2',
    ...args,
    '127.0.0.1',
    ...values,
  ]);
}

/** The `[ref]: value` lines mbpoll prints. */
function values(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of stdout.matchAll(/^\[(\d+)\]:\s+(-?\w+)/gm)) out[m[1]!] = m[2]!;
  return out;
}

describe('mbpoll', () => {
  it('reads all four tables', async () => {
    const holding = await mbpoll(['-t', '4', '-r', '1', '-c', '3']);
    expect(holding.code, holding.stderr).toBe(0);
    expect(values(holding.stdout)).toEqual({ 1: '1', 2: '2', 3: '3' });
    expect(values((await mbpoll(['-t', '3', '-r', '1', '-c', '2'])).stdout)).toEqual({ 1: '500', 2: '501' });
    expect(values((await mbpoll(['-t', '0', '-r', '6', '-c', '3'])).stdout)).toEqual({ 6: '1', 7: '0', 8: '1' });
    expect(values((await mbpoll(['-t', '1', '-r', '2', '-c', '2'])).stdout)).toEqual({ 2: '1', 3: '1' });
  });

  it('writes holding registers and coils, and reads them back', async () => {
    const w = await mbpoll(['-t', '4', '-r', '101'], ['1234', '5678']);
    expect(w.code, w.stderr + w.stdout).toBe(0);
    expect(values((await mbpoll(['-t', '4', '-r', '101', '-c', '2'])).stdout)).toEqual({ 101: '1234', 102: '5678' });
    const c = await mbpoll(['-t', '0', '-r', '21'], ['1', '0', '1']);
    expect(c.code, c.stderr + c.stdout).toBe(0);
    expect(values((await mbpoll(['-t', '0', '-r', '21', '-c', '3'])).stdout)).toEqual({ 21: '1', 22: '0', 23: '1' });
  });

  it('reports the exception for an address outside the table', async () => {
    const r = await mbpoll(['-t', '4', '-r', '1000', '-c', '2']);
    expect(r.stdout + r.stderr).toMatch(/Illegal data address/i);
  });
});

describe('pymodbus', () => {
  it('exercises every function code and checks the exception codes', async () => {
    const r = await run(PYTHON, [PY_CLIENT, String(gw.port('scada'))]);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
    expect(out).toMatchObject({
      fc3: [1, 2, 3],
      fc4: [500, 501],
      fc1: [true, false, true],
      fc2: [true, true],
      fc5: [true],
      fc6: [4321],
      fc15: [true, false, true, true],
      fc16: [7, 8, 9],
      fc22: [0x17],
      fc23: [0, 5, 6],
      bad_address: 2,
      bad_quantity: 3,
      unknown_function: 1,
      unmapped_unit: 0x0a,
    });
    expect(out['fc43']).toMatchObject({ 0: 'fieldgate', 6: 'interop' });
  });
});
