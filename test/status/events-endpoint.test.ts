/**
 * GET /events on a running gateway's status endpoint: the first event is the status document (the
 * keys of GET /status, with `warnings`), a point written later arrives in a following event, and
 * stopping the gateway ends the stream cleanly.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRootLogger } from '../../src/log.js';
import { recentWarnings } from '../../src/log-ring.js';
import { startGateway, until, type RunningGateway } from '../helpers/gateway.js';

type Json = Record<string, unknown>;

let rg: RunningGateway;
let port: number;
let stopped = false;

beforeAll(async () => {
  rg = await startGateway(`
status: { listen: 127.0.0.1:0 }
banks:
  line:
    holding: 10
    points:
      - { name: speed, table: holding, address: 0, type: uint16 }
`);
  port = rg.gateway.statusPort;
});

afterAll(async () => {
  if (!stopped) await rg?.stop();
  recentWarnings.clear();
});

describe('GET /events on the status endpoint', () => {
  it('streams the status document at once and again when a point changes; ends when the gateway stops', async () => {
    recentWarnings.clear();
    createRootLogger('info', 'test', { write: () => undefined }).warn({ device: 'plc' }, 'device down');
    const docs: Json[] = [];
    let ended = false;
    let buf = '';
    const res = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/events', agent: false }, resolve).on('error', reject);
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => {
      buf += chunk;
      let end: number;
      while ((end = buf.indexOf('\n\n')) >= 0) {
        const block = buf.slice(0, end);
        buf = buf.slice(end + 2);
        if (block.startsWith('event: status\ndata: '))
          docs.push(JSON.parse(block.slice('event: status\ndata: '.length)) as Json);
      }
    });
    res.on('end', () => (ended = true));
    await until(() => docs.length >= 1, 5000, 'the first event');
    const status = (await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as Json;
    // the keys of GET /status, and the time the event was built
    expect(Object.keys(docs[0] ?? {}).sort()).toEqual([...Object.keys(status), 'serverTime'].sort());
    expect(status['serverTime']).toBeUndefined();
    expect(docs[0]?.['serverTime']).toBeTypeOf('number');
    expect(docs[0]?.['warnings']).toEqual([
      expect.objectContaining({ level: 'warn', msg: 'device down', device: 'plc' }),
    ]);

    rg.gateway.banks.get('line')?.points.get('speed')?.set(1234);
    const speed = (d: Json | undefined) =>
      ((d?.['banks'] as Json[] | undefined)?.[0]?.['points'] as Json[] | undefined)?.[0]?.['value'];
    await until(() => speed(docs.at(-1)) === 1234, 5000, 'the change to arrive');
    expect(speed(docs[0])).toBe(0);

    stopped = true;
    await rg.stop();
    await until(() => ended, 5000, 'the stream to end');
  });
});
