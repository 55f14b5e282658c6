/**
 * A raw serial bridge over a real serial line: a `socat` pty pair is the cable, the built daemon has
 * one end, the test plays a request/response instrument on the other end (through serialport, as a
 * real program would). The cable is pulled (socat stops: the pty goes away) and plugged in again.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDaemon, type Daemon } from '../helpers/daemon.js';
import { connectPeer } from '../helpers/raw-peers.js';
import { requireTool } from './tools.js';

const SOCAT = '/usr/bin/socat';
/** Bound on socat's start (it says when both ptys exist; this is only the deadline). */
const SOCAT_START_MS = 5_000;
const dir = mkdtempSync(join(tmpdir(), 'fieldgate-pty-'));
const GW_END = join(dir, 'gw');
const DEVICE_END = join(dir, 'instrument');

let socat: ChildProcess | undefined;
let daemon: Daemon;
let instrument: SerialPort | undefined;

/** Starts the pty pair; resolves when socat says both ends exist. */
function startCable(): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(SOCAT, ['-d', '-d', `pty,raw,echo=0,link=${GW_END}`, `pty,raw,echo=0,link=${DEVICE_END}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    const timer = setTimeout(() => reject(new Error(`socat did not start: ${err}`)), SOCAT_START_MS);
    child.stderr.on('data', (c: Buffer) => {
      err += c.toString();
      if (err.includes('starting data transfer loop')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => reject(new Error(`socat exited with ${code}: ${err}`)));
  });
}

function stopCable(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** The instrument: answers every "Tn\r\n" with "OK,Tn\r\n". */
function openInstrument(): Promise<SerialPort> {
  return new Promise((resolve, reject) => {
    const port = new SerialPort({ path: DEVICE_END, baudRate: 115200 }, (err) => (err ? reject(err) : resolve(port)));
    let pending = '';
    port.on('data', (c: Buffer) => {
      pending += c.toString('latin1');
      let i: number;
      while ((i = pending.indexOf('\r\n')) >= 0) {
        port.write(`OK,${pending.slice(0, i)}\r\n`);
        pending = pending.slice(i + 2);
      }
    });
    port.on('error', () => undefined);
  });
}

function closeInstrument(): Promise<void> {
  const port = instrument;
  instrument = undefined;
  return new Promise((resolve) => (port?.isOpen ? port.close(() => resolve()) : resolve()));
}

const count = (msg: string) => daemon.lines.filter((l) => l['msg'] === msg).length;

/** Resolves when `msg` is logged again (beyond the `seen` times it was logged before). */
function another(msg: string, seen: number, ms = 10_000) {
  return daemon.waitFor((l) => l['msg'] === msg && count(msg) > seen, ms);
}

beforeAll(async () => {
  requireTool(SOCAT, 'socat');
  socat = await startCable();
  const config = join(dir, 'fieldgate.yaml');
  writeFileSync(
    config,
    `
gateway: { name: serial-interop }
log: { level: debug }
devices:
  - name: instrument
    type: serial
    path: ${GW_END}
    baudRate: 115200
    framing: { type: line, delimiter: "\\r\\n" }
    reconnect: { min: 50ms, max: 400ms }
servers:
  - name: console
    protocol: raw
    listen: 127.0.0.1:0
    framing: { type: line, delimiter: "\\r\\n", max: 256 }
    handler: { bridge: instrument, reply: sender }
`,
  );
  daemon = startDaemon(['run', '-c', config]);
  await daemon.waitFor((l) => l['msg'] === 'device up' && l['device'] === 'instrument');
  instrument = await openInstrument();
});

afterAll(async () => {
  daemon.child.kill('SIGTERM');
  expect(await daemon.exited).toBe(0);
  await closeInstrument();
  await stopCable(socat);
});

describe('raw serial bridge over a socat pty pair', () => {
  it("a client's request reaches the instrument and its answer comes back; the cable is pulled and plugged in again", async () => {
    const listening = await daemon.waitFor((l) => l['msg'] === 'listening' && l['server'] === 'console');
    const client = await connectPeer(listening['port'] as number);
    client.send('T1\r\n');
    await client.until((t) => t === 'OK,T1\r\n', 5000);

    // pull the cable: the pty disappears under fieldgate
    const [downs, ups] = [count('device down'), count('device up')];
    await closeInstrument();
    await stopCable(socat);
    await another('device down', downs);
    client.send('T2\r\n'); // dropped and counted, the session stays
    client.send('T3\r\n');
    await another('device is not up: frames sent to it are dropped until it is back', 0);

    // plug it in again: a new pty pair at the same paths
    socat = await startCable();
    await another('device up', ups);
    instrument = await openInstrument();
    const back = await another('device is back: frames were dropped while it was not up', 0);
    expect(back['dropped']).toBe(2);
    client.send('T4\r\n');
    await client.until((t) => t === 'OK,T1\r\nOK,T4\r\n', 5000);
    expect(client.socket.destroyed).toBe(false);
    expect(count('device is not up: frames sent to it are dropped until it is back')).toBe(1);
    await client.end();
  });
});
