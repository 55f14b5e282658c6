/** `fieldgate check` (the built command) on a config with raw servers, raw devices and port pools. */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runCommand, tempFile } from '../helpers/daemon.js';

const CONFIG = `gateway: { name: line3 }
banks:
  press1: { holding: 100 }
  press2: { holding: 100 }
devices:
  - { name: camera, type: tcp, host: 192.168.1.50, port: 3000, framing: { type: line, delimiter: "\\r\\n" } }
  - { name: scope, type: serial, path: /dev/ttyUSB1, baudRate: 115200 }
servers:
  - name: presses
    protocol: modbus
    listen: 0.0.0.0
    ports:
      9601: { client: 192.168.250.11, units: { 1: { bank: press1 } } }
      9602: { client: 192.168.250.12, units: { 1: { bank: press2 } } }
  - name: trigger
    protocol: raw
    listen: 0.0.0.0:7100
    framing: { type: line, delimiter: "\\r\\n" }
    handler: { bridge: camera, reply: sender }
  - { name: capture, protocol: raw, listen: 0.0.0.0, ports: 7001-7002, handler: { record: /var/lib/fieldgate/capture } }
`;

describe('fieldgate check with raw servers and pools', () => {
  it('prints each pool as its allocation table, and the raw servers and devices', async () => {
    const r = await runCommand(['check', '-c', tempFile('raw.yaml', CONFIG)]);
    // Warnings only (the pool's ports are each reserved for a client: no open-server warning).
    expect(r.stderr).toBe(
      existsSync('/dev/ttyUSB1')
        ? ''
        : 'fieldgate: warning: devices[1].path: device scope uses the serial port /dev/ttyUSB1, which does not exist on this machine (unplugged, or another name? ls /dev/serial/by-id/); it will be opened again and again until it appears\n',
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      [
        '    port pool (one session per port, onBusy replace-same-client):',
        '      port  client          units',
        '      9601  192.168.250.11  1 -> bank press1',
        '      9602  192.168.250.12  1 -> bank press2',
      ].join('\n'),
    );
    expect(r.stdout).toContain('    handler bridge to device camera, device frames to the last sender');
    expect(r.stdout).toContain(
      '    handler record to /var/lib/fieldgate/capture (a file per session, rotated at 16MiB, at most 1GiB in all)',
    );
    expect(r.stdout).toContain(
      '  scope: serial /dev/ttyUSB1 115200 8N1 (8 data bits, parity none, 1 stop bit), framing none (chunks as they arrive)',
    );
  });

  it('a bridge to a device that is not raw is a configuration error (78)', async () => {
    const bad = CONFIG.replace('{ bridge: camera, reply: sender }', '{ bridge: press1 }');
    const file = tempFile('bad.yaml', bad);
    const r = await runCommand(['check', '-c', file]);
    expect(r.code).toBe(78);
    expect(r.stderr).toMatch(/servers\[1\]\.handler\.bridge: device "press1" is not defined under devices/);
  });
});
