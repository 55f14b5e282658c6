/**
 * The built daemon's JSON format against Debian's mosquitto, read and written with the broker's own
 * command line clients (mosquitto_sub, mosquitto_pub) and the registers read back with mbpoll:
 * retained {"value","timestamp"} per point, a change after a Modbus write, /set commands (a JSON value
 * or {"value": ...}; garbage refused), and the retained status topic with its Will after kill -9.
 */
import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MOSQUITTO, type Mosquitto } from '../helpers/mosquitto.js';
import { gatewayYaml, LEVEL, newStoreDir, resources, TEMP, type Fieldgate } from '../helpers/mqtt-daemon.js';
import type { Watch } from '../helpers/mqtt-watch.js';
import { requireTool, run } from './tools.js';

const SUB = '/usr/bin/mosquitto_sub';
const PUB = '/usr/bin/mosquitto_pub';
const MBPOLL = '/usr/bin/mbpoll';
requireTool(MOSQUITTO, 'mosquitto');
requireTool(SUB, 'mosquitto-clients');
requireTool(MBPOLL, 'mbpoll');

const ROOT = 'fg/line3';
const r = resources();
let b: Mosquitto;
let fg: Fieldgate;
let w: Watch;

beforeAll(async () => {
  b = await r.broker();
  w = await r.watcher(b.url, `${ROOT}/#`);
  fg = await r.daemon(
    gatewayYaml({ url: b.url, format: 'json', topic: ROOT, banks: ['line'], storeForward: { dir: newStoreDir() } }),
  );
  await fg.until((m) => m.state === 'online', 'online');
});
afterAll(r.cleanup);

const brokerArgs = () => ['-h', '127.0.0.1', '-p', String(b.port)];

/** `mosquitto_sub -v`, at most `count` messages within 10 s: [topic, payload] pairs. */
async function sub(topic: string, count: number): Promise<[string, string][]> {
  const res = await run(SUB, [...brokerArgs(), '-t', topic, '-v', '-C', String(count), '-W', '10']);
  expect(res.code, res.stderr).toBe(0);
  return lines(res.stdout);
}

const lines = (stdout: string): [string, string][] =>
  stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => {
      const space = l.indexOf(' ');
      return [l.slice(0, space), l.slice(space + 1)];
    });

async function pub(topic: string, message: string): Promise<void> {
  const res = await run(PUB, [...brokerArgs(), '-q', '1', '-t', topic, '-m', message]);
  expect(res.code, res.stderr).toBe(0);
}

/** One holding register through mbpoll (reference 1-based). */
async function mbpoll(address: number): Promise<number> {
  const res = await run(MBPOLL, [
    '-m',
    'tcp',
    '-p',
    String(fg.modbusPort),
    '-a',
    '1',
    '-r',
    String(address + 1),
    '-c',
    '1',
    '-1',
    '127.0.0.1',
  ]);
  expect(res.code, res.stderr + res.stdout).toBe(0);
  const m = new RegExp(`^\\[${address + 1}\\]:\\s+(-?\\d+)`, 'm').exec(res.stdout);
  if (!m) throw new Error(`no value for [${address + 1}] in mbpoll output:\n${res.stdout}`);
  return Number(m[1]);
}

describe('json format', () => {
  it('publishes every point retained as {"value","timestamp"}, and the status topic', async () => {
    const got = new Map(await sub(`${ROOT}/#`, 6));
    expect([...got.keys()].sort()).toEqual(
      ['flow', 'label', 'level', 'run', 'temp']
        .map((p) => `${ROOT}/line/${p}`)
        .concat(`${ROOT}/status`)
        .sort(),
    );
    const value = (point: string) => JSON.parse(got.get(`${ROOT}/line/${point}`)!) as Record<string, unknown>;
    expect(value('level')).toEqual({ value: 7, timestamp: null }); // an initial value: not written since start
    expect(value('temp')).toMatchObject({ value: -5 });
    expect(value('flow')).toMatchObject({ value: 0 });
    expect(value('label')).toMatchObject({ value: '' });
    expect(value('run')).toMatchObject({ value: false });
    const status = JSON.parse(got.get(`${ROOT}/status`)!) as Record<string, unknown>;
    expect(status).toMatchObject({ online: true });
  });

  it('publishes a change after a Modbus write, with the time of the write', async () => {
    // mosquitto_sub prints the retained value first (it is subscribed then), then the change
    const child = spawn(SUB, [...brokerArgs(), '-t', `${ROOT}/line/temp`, '-v', '-C', '2', '-W', '10']);
    let out = '';
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    const firstLine = new Promise<void>((resolve) =>
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('\n')) resolve();
      }),
    );
    await Promise.race([firstLine, exited]);
    const mb = await r.modbus(fg.modbusPort);
    const before = Date.now();
    await mb.writeRegisters(TEMP, [0xffff - 40]); // -41
    const after = Date.now();
    expect(await exited).toBe(0);
    const [retained, change] = lines(out);
    expect(JSON.parse(retained![1])).toMatchObject({ value: -5 });
    const changed = JSON.parse(change![1]) as { value: number; timestamp: number };
    expect(changed.value).toBe(-41);
    expect(changed.timestamp).toBeGreaterThanOrEqual(before);
    expect(changed.timestamp).toBeLessThanOrEqual(after);
    // and it is the retained value now
    expect(JSON.parse((await sub(`${ROOT}/line/temp`, 1))[0]![1])).toEqual(changed);
  });

  it('/set writes the register (a JSON value or {"value": ...}); garbage is refused and counted', async () => {
    await pub(`${ROOT}/line/level/set`, '1234');
    await fg.until((m) => m.commandsAccepted === 1, 'commandsAccepted 1');
    expect(await mbpoll(LEVEL)).toBe(1234);
    await w.next(
      (m) => m.topic === `${ROOT}/line/level` && (JSON.parse(m.payload.toString()) as { value: number }).value === 1234,
    );
    expect(JSON.parse((await sub(`${ROOT}/line/level`, 1))[0]![1])).toMatchObject({ value: 1234 });

    await pub(`${ROOT}/line/level/set`, '{"value": 5}');
    await fg.until((m) => m.commandsAccepted === 2, 'commandsAccepted 2');
    expect(await mbpoll(LEVEL)).toBe(5);

    const refusedBefore = (await fg.mqtt()).commandsRefused;
    await pub(`${ROOT}/line/level/set`, 'garbage{');
    await pub(`${ROOT}/line/level/set`, '[1,2]');
    await pub(`${ROOT}/line/nosuch/set`, '1');
    const refused = await fg.until((m) => m.commandsRefused === refusedBefore + 3, 'three refusals');
    expect(refused.commandsAccepted).toBe(2);
    expect(refused.state).toBe('online');
    expect(await mbpoll(LEVEL)).toBe(5);
    await fg.daemon.waitFor((l) => l['msg'] === 'mqtt: command refused');
    expect(fg.daemon.child.exitCode).toBeNull();
  });

  it('the status topic is {"online":true} while up and the Will {"online":false} after kill -9', async () => {
    const [[, up]] = (await sub(`${ROOT}/status`, 1)) as [[string, string]];
    expect(JSON.parse(up)).toMatchObject({ online: true, timestamp: expect.any(Number) as number });
    await fg.kill();
    await w.next((m) => m.topic === `${ROOT}/status` && m.payload.toString() === '{"online":false}', 10_000);
    const [[, down]] = (await sub(`${ROOT}/status`, 1)) as [[string, string]];
    expect(JSON.parse(down)).toEqual({ online: false });
  });
});
